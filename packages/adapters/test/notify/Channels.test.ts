import { assert, describe, it } from "@effect/vitest"
import { Notifications } from "@taskdesk/core"
import { ConfigProvider, Context, Effect, Layer, Option, Redacted, TestClock } from "effect"
import * as Channels from "../../src/notify/Channels.js"
import * as FakeSmtp from "../../testing/FakeSmtp.js"
import * as FakeTelegram from "../../testing/FakeTelegram.js"
import { base, monday, notify, person } from "./helpers.js"

describe("Channels", () => {
  it.effect("reads the channels from TASKDESK_* settings; a channel missing a setting is off", () =>
    Effect.gen(function* () {
      const config = yield* Channels.fromEnv.pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map([
              ["TASKDESK_PUBLIC_URL", "https://desk.example.org"],
              ["TASKDESK_TELEGRAM_BOT_TOKEN", "1:abc"],
              ["TASKDESK_SMTP_HOST", "mail.example.org"],
              ["TASKDESK_SMTP_PORT", "587"],
              ["TASKDESK_SMTP_FROM", "noreply@example.org"],
              ["TASKDESK_DINGTALK_APP_KEY", "key-without-secret"]
            ])
          )
        )
      )
      assert.strictEqual(config.publicBaseUrl, "https://desk.example.org")
      assert.strictEqual(Redacted.value(config.telegram!.token), "1:abc")
      assert.deepStrictEqual([config.email!.host, config.email!.port], ["mail.example.org", 587])
      assert.isUndefined(config.dingtalk)
      assert.isUndefined(config.webhook)
      assert.isUndefined(config.mode)
    })
  )

  it.effect("the configured router delivers to each configured channel the person has", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(monday)
      const telegram = yield* FakeTelegram.make()
      const smtp = yield* FakeSmtp.make()
      const channel = Channels.layer({
        publicBaseUrl: "https://desk.example.org",
        telegram: { token: Redacted.make(telegram.token), baseUrl: telegram.url },
        email: { host: smtp.host, port: smtp.port, from: "noreply@example.org" }
      })
      const notifications = Context.get(
        yield* Layer.build(Notifications.Notifications.Default.pipe(Layer.provide(channel))),
        Notifications.Notifications
      )
      const both = yield* person({ telegramId: Option.some(8001), email: Option.some("both@example.org") })
      const mailOnly = yield* person({ email: Option.some("mail@example.org") })
      yield* notify(both)
      yield* notify(mailOnly)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 2, retrying: 0, failed: 0 })
      assert.strictEqual(telegram.messagesTo(8001).length, 1)
      assert.deepStrictEqual(smtp.received.map((r) => r.envelope.to[0]).sort(), [
        "both@example.org",
        "mail@example.org"
      ])
    }).pipe(Effect.provide(base), Effect.scoped)
  )
})
