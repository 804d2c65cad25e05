import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import * as EmailChannel from "../../src/notify/EmailChannel.js"
import * as FakeSmtp from "../../testing/FakeSmtp.js"
import { base, dispatcher, monday, notify, person, stored } from "./helpers.js"

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(monday)
  const smtp = yield* FakeSmtp.make()
  const channel = yield* EmailChannel.make({
    host: smtp.host,
    port: smtp.port,
    from: '"taskdesk" <noreply@desk.example.org>',
    messageIdDomain: "desk.example.org",
    publicBaseUrl: "https://desk.example.org"
  })
  return { smtp, channel }
})

describe("Email channel", () => {
  it.effect("sends text and HTML with the link, the notification id as Message-ID, in the reader's language", () =>
    Effect.gen(function* () {
      const { smtp, channel } = yield* setup
      const ivan = yield* person({ email: Option.some("ivan@example.org"), name: "Иван Петров", language: "ru" })
      const n = yield* notify(ivan, { subject: "Новая задача: Разморозить холодильник", body: "Срок: не указан." })
      assert.deepStrictEqual(yield* (yield* dispatcher([channel])).deliverPending(), {
        sent: 1,
        retrying: 0,
        failed: 0
      })
      const [got] = smtp.received
      assert.deepStrictEqual(got!.envelope.to, ["ivan@example.org"])
      assert.strictEqual(got!.mail.subject, "Новая задача: Разморозить холодильник")
      assert.strictEqual(got!.mail.messageId, `<${n.id}@desk.example.org>`)
      assert.strictEqual(got!.mail.headers.get("x-taskdesk-notification"), n.id)
      assert.strictEqual(got!.mail.text!.trim(), "Срок: не указан.\n\nhttps://desk.example.org/tasks/T-1")
      assert.include(got!.mail.html as string, '<a href="https://desk.example.org/tasks/T-1">Открыть</a>')
      assert.strictEqual(got!.mail.to && !Array.isArray(got!.mail.to) ? got!.mail.to.value[0]!.name : "", "Иван Петров")
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("a subject or name with line breaks cannot add headers or recipients; HTML is escaped", () =>
    Effect.gen(function* () {
      const { smtp, channel } = yield* setup
      const mallory = yield* person(
        { email: Option.some("victim@example.org"), name: "Mallory\r\nBcc: spy@evil.example" },
        { unchecked: true }
      )
      yield* notify(mallory, {
        subject: "Hello\r\nBcc: spy@evil.example\r\nX-Injected: yes",
        body: "<script>alert(1)</script>"
      })
      yield* (yield* dispatcher([channel])).deliverPending()
      const [got] = smtp.received
      assert.deepStrictEqual(got!.envelope.to, ["victim@example.org"])
      assert.notMatch(got!.rawHeaders, /^(bcc|x-injected):/im)
      assert.isUndefined(got!.mail.bcc)
      assert.isFalse(got!.mail.headers.has("x-injected"))
      assert.include(got!.mail.html as string, "&lt;script&gt;alert(1)&lt;/script&gt;")
      assert.notInclude(got!.mail.html as string, "<script>")
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("a 4xx answer is retried, a 5xx answer is final with the server's reason", () =>
    Effect.gen(function* () {
      const { smtp, channel } = yield* setup
      const busy = yield* person({ email: Option.some("busy@example.org") })
      const gone = yield* person({ email: Option.some("gone@example.org") })
      const notifications = yield* dispatcher([channel])
      smtp.refuseNext({ code: 450, message: "Mailbox busy, try later" })
      const later = yield* notify(busy)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      assert.include(Option.getOrThrow((yield* stored(later.id)).lastError), "450")
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })

      smtp.refuseNext({ code: 550, message: "No such mailbox" })
      const never = yield* notify(gone)
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 0, failed: 1 })
      const failed = yield* stored(never.id)
      assert.strictEqual(failed.status, "failed")
      assert.include(Option.getOrThrow(failed.lastError), "550")
      assert.strictEqual(smtp.received.length, 1)
    }).pipe(Effect.provide(base), Effect.scoped)
  )

  it.effect("a server that is not there is a transient failure", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(monday)
      const channel = yield* EmailChannel.make({ host: "127.0.0.1", port: 1, from: "noreply@desk.example.org" })
      const someone = yield* person({ email: Option.some("someone@example.org") })
      yield* notify(someone)
      assert.deepStrictEqual(yield* (yield* dispatcher([channel])).deliverPending(), {
        sent: 0,
        retrying: 1,
        failed: 0
      })
    }).pipe(Effect.provide(base), Effect.scoped)
  )
})
