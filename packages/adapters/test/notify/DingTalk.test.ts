import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Redacted, TestClock } from "effect"
import * as DingTalk from "../../src/notify/DingTalk.js"
import * as FakeDingTalk from "../../testing/FakeDingTalk.js"
import { base, dispatcher, monday, notify, person, stored, untilSleeping } from "./helpers.js"

/** The fake DingTalk on the test's clock, so its 20-a-minute window moves with `TestClock`. */
const fakeOnTestClock = Effect.gen(function* () {
  yield* TestClock.setTime(monday)
  const clock = yield* Effect.clock
  return yield* FakeDingTalk.make({ now: () => clock.unsafeCurrentTimeMillis(), staff: ["ding-anna", "ding-wang"] })
})

const robotOf = (fake: FakeDingTalk.FakeDingTalk, overrides: Partial<DingTalk.RobotConfig> = {}) =>
  DingTalk.makeRobot({
    webhookUrl: Redacted.make(fake.webhookUrl),
    secret: Redacted.make(fake.robotSecret),
    publicBaseUrl: "https://desk.example.org",
    ...overrides
  })

const workOf = (fake: FakeDingTalk.FakeDingTalk) =>
  DingTalk.makeWork({
    apiBaseUrl: fake.url,
    appKey: fake.appKey,
    appSecret: Redacted.make(fake.appSecret),
    robotCode: fake.robotCode,
    publicBaseUrl: "https://desk.example.org"
  })

