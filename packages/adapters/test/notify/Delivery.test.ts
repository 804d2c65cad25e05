import { assert, describe, it } from "@effect/vitest"
import { Notifications, Outbox } from "@taskdesk/core"
import { DateTime, Effect, Option, Redacted, TestClock } from "effect"
import * as DingTalk from "../../src/notify/DingTalk.js"
import * as EmailChannel from "../../src/notify/EmailChannel.js"
import * as TelegramApi from "../../src/notify/TelegramApi.js"
import * as TelegramChannel from "../../src/notify/TelegramChannel.js"
import * as WebhookChannel from "../../src/notify/WebhookChannel.js"
import * as FakeDingTalk from "../../testing/FakeDingTalk.js"
import * as FakeSmtp from "../../testing/FakeSmtp.js"
import * as FakeTelegram from "../../testing/FakeTelegram.js"
import * as FakeWebhook from "../../testing/FakeWebhook.js"
import { base, dispatcher, monday, notify, person, stored } from "./helpers.js"

/** Every fake and a channel on each. */
const world = Effect.gen(function* () {
  yield* TestClock.setTime(monday)
  const telegram = yield* FakeTelegram.make()
  const dingtalk = yield* FakeDingTalk.make({ staff: ["ding-anna"] })
  const smtp = yield* FakeSmtp.make()
  const hook = yield* FakeWebhook.make({ secret: "s" })
  const channels = {
    telegram: TelegramChannel.make(
      yield* TelegramApi.make({ token: Redacted.make(telegram.token), baseUrl: telegram.url })
    ),
    dingtalk: yield* DingTalk.makeWork({
      apiBaseUrl: dingtalk.url,
      appKey: dingtalk.appKey,
      appSecret: Redacted.make(dingtalk.appSecret),
      robotCode: dingtalk.robotCode
    }),
    email: yield* EmailChannel.make({ host: smtp.host, port: smtp.port, from: "noreply@desk.example.org" }),
    webhook: yield* WebhookChannel.make({ url: hook.url, secret: Redacted.make("s") })
  }
  const anna = yield* person({
    telegramId: Option.some(7001),
    dingtalkId: Option.some("ding-anna"),
    email: Option.some("anna@example.org")
  })
  return { telegram, dingtalk, smtp, hook, channels, anna }
})

const counts = (w: Effect.Effect.Success<typeof world>) => ({
  telegram: w.telegram.messagesTo(7001).length,
  dingtalk: w.dingtalk.workMessages.length,
  email: w.smtp.received.length,
  webhook: w.hook.deliveries.filter((d) => d.accepted).length
})

