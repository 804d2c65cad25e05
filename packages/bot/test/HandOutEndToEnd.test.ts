import { assert, describe, it } from "@effect/vitest"
import * as Notify from "@taskdesk/adapters/notify"
import { FakeDingTalk, FakeSmtp, FakeTelegram } from "@taskdesk/adapters/testing"
import { Actor, Assignments, AuditLog, Notifications, Tasks, Templates, Users } from "@taskdesk/core"
import { uniqueId } from "@taskdesk/core/testing"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import * as Bot from "../src/Bot.js"
import { domain } from "./world.js"

describe("A batch hand-out end to end", () => {
  it.live("reaches Telegram, DingTalk and email; a rejection by Telegram reaches the manager with the reason", () =>
    Effect.gen(function* () {
      const telegram = yield* FakeTelegram.make()
      const dingtalk = yield* FakeDingTalk.make({ staff: ["ding-ivan", "ding-anna"] })
      const smtp = yield* FakeSmtp.make()
      const telegramConfig = { token: Redacted.make(telegram.token), baseUrl: telegram.url }
      const channels = [
        Notify.TelegramChannel.make(yield* Notify.TelegramApi.make(telegramConfig)),
        yield* Notify.DingTalk.makeWork({
          apiBaseUrl: dingtalk.url,
          appKey: dingtalk.appKey,
          appSecret: Redacted.make(dingtalk.appSecret),
          robotCode: dingtalk.robotCode
        }),
        yield* Notify.EmailChannel.make({ host: smtp.host, port: smtp.port, from: "noreply@desk.example.org" })
      ]
      const notifications = Context.get(
        yield* Layer.build(
          Notifications.Notifications.Default.pipe(Layer.provide(Notify.Router.layer(Effect.succeed({ channels }))))
        ),
        Notifications.Notifications
      )
      const bot = yield* Bot.make({ telegram: telegramConfig, pollTimeoutSeconds: 1 })
      yield* Effect.forkScoped(bot.poll)

      const users = yield* Users.Users
      const person = (
        role: "manager" | "worker",
        name: string,
        telegramId: number,
        ding: string,
        language: "ru" | "zh"
      ) =>
        users
          .create({
            name,
            username: uniqueId(role).replace(/-/g, "_"),
            role,
            language,
            telegramId,
            dingtalkId: ding,
            email: `${ding}@example.org`
          })
          .pipe(Actor.asSystem, Effect.orDie)
      const anna = yield* person("manager", "Анна", 31, "ding-anna", "ru")
      const ivan = yield* person("worker", "王伟", 32, "ding-ivan", "zh")

      const template = yield* (yield* Templates.Templates).create({ title: "写周报" }).pipe(Actor.as(anna))
      const existing = yield* (yield* Tasks.Tasks).create({ title: "Inventory" }).pipe(Actor.as(anna))
      const made = yield* (yield* Assignments.Assignments)
        .batch({
          items: [
            { templateId: template.id, assigneeId: ivan.id },
            { taskId: existing.id, assigneeId: ivan.id }
          ]
        })
        .pipe(Actor.as(anna))
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 2, retrying: 0, failed: 0 })
      assert.strictEqual(telegram.messagesTo(32).length, 2)
      assert.deepStrictEqual(
        dingtalk.workMessages.map((m) => m.userIds[0]),
        ["ding-ivan", "ding-ivan"]
      )
      assert.deepStrictEqual(
        smtp.received.map((r) => r.mail.subject),
        ["新任务：写周报", "新任务：Inventory"]
      )

      // Ivan rejects the weekly report in Telegram, with a reason.
      const offer = telegram.messagesTo(32).find((m) => m.text.includes("写周报"))!
      const rejectData = offer.reply_markup!.inline_keyboard[0]![1]!.callback_data!
      const query = telegram.press({ id: 32, first_name: "Wang" }, offer.message_id, rejectData)
      yield* telegram.waitFor(() => telegram.callbackAnswers.has(query))
      telegram.send({ id: 32, first_name: "Wang" }, "本周出差")
      yield* telegram.waitFor(() => telegram.lastMessageTo(32)?.text.startsWith("❌") === true)

      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 1, retrying: 0, failed: 0 })
      assert.include(telegram.lastMessageTo(31)!.text, "Причина: 本周出差")
      assert.include(dingtalk.workMessages.at(-1)!.msgParam.text!, "Причина: 本周出差")
      assert.deepStrictEqual(smtp.received.at(-1)!.envelope.to, ["ding-anna@example.org"])
      assert.include(smtp.received.at(-1)!.mail.text!, "Причина: 本周出差")

      const rejected = made.find((a) => a.taskId !== existing.id)!
      const history = yield* (yield* AuditLog.AuditLog).history(Tasks.taskSubject(rejected.taskId))
      assert.deepStrictEqual(
        history.map((e) => [e.type, e.actorId]),
        [
          ["task.created", anna.id],
          ["assignment.offered", anna.id],
          ["assignment.rejected", ivan.id]
        ]
      )
      assert.deepStrictEqual(
        Option.getOrUndefined(
          (yield* (yield* Assignments.Assignments).get(rejected.id).pipe(Actor.as(anna))).rejectionReason
        ),
        "本周出差"
      )
    }).pipe(Effect.provide(domain), Effect.scoped)
  )
})
