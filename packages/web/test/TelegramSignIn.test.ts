import { createHash, createHmac } from "node:crypto"
import { afterAll, assert, beforeAll, it } from "@effect/vitest"
import type { Browser } from "playwright-core"
import { api, bearer, buildPages, type DemoServer, demoServer, launch, screenshot } from "../testing/Browser.js"
import { describeBrowser } from "../testing/Suite.js"

const botToken = "123456:web-test-bot-token"
const botUsername = "taskdesk_web_bot"
const widgetScript = "https://telegram.org/js/telegram-widget.js*"

/** Signs the fields as Telegram does: HMAC-SHA-256 of the data-check-string, keyed by SHA-256 of the bot token. */
const signed = (fields: Record<string, string | number>) => {
  const check = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("\n")
  const secret = createHash("sha256").update(botToken).digest()
  return { ...fields, hash: createHmac("sha256", secret).update(check).digest("hex") }
}

/**
 * What Telegram's script does in the redirect mode, without Telegram: a button after its script tag
 * that sends the browser to `data-auth-url` with the signed fields in the query.
 */
const fakeWidget = (fields: Record<string, string | number>) => `(() => {
  const script = document.currentScript
  const button = document.createElement("button")
  button.type = "button"
  button.textContent = "Log in with Telegram as " + script.dataset.telegramLogin
  button.addEventListener("click", () => {
    location.href = script.dataset.authUrl + "?" + new URLSearchParams(${JSON.stringify(
      Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]))
    )})
  })
  script.after(button)
})()`

describeBrowser("the Telegram Login Widget on the sign-in page", () => {
  let withBot: DemoServer
  let withoutBot: DemoServer
  let browser: Browser

  beforeAll(async () => {
    buildPages()
    withBot = await demoServer({
      TASKDESK_TELEGRAM_BOT_TOKEN: botToken,
      TASKDESK_TELEGRAM_BOT_USERNAME: botUsername,
      // Nothing reaches Telegram from here: the bot's calls go to a closed port.
      TASKDESK_TELEGRAM_API_URL: "http://127.0.0.1:9"
    })
    withoutBot = await demoServer()
    browser = await launch()
  })

  afterAll(async () => {
    await browser?.close()
    await withBot?.stop()
    await withoutBot?.stop()
  })

  it("with a bot, a person linked to Telegram signs in through the widget and gets a cookie session", async () => {
    const telegramId = 424_242
    const manager = await api(withBot, await bearer(withBot, "manager"), "GET", "/auth/me")
    await api(withBot, await bearer(withBot, "admin"), "PATCH", `/users/${manager.id}`, { telegramId })
    const fields = signed({
      id: telegramId,
      first_name: "Maria",
      username: "maria_tg",
      auth_date: Math.floor(Date.now() / 1000)
    })
    const context = await browser.newContext()
    const page = await context.newPage()
    const loaded: Array<string> = []
    await page.route(widgetScript, (route) => {
      loaded.push(route.request().url())
      return route.fulfill({ contentType: "text/javascript", body: fakeWidget(fields) })
    })
    const refused: Array<string> = []
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text())
    })

    await page.goto(withBot.url)
    const widget = page.getByRole("button", { name: `Log in with Telegram as ${botUsername}` })
    await widget.waitFor()
    assert.strictEqual(loaded.length, 1)
    const script = page.locator("script[data-telegram-login]")
    assert.strictEqual(await script.getAttribute("data-auth-url"), `${withBot.url}/auth/telegram/callback`)
    assert.isNull(await script.getAttribute("data-onauth"))
    await screenshot(page, "signin-telegram")

    await widget.click()
    await page.getByRole("button", { name: "Sign out" }).waitFor()
    // Signed in as the linked person, on their home page, with the signed fields gone from the address.
    assert.strictEqual(new URL(page.url()).pathname, "/board")
    assert.strictEqual(new URL(page.url()).search, "")
    await page.getByText(manager.name).first().waitFor()
    // The session cookie is sent only to the API (its path is /api).
    const cookies = await context.cookies(`${withBot.url}/api/auth/me`)
    const session = cookies.find((c) => c.name === "taskdesk_session")
    assert.isDefined(session)
    assert.isTrue(session!.httpOnly)
    assert.isDefined(cookies.find((c) => c.name === "taskdesk_csrf"))
    // The page's own calls ride on that cookie session: the board's tasks come from the API.
    const me = await page.evaluate(async () => {
      const response = await fetch("/api/auth/me")
      return { status: response.status, body: await response.json() }
    })
    assert.strictEqual(me.status, 200)
    assert.strictEqual(me.body.id, manager.id)
    assert.deepStrictEqual(refused, [])
    await context.close()
  })

  it("with a bot, a Telegram account linked to nobody is refused with a message, and the password form stays", async () => {
    const page = await browser.newPage()
    await page.route(widgetScript, (route) =>
      route.fulfill({
        contentType: "text/javascript",
        body: fakeWidget(signed({ id: 9_999_001, first_name: "Stranger", auth_date: Math.floor(Date.now() / 1000) }))
      })
    )
    await page.goto(withBot.url)
    await page.getByRole("button", { name: /Log in with Telegram/ }).click()
    await page.getByText(/Telegram sign-in was refused/).waitFor()
    assert.strictEqual(new URL(page.url()).pathname, "/signin")
    await page.getByLabel(/username/i).waitFor()
    assert.strictEqual(await page.getByRole("button", { name: "Sign out" }).count(), 0)
    await page.close()
  })

  it("without a bot, the page offers no widget and loads nothing from Telegram", async () => {
    const page = await browser.newPage()
    const loaded: Array<string> = []
    await page.route("https://telegram.org/**", (route) => {
      loaded.push(route.request().url())
      return route.abort()
    })
    await page.goto(withoutBot.url)
    await page.getByRole("button", { name: "Sign in" }).waitFor()
    // The providers answer decides whether the widget appears; wait for it before looking.
    await page.waitForLoadState("networkidle")
    assert.strictEqual(await page.locator("script[data-telegram-login]").count(), 0)
    assert.strictEqual(await page.getByText("Or sign in with Telegram:").count(), 0)
    assert.deepStrictEqual(loaded, [])
    await page.close()
  })
})
