import { afterAll, assert, beforeAll, it } from "@effect/vitest"
import type { Browser, Page } from "playwright-core"
import { api, bearer, buildPages, type DemoServer, demoServer, launch, screenshot, signIn } from "../testing/Browser.js"
import { describeBrowser } from "../testing/Suite.js"

/** A card on the board, by its title, in the column of `status`. */
const cardIn = (page: Page, status: string, title: string) =>
  page.locator(`section.column[data-status="${status}"] li.card`, { hasText: title })

describeBrowser("the web pages in Chromium, against a demo server", () => {
  let server: DemoServer
  let browser: Browser

  beforeAll(async () => {
    buildPages()
    server = await demoServer()
    browser = await launch()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it("a client files a repair request; the manager assigns it, the technician works it; the client rates it", async () => {
    const page = await browser.newPage()
    await signIn(page, server, "client1")
    assert.strictEqual(new URL(page.url()).pathname, "/repairs")
    // Only the pages a client may use are offered.
    assert.deepStrictEqual(await page.getByRole("navigation").getByRole("link").allTextContents(), ["Repairs"])

    const form = page.getByRole("form", { name: "New repair request" })
    await form.getByLabel("Device type").fill("Oven")
    await form.getByLabel("Model").fill("Gorenje BO 735")
    await form.getByLabel("Problem").fill("The door does not close")
    await form.getByRole("button", { name: "File request" }).click()
    const filed = await page
      .getByRole("status")
      .filter({ hasText: /Request R-\d+ filed/ })
      .textContent()
    const reference = /R-\d+/.exec(filed ?? "")?.[0]
    assert.isDefined(reference)
    const item = page.locator("li.repair", { hasText: "Gorenje BO 735" })
    await item.getByText("New", { exact: true }).waitFor()

    // The manager assigns a technician and a deadline on the repair desk.
    const desk = await browser.newPage()
    await signIn(desk, server, "manager")
    await desk.getByRole("link", { name: "Repairs" }).click()
    const managed = desk.locator("li.repair", { hasText: "Gorenje BO 735" })
    await managed.getByLabel("Technician").selectOption({ label: "Ivan Sidorov" })
    await managed.getByRole("button", { name: "Assign" }).click()
    await desk.locator("li.repair", { hasText: "Gorenje BO 735" }).getByText("Technician: Ivan Sidorov").waitFor()
    await desk.locator("li.repair", { hasText: "Gorenje BO 735" }).getByLabel("Deadline").fill("2030-01-15T17:00")
    await desk.locator("li.repair", { hasText: "Gorenje BO 735" }).getByRole("button", { name: "Save" }).click()
    await desk
      .locator("li.repair", { hasText: "Gorenje BO 735" })
      .getByText(/Deadline: /)
      .waitFor()
    await screenshot(desk, "manager-repairs")
    await desk.close()

    // The technician starts it, holds it for a part, resumes and completes it.
    const bench = await browser.newPage()
    await signIn(bench, server, "worker1")
    await bench.getByRole("link", { name: "Repairs" }).click()
    const work = () => bench.locator("li.repair", { hasText: "Gorenje BO 735" })
    await work().getByRole("button", { name: "Start" }).click()
    await work().getByText("In progress", { exact: true }).waitFor()
    await work().getByLabel("Note").fill("Waiting for a hinge")
    await work().getByRole("button", { name: "Hold" }).click()
    await work().getByText("On hold", { exact: true }).waitFor()
    await work()
      .getByText(/Reason: Waiting for a hinge/)
      .waitFor()
    await work().getByRole("button", { name: "Start" }).click()
    await work().getByText("In progress", { exact: true }).waitFor()
    await work().getByLabel("Note").fill("New hinge fitted")
    await work().getByRole("button", { name: "Complete" }).click()
    await work().getByText("Completed", { exact: true }).waitFor()
    await bench.close()

    await page.reload()
    await item.getByText("Completed", { exact: true }).waitFor()
    const rate = item.getByRole("form", { name: "Rate" })
    await rate.getByLabel("Score").selectOption("4")
    await rate.getByLabel("Feedback").fill("Quick, thank you")
    await rate.getByRole("button", { name: "Rate" }).click()
    await item.getByText("Rated 4/5").waitFor()
    const manager = await bearer(server, "manager")
    const repairs = await api(server, manager, "GET", "/repair-requests?limit=200")
    const repair = repairs.items.find((r: { deviceModel: string }) => r.deviceModel === "Gorenje BO 735")
    assert.strictEqual(repair.rating.score, 4)
    assert.strictEqual(repair.completionNote, "New hinge fitted")
    assert.isString(repair.deadline)
    await screenshot(page, "client-repairs")
    await page.close()
  })

  it("a manager hands out library templates in one batch; a refused batch names its bad rows", async () => {
    const manager = await bearer(server, "manager")
    const doomed = await api(server, manager, "POST", "/templates", { title: "Check the fire doors" })
    const page = await browser.newPage()
    await signIn(page, server, "manager")
    await page.getByRole("link", { name: "Library" }).click()
    await page.getByLabel("Check the fire doors").check()
    await page.getByLabel("Replace the water filter").check()
    await page.getByLabel("Test the smoke detectors").check()
    await page.getByLabel(/Maria Kuznetsova/).check()
    await page.getByLabel("Due date").fill("2030-05-01T12:00")
    // Someone removes a template from the library while the manager is choosing.
    await api(server, manager, "DELETE", `/templates/${doomed.id}`)
    await page.getByRole("button", { name: "Assign (3)" }).click()
    await page.getByRole("alert").filter({ hasText: "Nothing was assigned: fix the rows marked below." }).waitFor()
    const bad = page.locator("table.rows tr.bad")
    assert.strictEqual(await bad.count(), 1)
    assert.include(await bad.textContent(), "Check the fire doors")
    assert.include(await bad.locator(".problem").textContent(), `no template ${doomed.id}`)
    await screenshot(page, "manager-library-refused")

    await page.getByLabel("Check the fire doors").uncheck()
    await page.getByRole("button", { name: "Assign (2)" }).click()
    await page.getByRole("status").filter({ hasText: "Assigned 2 task(s)." }).waitFor()
    const worker = await bearer(server, "worker2")
    const pending = await api(server, worker, "GET", "/me/assignments?status=pending")
    const titles = pending.map((i: { task: { title: string } }) => i.task.title)
    assert.includeMembers(titles, ["Replace the water filter", "Test the smoke detectors"])
    assert.notInclude(titles, "Check the fire doors")
    await screenshot(page, "manager-library")
    await page.close()
  })

  it("a worker rejects one assignment with a reason, accepts another, then moves its card on the board", async () => {
    const manager = await bearer(server, "manager")
    const worker = await bearer(server, "worker1")
    const workerId = (await api(server, worker, "GET", "/auth/me")).id
    const templates = await api(server, manager, "GET", "/templates")
    const byTitle = (title: string) => templates.find((t: { title: string }) => t.title === title).id
    const made = await api(server, manager, "POST", "/assignments", {
      items: [
        { templateId: byTitle("Replace the water filter"), assigneeId: workerId },
        { templateId: byTitle("Test the smoke detectors"), assigneeId: workerId }
      ]
    })

    const page = await browser.newPage()
    await signIn(page, server, "worker1")
    assert.strictEqual(new URL(page.url()).pathname, "/inbox")
    const water = page.locator("li.item", { hasText: "Replace the water filter" })
    const smoke = page.locator("li.item", { hasText: "Test the smoke detectors" })
    await water.getByRole("button", { name: "Reject" }).click()
    await water.getByLabel("Reason").fill("No spare filters in stock")
    await water.getByRole("button", { name: "Reject with this reason" }).click()
    await water.waitFor({ state: "detached" })
    await smoke.getByRole("button", { name: "Accept" }).click()
    await smoke.waitFor({ state: "detached" })

    const [rejected, accepted] = await Promise.all(
      made.map((m: { id: string }) => api(server, worker, "GET", `/assignments/${m.id}`))
    )
    assert.strictEqual(rejected.status, "rejected")
    assert.strictEqual(rejected.rejectionReason, "No spare filters in stock")
    assert.strictEqual(accepted.status, "accepted")

    await page.getByRole("link", { name: "Board" }).click()
    // Accepting started the task: its card is in progress.
    const card = (status: string) => cardIn(page, status, "Test the smoke detectors").first()
    await card("in_progress").waitFor()
    const id = await card("in_progress").getAttribute("data-task-id")
    await card("in_progress").dragTo(page.locator('section.column[data-status="done"]'))
    await page.getByRole("status").filter({ hasText: "Moved to Done" }).waitFor()
    await card("done").waitFor()
    assert.strictEqual((await api(server, worker, "GET", `/tasks/${id}`)).status, "done")
    // An illegal move (done → cancelled) snaps back and says why; nothing changes on the server.
    await card("done").dragTo(page.locator('section.column[data-status="cancelled"]'))
    await page.getByRole("alert").filter({ hasText: "This move is not allowed: Done → Cancelled." }).waitFor()
    assert.strictEqual(await cardIn(page, "cancelled", "Test the smoke detectors").count(), 0)
    await card("done").waitFor()
    assert.strictEqual((await api(server, worker, "GET", `/tasks/${id}`)).status, "done")
    await screenshot(page, "worker-board")
    await page.close()
  })

  it("an administrator changes a job's schedule and runs it now, changes a role and makes an API token", async () => {
    const page = await browser.newPage()
    await signIn(page, server, "admin")
    await page.getByRole("link", { name: "Admin" }).click()
    const job = page.locator("li.job").first()
    await job.waitFor()
    const jobId = await job.getAttribute("data-job-id")
    await job.getByLabel("Schedule (cron)").fill("15 4 * * 1")
    await job.getByRole("button", { name: "Save" }).click()
    await page.locator(`li.job[data-job-id="${jobId}"] .schedule`, { hasText: "15 4 * * 1" }).waitFor()
    await page.locator(`li.job[data-job-id="${jobId}"]`).getByRole("button", { name: "Run now" }).click()
    await page
      .locator(`li.job[data-job-id="${jobId}"]`)
      .getByRole("status")
      .filter({ hasText: /Run (succeeded|failed|skipped)/ })
      .waitFor()
    await page.locator(`li.job[data-job-id="${jobId}"]`).getByRole("button", { name: "History" }).click()
    await page.locator(`li.job[data-job-id="${jobId}"] .runs li`, { hasText: "manual" }).first().waitFor()

    // People and roles, and an API token shown once.
    const row = page.locator("tr", { hasText: "client2" })
    await row.getByLabel("Role").selectOption("partner")
    await row.getByRole("button", { name: "Save" }).click()
    await page
      .locator("tr", { hasText: "client2" })
      .getByRole("button", { name: "Save" })
      .and(page.locator(":disabled"))
      .waitFor()
    await page.getByLabel("Name", { exact: true }).fill("reporting")
    await page.getByRole("button", { name: "New token" }).click()
    const secret = await page.getByRole("status").filter({ hasText: "shown once" }).locator("code").textContent()
    const fromToken = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } })
    assert.strictEqual(((await fromToken.json()) as { username: string }).username, "admin")

    const admin = await bearer(server, "admin")
    const users = await api(server, admin, "GET", "/users")
    assert.strictEqual(users.find((u: { username: string }) => u.username === "client2").role, "partner")
    const view = await api(server, admin, "GET", `/scheduler/jobs/${jobId}`)
    assert.strictEqual(view.job.schedule.expression, "15 4 * * 1")
    const runs = await api(server, admin, "GET", `/scheduler/jobs/${jobId}/runs`)
    assert.isTrue(runs.items.some((r: { trigger: string }) => r.trigger === "manual"))
    await screenshot(page, "admin-jobs")
    await page.close()
  })

  it("every page a manager may open renders; the texts switch language; sign-out ends the session", async () => {
    const page = await browser.newPage()
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(error.message))
    await signIn(page, server, "manager")
    const nav = page.getByRole("navigation")
    assert.deepStrictEqual(await nav.getByRole("link").allTextContents(), [
      "Board",
      "My inbox",
      "Library",
      "Repairs",
      "Projects",
      "Statistics"
    ])
    for (const [link, heading] of [
      ["Statistics", "Statistics"],
      ["Projects", "Projects"],
      ["Repairs", "Repairs"],
      ["My inbox", "My inbox"]
    ] as const) {
      await nav.getByRole("link", { name: link }).click()
      await page.getByRole("heading", { level: 1, name: heading }).waitFor()
    }
    await nav.getByRole("link", { name: "Statistics" }).click()
    await page.locator("figure.chart canvas").first().waitFor()
    assert.isAtLeast(await page.locator("figure.chart canvas").count(), 6)
    await screenshot(page, "manager-statistics")

    // The task page: details, and the history with old → new values.
    await nav.getByRole("link", { name: "Board" }).click()
    await page.getByRole("link", { name: "Count the stock of filters" }).click()
    await page.getByRole("heading", { level: 1, name: "Count the stock of filters" }).waitFor()
    const history = page.locator(".history > li")
    await history.first().waitFor()
    // Oldest first: created, started, finished.
    const lines = await history.allTextContents()
    assert.include(lines[0], "task.created")
    const started = lines.findIndex((l) => l.includes("status: todo → in_progress"))
    const finished = lines.findIndex((l) => l.includes("status: in_progress → done"))
    assert.isAbove(started, 0)
    assert.isAbove(finished, started)
    // Moves from the task page offer the legal ones only (done → in progress).
    const moves = page.getByRole("group", { name: "Move to" }).getByRole("button")
    assert.deepStrictEqual(await moves.allTextContents(), ["Move to: In progress"])
    await moves.first().click()
    await page.getByRole("group", { name: "Move to" }).getByRole("button", { name: "Move to: Done" }).waitFor()
    await page.locator(".history > li", { hasText: "status: done → in_progress" }).waitFor()
    await page.getByLabel("Comment").fill("Counted twice, all there")
    await page.getByRole("button", { name: "Add comment" }).click()
    await page.locator(".comments li", { hasText: "Counted twice, all there" }).waitFor()

    await page.getByLabel("Language").selectOption("ru")
    await nav.getByRole("link", { name: "Доска" }).waitFor()
    assert.strictEqual(await page.evaluate(() => document.documentElement.lang), "ru")
    await page.getByLabel("Язык").selectOption("zh")
    await nav.getByRole("link", { name: "看板" }).waitFor()
    await page.getByLabel("语言").selectOption("en")

    await page.getByRole("button", { name: "Sign out" }).click()
    await page.getByRole("button", { name: "Sign in" }).waitFor()
    await page.reload()
    await page.getByRole("button", { name: "Sign in" }).waitFor()
    assert.deepStrictEqual(errors, [])
    await page.close()
  })

  it("an expired cookie session renews itself once with the refresh token; the person stays signed in", async () => {
    const page = await browser.newPage()
    await signIn(page, server, "manager")
    await page.locator("li.card").first().waitFor()
    const session = async () => (await page.context().cookies()).find((c) => c.name === "taskdesk_session")?.value
    const before = await session()
    assert.isDefined(before)
    const refreshes: Array<number> = []
    page.on("response", (response) => {
      if (new URL(response.url()).pathname === "/api/auth/refresh") refreshes.push(response.status())
    })
    // What the browser does when the access token's lifetime (the cookie's max-age) has passed.
    await page.context().clearCookies({ name: "taskdesk_session" })
    // The inbox's calls all find the session gone at once; one refresh renews it for every one of them.
    await page.getByRole("navigation").getByRole("link", { name: "My inbox" }).click()
    await page.getByRole("heading", { level: 1, name: "My inbox" }).waitFor()
    await page.getByRole("navigation").getByRole("link", { name: "Board" }).click()
    await page.locator("li.card").first().waitFor()
    assert.deepStrictEqual(refreshes, [200])
    const after = await session()
    assert.isDefined(after)
    assert.notStrictEqual(after, before)
    assert.strictEqual(await page.getByRole("button", { name: "Sign in" }).count(), 0)
    await page.getByRole("button", { name: "Sign out" }).waitFor()
    await page.close()
  })

  it("the board filters by text, priority and assignee", async () => {
    const page = await browser.newPage()
    await signIn(page, server, "manager")
    const cards = page.locator("li.card")
    await cards.first().waitFor()
    const all = await cards.count()
    await page.getByLabel("Search").fill("extinguishers")
    await page.waitForFunction(() => document.querySelectorAll("li.card").length === 1)
    assert.include(await cards.first().textContent(), "Inspect the workshop's fire extinguishers")
    await page.getByLabel("Search").fill("")
    await page.waitForFunction((n) => document.querySelectorAll("li.card").length === n, all)
    await page.getByLabel("Priority").selectOption("high")
    await page.waitForFunction((n) => document.querySelectorAll("li.card").length < n, all)
    for (const text of await cards.allTextContents()) assert.include(text, "High")
    await page.getByLabel("Priority").selectOption("")
    // Every card back first: the high-priority ones alone would pass the next wait before the assignee's load is in.
    await page.waitForFunction((n) => document.querySelectorAll("li.card").length === n, all)
    await page.getByLabel("Assignee").selectOption({ label: "Maria Kuznetsova" })
    await page.waitForFunction((n) => document.querySelectorAll("li.card").length < n, all)
    for (const text of await cards.allTextContents()) assert.include(text, "Maria Kuznetsova")
    await page.close()
  })

  it("a card moved in one browser shows in another without a reload", async () => {
    const one = await browser.newContext()
    const two = await browser.newContext()
    const a = await one.newPage()
    const b = await two.newPage()
    await signIn(a, server, "manager")
    await signIn(b, server, "worker1")
    await b.getByRole("link", { name: "Board" }).click()
    const title = "Inspect the workshop's fire extinguishers"
    await cardIn(b, "in_progress", title).waitFor()
    await cardIn(a, "in_progress", title).waitFor()

    // Keyboard move in the first browser: focus the card, ← moves it one column left.
    await cardIn(a, "in_progress", title).focus()
    await a.keyboard.press("ArrowLeft")
    await a.getByRole("status").filter({ hasText: "Moved to To do" }).waitFor()

    // With the event stream the second board refetches by itself; without it (servers that do not
    // have the stream) it refreshes when its window regains focus, which is what we do here.
    if ((await b.locator(".live").getAttribute("data-live")) !== "sse") {
      await b.evaluate(() => window.dispatchEvent(new Event("focus")))
    }
    await cardIn(b, "todo", title).waitFor({ timeout: 15_000 })
    assert.strictEqual(await cardIn(b, "in_progress", title).count(), 0)
    await screenshot(b, "two-browsers")
    await one.close()
    await two.close()
  })
})
