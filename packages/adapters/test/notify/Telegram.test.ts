import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Redacted, TestClock } from "effect"
import * as TelegramApi from "../../src/notify/TelegramApi.js"
import * as TelegramButtons from "../../src/notify/TelegramButtons.js"
import * as TelegramChannel from "../../src/notify/TelegramChannel.js"
import * as FakeTelegram from "../../testing/FakeTelegram.js"
import { base, dispatcher, monday, notify, person, stored, untilSleeping } from "./helpers.js"

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(monday)
  const fake = yield* FakeTelegram.make()
  const api = yield* TelegramApi.make({ token: Redacted.make(fake.token), baseUrl: fake.url })
  const channel = TelegramChannel.make(api, { publicBaseUrl: "https://desk.example.org/" })
  return { fake, api, channel }
})

describe("Telegram channel", () => {
  it.effect(
    "sends the subject in bold, the body escaped, a link, and Accept/Reject buttons in the reader's language",
    () =>
      Effect.gen(function* () {
        const { fake, channel } = yield* setup
        const worker = yield* person({ telegramId: Option.some(501), language: "ru" })
        const n = yield* notify(worker)
        const report = yield* (yield* dispatcher([channel])).deliverPending()
        assert.deepStrictEqual(report, { sent: 1, retrying: 0, failed: 0 })
        const message = fake.lastMessageTo(501)!
        assert.strictEqual(
          message.text,
          "<b>New task: Fix &lt;the&gt; fridge &amp; freezer</b>\n\n" +
            "Anna assigned you the task &quot;Fix &lt;the&gt; fridge &amp; freezer&quot;.\nDue: none." +
            '\n\n<a href="https://desk.example.org/tasks/T-1">Открыть</a>'
        )
        assert.deepStrictEqual(message.reply_markup, TelegramButtons.assignmentKeyboard("A-0001", "ru"))
        assert.strictEqual(message.reply_markup!.inline_keyboard[0]![1]!.text, "❌ Отклонить")
        const after = yield* stored(n.id)
        assert.strictEqual(after.status, "sent")
        assert.deepStrictEqual(after.channel, Option.some("router"))
      }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("a long body is cut to Telegram's 4,096 characters and stays valid HTML", () =>
    Effect.gen(function* () {
      const { fake, channel } = yield* setup
      const worker = yield* person({ telegramId: Option.some(502) })
      yield* notify(worker, { body: "&<>".repeat(3_000), data: {} })
      yield* (yield* dispatcher([channel])).deliverPending()
      const text = fake.lastMessageTo(502)!.text
      assert.isAtMost(text.length, 4_096)
      assert.isTrue(text.endsWith("…"))
      assert.isUndefined(fake.lastMessageTo(502)!.reply_markup, "no buttons without an assignment")
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("honours 429 retry_after: waits it out and sends once", () =>
    Effect.gen(function* () {
      const { fake, channel } = yield* setup
      const worker = yield* person({ telegramId: Option.some(503) })
      const n = yield* notify(worker)
      fake.failNext("sendMessage", { status: 429, retryAfter: 7 })
      const running = yield* Effect.fork((yield* dispatcher([channel])).deliverPending())
      yield* untilSleeping()
      assert.strictEqual(fake.callsTo("sendMessage").length, 1)
      yield* TestClock.adjust("6 seconds")
      yield* untilSleeping()
      assert.strictEqual(fake.callsTo("sendMessage").length, 1, "not before retry_after has passed")
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(running), { sent: 1, retrying: 0, failed: 0 })
      assert.strictEqual(fake.callsTo("sendMessage").length, 2)
      assert.strictEqual(fake.messagesTo(503).length, 1)
      assert.strictEqual((yield* stored(n.id)).attempts, 1)
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("a retry_after too long to wait goes back to the outbox; meanwhile that chat is not called", () =>
    Effect.gen(function* () {
      const { fake, channel } = yield* setup
      const worker = yield* person({ telegramId: Option.some(504) })
      const first = yield* notify(worker)
      fake.failNext("sendMessage", { status: 429, retryAfter: 120 })
      const notifications = yield* dispatcher([channel])
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      const after = yield* stored(first.id)
      assert.strictEqual(after.status, "pending")
      assert.match(Option.getOrThrow(after.lastError), /429.*retry after 120s/)
      // Another notification to the same chat within the two minutes fails fast, without a call.
      yield* notify(worker)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      assert.strictEqual(fake.callsTo("sendMessage").length, 1)
      // After the wait (and the outbox's own backoff) both go out.
      yield* TestClock.adjust("2 minutes")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 2, retrying: 0, failed: 0 })
      assert.strictEqual(fake.messagesTo(504).length, 2)
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("5xx is retried with backoff; a blocked bot is final, with Telegram's reason", () =>
    Effect.gen(function* () {
      const { fake, channel } = yield* setup
      const alice = yield* person({ telegramId: Option.some(505) })
      const bob = yield* person({ telegramId: Option.some(506) })
      const toAlice = yield* notify(alice)
      fake.failNext("sendMessage", { status: 502, description: "Bad Gateway" })
      const notifications = yield* dispatcher([channel])
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      yield* TestClock.adjust("29 seconds")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 0, failed: 0 })
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.strictEqual((yield* stored(toAlice.id)).attempts, 2)

      fake.block(506)
      const toBob = yield* notify(bob)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 0, failed: 1 })
      const failed = yield* stored(toBob.id)
      assert.strictEqual(failed.status, "failed")
      assert.strictEqual(failed.attempts, 1)
      assert.include(Option.getOrThrow(failed.lastError), "403 Forbidden: bot was blocked by the user")
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("the client never puts the token in an error", () =>
    Effect.gen(function* () {
      const { fake } = yield* setup
      const wrong = yield* TelegramApi.make({ token: Redacted.make("42:secret-token"), baseUrl: fake.url })
      const error = yield* wrong.getMe.pipe(Effect.flip)
      assert.strictEqual(error.status, 401)
      assert.isFalse(JSON.stringify(error).includes("secret-token"))
      assert.isFalse(error.message.includes("secret-token"))
      const nobody = yield* TelegramApi.make({ token: Redacted.make("42:secret-token"), baseUrl: "http://127.0.0.1:1" })
      const unreachable = yield* nobody.getMe.pipe(Effect.flip)
      assert.strictEqual(unreachable.status, 0)
      assert.isTrue(unreachable.transient)
      assert.isFalse(unreachable.message.includes("secret-token"))
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it("button data round-trips and anything else is refused", () => {
    const data = TelegramButtons.encode({ action: "reject", assignmentId: "01JABCDEF" })
    assert.strictEqual(data, "a:rej:01JABCDEF")
    assert.deepStrictEqual(TelegramButtons.decode(data), Option.some({ action: "reject", assignmentId: "01JABCDEF" }))
    for (const bad of ["a:del:1", "a:acc:", "a:acc:x y", "x:acc:1", undefined, `a:acc:${"x".repeat(59)}`]) {
      assert.isTrue(Option.isNone(TelegramButtons.decode(bad)), String(bad))
    }
  })
})
