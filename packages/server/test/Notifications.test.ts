import { assert, describe, it } from "@effect/vitest"
import { FakeDingTalk, FakeSmtp, FakeTelegram } from "@taskdesk/adapters/testing"
import { Actor } from "@taskdesk/core"
import { Effect } from "effect"
import * as Seed from "../src/Seed.js"
import { baseUrl, person, raw, serverLayer } from "./support.js"

const webhookSecret = "hook-secret_0123456789"

/** The JSON shapes this test reads. */
interface UserJson {
  readonly id: string
  readonly username: string
  readonly telegramId?: number
}
interface EventJson {
  readonly actorId: string
  readonly payload: { readonly _tag: string; readonly reason?: string }
}
interface NotificationJson {
  readonly status: string
  readonly data: { readonly taskId?: string; readonly reason?: string }
}

/** Waits in real time until `condition` holds (it spans several fakes, so no one fake can signal it). */
const until = (condition: () => boolean, what: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 500; i++) {
      if (condition()) return
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
    }
    return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })

/** Signs in over HTTP; the access token. */
const login = (username: string, password: string) =>
  Effect.map(
    raw("/api/auth/login", { method: "POST", body: JSON.stringify({ username, password }) }),
    (r) => r.body.accessToken as string
  )

describe("a batch hand-out through every channel", () => {
  it.live(
    "with the demo data, a manager's batch over HTTP reaches Telegram, DingTalk and email; the worker rejects in Telegram with a reason; the manager hears the reason; the task's history shows every step",
    () =>
      Effect.gen(function* () {
        const telegram = yield* FakeTelegram.make()
        const dingtalk = yield* FakeDingTalk.make({ staff: ["ding-olga", "ding-ivan"] })
        const smtp = yield* FakeSmtp.make()
        const server = serverLayer({
          public_url: "https://desk.example.org",
          security: { telegram_bot_token: telegram.token },
          telegram: { api_url: telegram.url, webhook_secret: webhookSecret, bot_username: "taskdesk_test_bot" },
          notifications: {
            dispatch_interval_seconds: 0.05,
            dingtalk: {
              app_key: dingtalk.appKey,
              app_secret: dingtalk.appSecret,
              robot_code: dingtalk.robotCode,
              api_url: dingtalk.url
            },
            smtp: { host: smtp.host, port: smtp.port, from: "taskdesk <noreply@desk.example.org>" }
          }
        })
        yield* Effect.gen(function* () {
          const logins = yield* Seed.demo.pipe(Actor.asSystem, Effect.orDie)
          const password = (username: string) => logins.find((l) => l.username === username)!.password
          const admin = yield* person("admin")
          const users = (yield* raw("/api/users", { token: admin.token })).body as ReadonlyArray<UserJson>
          const olga = users.find((u) => u.username === "manager")!
          const ivan = users.find((u) => u.username === "worker1")!
          // The administrator records where the two can be reached besides Telegram.
          for (const [user, ding, language] of [
            [olga, "ding-olga", "ru"],
            [ivan, "ding-ivan", "en"]
          ] as const) {
            const patched = yield* raw(`/api/users/${user.id}`, {
              method: "PATCH",
              token: admin.token,
              body: JSON.stringify({ dingtalkId: ding, email: `${ding}@example.org`, language })
            })
            assert.strictEqual(patched.status, 200)
          }
          const manager = yield* login("manager", password("manager"))
          const worker = yield* login("worker1", password("worker1"))

          // Telegram delivers updates to the server's webhook, which checks the secret.
          const url = yield* baseUrl
          yield* Effect.promise(() =>
            fetch(`${telegram.url}/bot${telegram.token}/setWebhook`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ url: `${url}/telegram/webhook`, secret_token: webhookSecret })
            })
          )
          const update = JSON.stringify({
            update_id: 1,
            message: { message_id: 1, chat: { id: 9, type: "private" }, date: 0, text: "/help" }
          })
          const forged = yield* raw("/telegram/webhook", {
            method: "POST",
            body: update,
            headers: { "x-telegram-bot-api-secret-token": "guess" }
          })
          assert.strictEqual(forged.status, 401)
          assert.strictEqual((yield* raw("/telegram/webhook", { method: "POST", body: update })).status, 401)

          // Both link their Telegram accounts with a one-time code from the API.
          const tgOlga = { id: 7001, first_name: "Olga", language_code: "ru" }
          const tgIvan = { id: 7002, first_name: "Ivan", language_code: "en" }
          for (const [token, tg] of [
            [manager, tgOlga],
            [worker, tgIvan]
          ] as const) {
            const code = yield* raw("/api/me/telegram-link", { method: "POST", token })
            assert.strictEqual(code.status, 201)
            assert.strictEqual(code.body.link, `https://t.me/taskdesk_test_bot?start=${code.body.code}`)
            telegram.send(tg, `/start ${code.body.code}`)
            yield* telegram.waitFor(() => telegram.messagesTo(tg.id).length > 0)
          }
          const linked = (yield* raw("/api/users", { token: admin.token })).body as ReadonlyArray<UserJson>
          assert.strictEqual(linked.find((u) => u.id === ivan.id)?.telegramId, tgIvan.id)
          assert.strictEqual(linked.find((u) => u.id === olga.id)?.telegramId, tgOlga.id)

          // Olga hands out a template and an existing task to Ivan in one batch, over HTTP.
          const template = (yield* raw("/api/templates", { token: manager })).body[0]
          const inventory = yield* raw("/api/tasks", {
            method: "POST",
            token: manager,
            body: JSON.stringify({ title: "Inventory of the store room" })
          })
          const batch = yield* raw("/api/assignments", {
            method: "POST",
            token: manager,
            body: JSON.stringify({
              items: [
                { templateId: template.id, assigneeId: ivan.id },
                { taskId: inventory.body.id, assigneeId: ivan.id }
              ]
            })
          })
          assert.strictEqual(batch.status, 201)
          const offers = () => telegram.messagesTo(tgIvan.id).filter((m) => m.reply_markup !== undefined)
          yield* until(
            () =>
              offers().length === 2 &&
              dingtalk.workMessages.filter((m) => m.userIds.includes("ding-ivan")).length === 2 &&
              smtp.received.filter((r) => r.envelope.to.includes("ding-ivan@example.org")).length === 2,
            "the offers on every channel"
          )
          assert.sameMembers(
            smtp.received.filter((r) => r.envelope.to.includes("ding-ivan@example.org")).map((r) => r.mail.subject),
            [`New task: ${template.title}`, "New task: Inventory of the store room"]
          )

          // Ivan rejects the inventory in Telegram, with a reason.
          const offer = offers().find((m) => m.text.includes("Inventory of the store room"))!
          const reject = offer.reply_markup!.inline_keyboard[0]![1]!.callback_data!
          const press = telegram.press(tgIvan, offer.message_id, reject)
          yield* telegram.waitFor(() => telegram.callbackAnswers.has(press))
          telegram.send(tgIvan, "The store room is locked until Monday")
          yield* telegram.waitFor(() => telegram.lastMessageTo(tgIvan.id)?.text.startsWith("❌") === true)

          // Olga hears of it with the reason, on every channel that reaches her.
          const reason = "Причина: The store room is locked until Monday"
          yield* until(
            () =>
              telegram.messagesTo(tgOlga.id).some((m) => m.text.includes(reason)) &&
              dingtalk.workMessages.some(
                (m) => m.userIds.includes("ding-olga") && m.msgParam.text?.includes(reason) === true
              ) &&
              smtp.received.some(
                (r) => r.envelope.to.includes("ding-olga@example.org") && r.mail.text?.includes(reason) === true
              ),
            "the rejection with its reason on every channel"
          )

          // The audit history over HTTP: created, offered, rejected, by whom.
          const history = yield* raw(`/api/tasks/${inventory.body.id}/history`, { token: manager })
          assert.strictEqual(history.status, 200)
          assert.deepStrictEqual(
            (history.body as ReadonlyArray<EventJson>).map((e) => [e.payload._tag, e.actorId]),
            [
              ["task.created", olga.id],
              ["assignment.offered", olga.id],
              ["assignment.rejected", ivan.id]
            ]
          )
          const rejected = history.body.at(-1)
          assert.strictEqual(rejected.payload.reason, "The store room is locked until Monday")

          // And the outbox over HTTP: Olga's notification was sent.
          const outbox = yield* raw("/api/notifications?kind=assignment_rejected", { token: manager })
          const ours = (outbox.body as ReadonlyArray<NotificationJson>).filter(
            (n) => n.data.taskId === inventory.body.id
          )
          assert.strictEqual(ours.length, 1)
          assert.strictEqual(ours[0]?.status, "sent")
          assert.strictEqual(ours[0]?.data.reason, "The store room is locked until Monday")
          assert.isTrue(telegram.webhookAnswers.length > 0 && telegram.webhookAnswers.every((s) => s === 200))
        }).pipe(Effect.provide(server))
      }).pipe(Effect.scoped),
    30_000
  )
})