describe("Delivery through the outbox", () => {
  it.effect("a notification reaches every channel the person has, once", () =>
    Effect.gen(function* () {
      const w = yield* world
      const n = yield* notify(w.anna)
      const notifications = yield* dispatcher(Object.values(w.channels))
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.deepStrictEqual(counts(w), { telegram: 1, dingtalk: 1, email: 1, webhook: 1 })
      assert.strictEqual((yield* stored(n.id)).status, "sent")
      yield* TestClock.adjust("1 hour")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 0, failed: 0 })
      assert.deepStrictEqual(counts(w), { telegram: 1, dingtalk: 1, email: 1, webhook: 1 })
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("when one channel fails for now, the retry goes only to that channel", () =>
    Effect.gen(function* () {
      const w = yield* world
      yield* notify(w.anna)
      w.telegram.failNext("sendMessage", { status: 500 })
      const notifications = yield* dispatcher(Object.values(w.channels))
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      assert.deepStrictEqual(counts(w), { telegram: 0, dingtalk: 1, email: 1, webhook: 1 })
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.deepStrictEqual(counts(w), { telegram: 1, dingtalk: 1, email: 1, webhook: 1 })
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("retries with growing waits and, after the last try, is marked failed with the reason", () =>
    Effect.gen(function* () {
      const w = yield* world
      const bob = yield* person({ telegramId: Option.some(7002) })
      const n = yield* notify(bob)
      w.telegram.failNext("sendMessage", { status: 503, description: "Service Unavailable" }, 10)
      const notifications = yield* dispatcher([w.channels.telegram])
      const waits = ["30 seconds", "1 minute", "2 minutes", "4 minutes"] as const
      for (const wait of waits) {
        assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
        yield* TestClock.adjust(wait)
      }
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 0, failed: 1 })
      const failed = yield* stored(n.id)
      assert.strictEqual(failed.status, "failed")
      assert.strictEqual(failed.attempts, Notifications.maxAttempts)
      assert.strictEqual(Option.getOrThrow(failed.lastError), "telegram: telegram sendMessage: 503 Service Unavailable")
      assert.strictEqual(w.telegram.callsTo("sendMessage").length, Notifications.maxAttempts)
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("crash between the outbox write and delivery: a fresh dispatcher delivers it once", () =>
    Effect.gen(function* () {
      const w = yield* world
      // The process that wrote it dies before delivering: only the outbox row survives.
      yield* notify(w.anna)
      const restarted = yield* dispatcher(Object.values(w.channels))
      assert.deepStrictEqual(yield* restarted.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.deepStrictEqual(yield* restarted.deliverPending(), { sent: 0, retrying: 0, failed: 0 })
      const another = yield* dispatcher(Object.values(w.channels))
      assert.deepStrictEqual(yield* another.deliverPending(), { sent: 0, retrying: 0, failed: 0 })
      assert.deepStrictEqual(counts(w), { telegram: 1, dingtalk: 1, email: 1, webhook: 1 })
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("a dispatcher that dies holding a notification: it is delivered once its lease lapses", () =>
    Effect.gen(function* () {
      const w = yield* world
      const n = yield* notify(w.anna)
      // The dead process had claimed it (and maybe was mid-send) when it died.
      const now = yield* DateTime.now
      const claimed = yield* (yield* Outbox.Outbox).claim(now, DateTime.add(now, { minutes: 5 }), 10)
      assert.deepStrictEqual(
        claimed.map((c) => c.id),
        [n.id]
      )
      const survivor = yield* dispatcher(Object.values(w.channels))
      assert.deepStrictEqual(yield* survivor.deliverPending(), { sent: 0, retrying: 0, failed: 0 })
      yield* TestClock.adjust("5 minutes")
      assert.deepStrictEqual(yield* survivor.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.deepStrictEqual(counts(w), { telegram: 1, dingtalk: 1, email: 1, webhook: 1 })
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("someone no channel reaches, or who left, is marked failed with the reason", () =>
    Effect.gen(function* () {
      const w = yield* world
      const unreachable = yield* person()
      const gone = yield* person({ email: Option.some("gone@example.org"), active: false })
      const a = yield* notify(unreachable)
      const b = yield* notify(gone)
      const notifications = yield* dispatcher([w.channels.telegram, w.channels.email])
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 0, failed: 2 })
      assert.match(Option.getOrThrow((yield* stored(a.id)).lastError), /no channel reaches/)
      assert.match(Option.getOrThrow((yield* stored(b.id)).lastError), /deactivated/)
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("`first` mode uses the first channel that reaches the person and falls back when it fails for good", () =>
    Effect.gen(function* () {
      const w = yield* world
      const notifications = yield* dispatcher([w.channels.telegram, w.channels.email], "first")
      yield* notify(w.anna)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.deepStrictEqual([w.telegram.messagesTo(7001).length, w.smtp.received.length], [1, 0])
      w.telegram.block(7001)
      yield* notify(w.anna)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.deepStrictEqual([w.telegram.messagesTo(7001).length, w.smtp.received.length], [1, 1])
    }).pipe(Effect.provide(base), Effect.scoped)
  )
})
