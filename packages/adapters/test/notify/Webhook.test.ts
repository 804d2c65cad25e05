import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Option, Redacted, TestClock } from "effect"
import * as WebhookChannel from "../../src/notify/WebhookChannel.js"
import * as FakeWebhook from "../../testing/FakeWebhook.js"
import { base, dispatcher, monday, notify, person, stored } from "./helpers.js"

const secret = "whsec_test_0123456789"

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(monday)
  const receiver = yield* FakeWebhook.make({ secret })
  const channel = yield* WebhookChannel.make({
    url: receiver.url,
    secret: Redacted.make(secret),
    publicBaseUrl: "https://desk.example.org"
  })
  return { receiver, channel }
})

describe("Webhook channel", () => {
  it.effect("POSTs the notification as signed JSON with its id as the delivery id, for everyone", () =>
    Effect.gen(function* () {
      const { receiver, channel } = yield* setup
      const nobody = yield* person()
      const n = yield* notify(nobody)
      assert.deepStrictEqual(yield* (yield* dispatcher([channel])).deliverPending(), {
        sent: 1,
        retrying: 0,
        failed: 0
      })
      const [got] = receiver.deliveries
      assert.isTrue(got!.signatureValid)
      assert.strictEqual(got!.headers["x-taskdesk-delivery"], n.id)
      assert.strictEqual(got!.headers["x-taskdesk-timestamp"], String(DateTime.toEpochMillis(monday) / 1000))
      assert.strictEqual(got!.headers["content-type"], "application/json")
      assert.deepStrictEqual(got!.body, {
        id: n.id,
        kind: "assignment_offered",
        recipientId: nobody.id,
        subject: n.subject,
        body: n.body,
        data: n.data,
        link: "https://desk.example.org/tasks/T-1",
        createdAt: "2026-03-02T09:00:00.000Z"
      })
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("retries a 5xx with the same delivery id; a 4xx is final; Retry-After holds later deliveries", () =>
    Effect.gen(function* () {
      const { receiver, channel } = yield* setup
      const someone = yield* person()
      const notifications = yield* dispatcher([channel])
      receiver.answerNext({ status: 500 })
      const n = yield* notify(someone)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.deepStrictEqual(
        receiver.deliveries.map((d) => [d.headers["x-taskdesk-delivery"], d.accepted]),
        [
          [n.id, false],
          [n.id, true]
        ]
      )

      receiver.answerNext({ status: 422 })
      const refused = yield* notify(someone)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 0, failed: 1 })
      assert.strictEqual(Option.getOrThrow((yield* stored(refused.id)).lastError), "webhook: HTTP 422")

      receiver.answerNext({ status: 429, headers: { "retry-after": "600" } })
      yield* notify(someone)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      yield* notify(someone)
      const before = receiver.deliveries.length
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 2, failed: 0 })
      assert.strictEqual(receiver.deliveries.length, before, "nothing is sent while the receiver asked to wait")
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it("verify accepts the real signature only, and only while fresh", () => {
    const body = '{"id":"n1"}'
    const signature = WebhookChannel.signature(secret, 1_000, body)
    const check = (over: Partial<Parameters<typeof WebhookChannel.verify>[0]>) =>
      WebhookChannel.verify({ secret, timestamp: "1000", signature, body, nowSeconds: 1_010, ...over })
    assert.isTrue(check({}))
    assert.isFalse(check({ body: '{"id":"n2"}' }))
    assert.isFalse(check({ secret: "other" }))
    assert.isFalse(check({ timestamp: "1001" }))
    assert.isFalse(check({ signature: signature.slice(0, -1) }))
    assert.isFalse(check({ signature: undefined }))
    assert.isFalse(check({ nowSeconds: 1_000 + 301 }))
    assert.isFalse(check({ timestamp: "abc" }))
  })
})