describe("DingTalk robot", () => {
  it("signs timestamp + newline + secret with HMAC-SHA256, base64, URL-encoded", () => {
    // Worked example computed independently: printf '1700000000000\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64
    assert.strictEqual(DingTalk.sign(1_700_000_000_000, "SECabc"), "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM=")
    const url = new URL(
      DingTalk.signedUrl("https://oapi.dingtalk.com/robot/send?access_token=t", 1_700_000_000_000, "SECabc")
    )
    assert.strictEqual(url.searchParams.get("access_token"), "t")
    assert.strictEqual(url.searchParams.get("timestamp"), "1700000000000")
    assert.include(url.search, "sign=jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D")
  })

  it.effect("posts signed markdown that @-mentions the person and links to the item", () =>
    Effect.gen(function* () {
      const fake = yield* fakeOnTestClock
      const anna = yield* person({ dingtalkId: Option.some("ding-anna"), language: "zh" })
      yield* notify(anna, { subject: "新任务：写周报", body: "王伟 给您分配了任务「写周报」。\n截止时间：无。" })
      assert.deepStrictEqual(yield* (yield* dispatcher([yield* robotOf(fake)])).deliverPending(), {
        sent: 1,
        retrying: 0,
        failed: 0
      })
      assert.deepStrictEqual(fake.refusals, [])
      const [message] = fake.robotMessages
      assert.strictEqual(message!.body.msgtype, "markdown")
      assert.strictEqual(message!.body.markdown!.title, "新任务：写周报")
      assert.strictEqual(
        message!.body.markdown!.text,
        "#### 新任务：写周报\n\n王伟 给您分配了任务「写周报」。  \n截止时间：无。\n\n[打开](https://desk.example.org/tasks/T-1)\n\n@ding-anna"
      )
      assert.deepStrictEqual(message!.body.at, { atUserIds: ["ding-anna"], isAtAll: false })
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("keeps under 20 messages a minute: the 21st waits for the window instead of being refused", () =>
    Effect.gen(function* () {
      const fake = yield* fakeOnTestClock
      const anna = yield* person({ dingtalkId: Option.some("ding-anna") })
      for (let i = 0; i < 25; i++) yield* notify(anna)
      const running = yield* Effect.fork(
        (yield* dispatcher([yield* robotOf(fake, { maxWait: "90 seconds" })])).deliverPending()
      )
      yield* untilSleeping()
      assert.strictEqual(fake.robotMessages.length, 20)
      yield* TestClock.adjust("60 seconds")
      assert.deepStrictEqual(yield* Fiber.join(running), { sent: 25, retrying: 0, failed: 0 })
      assert.strictEqual(fake.robotMessages.length, 25)
      assert.deepStrictEqual(fake.refusals, [], "DingTalk never had to say 'too fast'")
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect(
    "the fake enforces the limit: 'send too fast' (130101) is retried later, a bad signature (310000) is final",
    () =>
      Effect.gen(function* () {
        const fake = yield* fakeOnTestClock
        const anna = yield* person({ dingtalkId: Option.some("ding-anna") })
        // A client that ignores the limit gets DingTalk's own refusal on the 21st.
        const careless = yield* robotOf(fake, { messagesPerMinute: 100 })
        const first = yield* Effect.forEach(Array.from({ length: 21 }), () => notify(anna))
        assert.deepStrictEqual(yield* (yield* dispatcher([careless])).deliverPending(), {
          sent: 20,
          retrying: 1,
          failed: 0
        })
        assert.deepStrictEqual(
          fake.refusals.map((r) => r.errcode),
          [130101]
        )
        assert.include(Option.getOrThrow((yield* stored(first[20]!.id)).lastError), "errcode 130101")

        // A minute later the window has room again and the refused one goes out.
        yield* TestClock.adjust("61 seconds")
        assert.deepStrictEqual(yield* (yield* dispatcher([careless])).deliverPending(), {
          sent: 1,
          retrying: 0,
          failed: 0
        })

        const forged = yield* robotOf(fake, { secret: Redacted.make("SECwrong") })
        const wrong = yield* notify(anna)
        assert.deepStrictEqual(yield* (yield* dispatcher([forged])).deliverPending(), {
          sent: 0,
          retrying: 0,
          failed: 1
        })
        assert.include(Option.getOrThrow((yield* stored(wrong.id)).lastError), "errcode 310000: sign not match")
      }).pipe(Effect.provide(base), Effect.scoped)
  )
})

describe("DingTalk work notifications", () => {
  it.effect("sends to the person's user id with an access token fetched once and reused", () =>
    Effect.gen(function* () {
      const fake = yield* fakeOnTestClock
      const anna = yield* person({ dingtalkId: Option.some("ding-anna") })
      const wang = yield* person({ dingtalkId: Option.some("ding-wang"), language: "zh" })
      yield* notify(anna)
      yield* notify(wang)
      yield* notify(anna)
      const notifications = yield* dispatcher([yield* workOf(fake)])
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 3, retrying: 0, failed: 0 })
      assert.strictEqual(fake.tokensIssued(), 1)
      assert.deepStrictEqual(
        fake.workMessages.map((m) => m.userIds),
        [["ding-anna"], ["ding-wang"], ["ding-anna"]]
      )
      assert.strictEqual(fake.workMessages[1]!.msgKey, "sampleMarkdown")
      assert.include(fake.workMessages[1]!.msgParam.text!, "[打开](https://desk.example.org/tasks/T-1)")

      // The token stops working (DingTalk's expire after two hours): one fresh token, no lost message.
      fake.expireTokens()
      yield* notify(wang)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.strictEqual(fake.tokensIssued(), 2)
      // Near its expiry the cached token is renewed before use.
      yield* TestClock.adjust("2 hours")
      yield* notify(wang)
      yield* notifications.deliverPending()
      assert.strictEqual(fake.tokensIssued(), 3)
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("an unknown user id is final; a server error or throttling is retried", () =>
    Effect.gen(function* () {
      const fake = yield* fakeOnTestClock
      const ghost = yield* person({ dingtalkId: Option.some("ding-nobody") })
      const anna = yield* person({ dingtalkId: Option.some("ding-anna") })
      const notifications = yield* dispatcher([yield* workOf(fake)])
      const lost = yield* notify(ghost)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 0, failed: 1 })
      assert.include(Option.getOrThrow((yield* stored(lost.id)).lastError), "does not know the user id ding-nobody")

      fake.failNext("batchSend", { status: 503 })
      fake.failNext("batchSend", { status: 429, code: "Throttling" })
      const later = yield* notify(anna)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      assert.include(Option.getOrThrow((yield* stored(later.id)).lastError), "Throttling")
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
    }).pipe(Effect.provide(base), Effect.scoped)
  )
})
