import { assert, describe, layer } from "@effect/vitest"
import { Actor, Users } from "@taskdesk/core"
import * as Telegram from "@taskdesk/http/auth/Telegram.js"
import { Effect } from "effect"
import { client, raw, serverLayer, uniqueName } from "./support.js"

const botToken = "123456:test-bot-token"

describe("the Telegram Login Widget's server side", () => {
  layer(serverLayer({ security: { telegram_bot_token: botToken }, telegram: { bot_username: "taskdesk_test_bot" } }), {
    excludeTestServices: true
  })("with a bot token and its username", (it) => {
    it.effect("the sign-in page learns the bot's username", () =>
      Effect.gen(function* () {
        const providers = yield* (yield* client()).auth.providers()
        assert.deepStrictEqual({ ...providers }, { password: true, telegramBot: "taskdesk_test_bot" })
      })
    )

    it.effect("the pages' policy lets the widget's script and its frame load, and nothing more", () =>
      Effect.gen(function* () {
        const page = yield* raw("/signin")
        const policy = page.headers.get("content-security-policy") ?? ""
        assert.include(policy, "script-src 'self' https://telegram.org;")
        assert.include(policy, "frame-src https://oauth.telegram.org;")
        assert.notInclude(policy, "unsafe-eval")
        assert.notInclude(policy, "unsafe-inline")
        const api = yield* raw("/api/health")
        assert.strictEqual(api.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'")
      })
    )

    it.effect("?session=cookie signs in with the session cookie and a CSRF token; without it, no cookie", () =>
      Effect.gen(function* () {
        const telegramId = 100_000 + Math.floor(Math.random() * 1_000_000)
        const linked = yield* (yield* Users.Users)
          .create({ name: "Telegram user", username: uniqueName("tg"), role: "manager", telegramId })
          .pipe(Actor.asSystem)
        const fields = { id: telegramId, first_name: "Иван", auth_date: Math.floor(Date.now() / 1000) }
        const body = JSON.stringify({ ...fields, hash: Telegram.sign(fields, botToken) })
        const bearer = yield* raw("/api/auth/telegram", { method: "POST", body })
        assert.strictEqual(bearer.status, 200)
        assert.deepStrictEqual(bearer.headers.getSetCookie(), [])
        assert.isUndefined(bearer.body.csrfToken)

        const signedIn = yield* raw("/api/auth/telegram?session=cookie", { method: "POST", body })
        assert.strictEqual(signedIn.status, 200)
        assert.strictEqual(signedIn.body.user.id, linked.id)
        const cookies = signedIn.headers.getSetCookie()
        const session = cookies.find((c) => c.startsWith("taskdesk_session="))
        assert.isDefined(session)
        assert.match(session!, /HttpOnly/i)
        assert.match(session!, /SameSite=Strict/i)
        const csrf = signedIn.body.csrfToken as string
        assert.isString(csrf)
        const cookie = cookies.map((c) => c.split(";")[0]).join("; ")
        assert.strictEqual((yield* raw("/api/auth/me", { headers: { cookie } })).body.id, linked.id)
        const write = JSON.stringify({ title: "Signed in with Telegram" })
        const forged = yield* raw("/api/tasks", { method: "POST", body: write, headers: { cookie } })
        assert.strictEqual(forged.status, 403)
        const made = yield* raw("/api/tasks", {
          method: "POST",
          body: write,
          headers: { cookie, "x-csrf-token": csrf }
        })
        assert.strictEqual(made.status, 201)

        const unknownMode = yield* raw("/api/auth/telegram?session=local", { method: "POST", body })
        assert.strictEqual(unknownMode.status, 400)
      })
    )
  })

  layer(serverLayer({ security: { telegram_bot_token: botToken } }), { excludeTestServices: true })(
    "with a bot token but no username",
    (it) => {
      it.effect("no widget is offered, and the pages' policy stays as it was", () =>
        Effect.gen(function* () {
          const providers = yield* (yield* client()).auth.providers()
          assert.strictEqual(providers.telegramBot, null)
          const policy = (yield* raw("/signin")).headers.get("content-security-policy") ?? ""
          assert.strictEqual(
            policy,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
          )
        })
      )
    }
  )

  layer(serverLayer({ telegram: { bot_username: "taskdesk_test_bot" } }), { excludeTestServices: true })(
    "with a username but no bot token",
    (it) => {
      it.effect("no widget is offered: the server could not check what it hands back", () =>
        Effect.gen(function* () {
          assert.strictEqual((yield* (yield* client()).auth.providers()).telegramBot, null)
          const policy = (yield* raw("/signin")).headers.get("content-security-policy") ?? ""
          assert.notInclude(policy, "telegram")
        })
      )
    }
  )
})
