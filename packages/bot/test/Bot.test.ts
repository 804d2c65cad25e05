import { createServer } from "node:http"
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import {
  Actor,
  Assignments,
  AuditLog,
  type Ids,
  RepairRequests,
  Tasks,
  TelegramLinking,
  type User,
  UserRepo
} from "@taskdesk/core"
import { DateTime, Effect, Option, Redacted } from "effect"
import * as Bot from "../src/Bot.js"
import { domain, linkedPerson, polling, stranger, unlinkedPerson, webhookSecret, world } from "./world.js"

type Fake = Effect.Effect.Success<typeof world>["telegram"]
type Who = { readonly id: number; readonly first_name: string; readonly language_code?: string }

/** The user writes to the bot and the bot has handled it (confirmed the update). */
const say = (telegram: Fake, who: Who, text: string) =>
  Effect.gen(function* () {
    const before = telegram.calls.length
    telegram.send(who, text)
    yield* telegram.waitFor(() => telegram.pendingUpdates() === 0 && telegram.calls.length > before + 1)
  })

/** The user presses a button and the bot has answered the press. */
const press = (telegram: Fake, who: Who, messageId: number, data: string, options?: { readonly forge?: boolean }) =>
  Effect.gen(function* () {
    const id = telegram.press(who, messageId, data, options)
    yield* telegram.waitFor(() => telegram.callbackAnswers.has(id) && telegram.pendingUpdates() === 0)
    return telegram.callbackAnswers.get(id)?.text
  })

const textsTo = (telegram: Fake, who: Who) => telegram.messagesTo(who.id).map((m) => m.text)

/** A manager hands `title` to `assignee` and the notification goes out through the outbox. */
const handOut = (manager: { readonly user: User.User }, assigneeId: Ids.UserId, title: string) =>
  Effect.gen(function* () {
    const task = yield* (yield* Tasks.Tasks).create({ title }).pipe(Actor.as(manager.user))
    const [assignment] = yield* (yield* Assignments.Assignments)
      .batch({ items: [{ taskId: task.id, assigneeId }] })
      .pipe(Actor.as(manager.user))
    return { task, assignment: assignment! }
  })

describe("Telegram bot", () => {
  it.live("links an account with a one-time code; a used or unknown code links nothing", () =>
    Effect.gen(function* () {
      const { telegram, bot } = yield* world
      yield* polling(bot)
      const worker = yield* unlinkedPerson("worker", "ru", "Иван Петров")
      const ivan = stranger("ru")
      yield* say(telegram, ivan, "/tasks")
      assert.include(textsTo(telegram, ivan).at(-1)!, "не привязан")

      const { code } = yield* (yield* TelegramLinking.TelegramLinking).issue().pipe(Actor.as(worker))
      yield* say(telegram, ivan, `/start ${code}`)
      assert.include(textsTo(telegram, ivan).at(-1)!, "Готово: в taskdesk вы — Иван Петров.")
      const linked = yield* (yield* UserRepo.UserRepo).findById(worker.id)
      assert.deepStrictEqual(
        Option.flatMap(linked, (u) => u.telegramId),
        Option.some(ivan.id)
      )

      const eve = stranger()
      yield* say(telegram, eve, `/start ${code}`)
      yield* say(telegram, eve, "/start not-a-real-code-000000")
      assert.deepStrictEqual(textsTo(telegram, eve), [
        "This code is unknown or has expired. Ask taskdesk for a new one.",
        "This code is unknown or has expired. Ask taskdesk for a new one."
      ])
      assert.isTrue(Option.isNone(yield* (yield* UserRepo.UserRepo).findByTelegramId(eve.id)))
    }).pipe(Effect.provide(domain), Effect.scoped)
  )

  it.live("accept by button: accepted once, buttons removed, a second press changes nothing and says so", () =>
    Effect.gen(function* () {
      const { telegram, bot, deliver } = yield* world
      yield* polling(bot)
      const manager = yield* linkedPerson("manager")
      const worker = yield* linkedPerson("worker", "zh")
      const { assignment } = yield* handOut(manager, worker.user.id, "写周报")
      assert.deepStrictEqual(yield* deliver, { sent: 1, retrying: 0, failed: 0 })
      const offer = telegram.lastMessageTo(worker.telegram.id)!
      assert.include(offer.text, "新任务：写周报")
      const [accept, reject] = offer.reply_markup!.inline_keyboard[0]!
      assert.deepStrictEqual([accept!.text, reject!.text], ["✅ 接受", "❌ 拒绝"])

      assert.strictEqual(yield* press(telegram, worker.telegram, offer.message_id, accept!.callback_data!), "已接受")
      assert.isUndefined(telegram.lastMessageTo(worker.telegram.id)!.reply_markup, "a new message, no buttons")
      assert.isUndefined(
        telegram.messagesTo(worker.telegram.id).find((m) => m.message_id === offer.message_id)!.reply_markup
      )
      assert.strictEqual(textsTo(telegram, worker.telegram).at(-1), "✅ 已接受：写周报")
      const accepted = yield* (yield* Assignments.Assignments).get(assignment.id).pipe(Actor.as(worker.user))
      assert.strictEqual(accepted.status, "accepted")

      // A second press (a double tap that raced the removal): nothing changes, the bot says why.
      const messages = telegram.messagesTo(worker.telegram.id).length
      const again = yield* press(telegram, worker.telegram, offer.message_id, reject!.callback_data!, { forge: true })
      assert.strictEqual(again, "该任务已接受。")
      assert.strictEqual(telegram.messagesTo(worker.telegram.id).length, messages)
      const still = yield* (yield* Assignments.Assignments).get(assignment.id).pipe(Actor.as(worker.user))
      assert.strictEqual(still.status, "accepted")
      assert.strictEqual(still.version, accepted.version)
    }).pipe(Effect.provide(domain), Effect.scoped)
  )

  it.live(
    "reject asks for the reason, records it, and the manager is told with the reason; the audit shows each step",
    () =>
      Effect.gen(function* () {
        const { telegram, bot, deliver } = yield* world
        yield* polling(bot)
        const manager = yield* linkedPerson("manager", "ru", "Анна Смирнова")
        const worker = yield* linkedPerson("worker", "en", "Ivan Petrov")
        const { task, assignment } = yield* handOut(manager, worker.user.id, "Разморозить холодильник")
        yield* deliver
        const offer = telegram.lastMessageTo(worker.telegram.id)!
        const reject = offer.reply_markup!.inline_keyboard[0]![1]!

        assert.strictEqual(
          yield* press(telegram, worker.telegram, offer.message_id, reject.callback_data!),
          "Type the reason"
        )
        const question = telegram.lastMessageTo(worker.telegram.id)!
        assert.strictEqual(question.text, 'Why do you reject "Разморозить холодильник"? Type the reason (or /cancel).')
        assert.isTrue(question.forceReply)
        assert.isDefined(telegram.messagesTo(worker.telegram.id)[0]!.reply_markup, "buttons stay until it is recorded")

        yield* say(telegram, worker.telegram, "   ")
        assert.include(textsTo(telegram, worker.telegram).at(-1)!, "1 to 2,000 characters")
        yield* say(telegram, worker.telegram, "On leave until Monday")
        assert.strictEqual(
          textsTo(telegram, worker.telegram).at(-1),
          "❌ Rejected: Разморозить холодильник. Your reason has been passed on."
        )
        assert.isUndefined(telegram.messagesTo(worker.telegram.id)[0]!.reply_markup)
        const rejected = yield* (yield* Assignments.Assignments).get(assignment.id).pipe(Actor.as(manager.user))
        assert.strictEqual(rejected.status, "rejected")
        assert.deepStrictEqual(rejected.rejectionReason, Option.some("On leave until Monday"))

        // The manager hears of it, in Russian, with the reason.
        assert.deepStrictEqual(yield* deliver, { sent: 1, retrying: 0, failed: 0 })
        const told = telegram.lastMessageTo(manager.telegram.id)!
        assert.include(told.text, "<b>Задача отклонена: Разморозить холодильник</b>")
        assert.include(told.text, "Ivan Petrov отказывается от задачи")
        assert.include(told.text, "Причина: On leave until Monday")

        const history = yield* (yield* AuditLog.AuditLog).history(Tasks.taskSubject(task.id))
        assert.deepStrictEqual(
          history.map((e) => [e.type, e.actorId]),
          [
            ["task.created", manager.user.id],
            ["assignment.offered", manager.user.id],
            ["assignment.rejected", worker.user.id]
          ]
        )
      }).pipe(Effect.provide(domain), Effect.scoped)
  )

  it.live("a forged press for someone else's assignment, or by a stranger, changes nothing", () =>
    Effect.gen(function* () {
      const { telegram, bot, deliver } = yield* world
      yield* polling(bot)
      const manager = yield* linkedPerson("manager")
      const worker = yield* linkedPerson("worker")
      const other = yield* linkedPerson("worker")
      const { assignment } = yield* handOut(manager, worker.user.id, "Inventory")
      yield* handOut(manager, other.user.id, "Something else")
      yield* deliver
      const otherOffer = telegram.lastMessageTo(other.telegram.id)!
      const forged = `a:acc:${assignment.id}`
      assert.strictEqual(
        yield* press(telegram, other.telegram, otherOffer.message_id, forged, { forge: true }),
        "This is not your assignment."
      )
      // The manager may see the assignment, but may not answer it for the worker.
      yield* say(telegram, manager.telegram, "/help")
      const managerMessage = telegram.lastMessageTo(manager.telegram.id)!
      assert.strictEqual(
        yield* press(telegram, manager.telegram, managerMessage.message_id, forged, { forge: true }),
        "This is not your assignment."
      )
      const nobody = stranger()
      yield* say(telegram, nobody, "/help")
      const strangerMessage = telegram.lastMessageTo(nobody.id)!
      assert.include(
        (yield* press(telegram, nobody, strangerMessage.message_id, forged, { forge: true }))!,
        "not linked"
      )
      assert.strictEqual(
        yield* press(telegram, other.telegram, otherOffer.message_id, "a:del:everything", { forge: true }),
        "This button is not valid any more."
      )
      const untouched = yield* (yield* Assignments.Assignments).get(assignment.id).pipe(Actor.as(worker.user))
      assert.strictEqual(untouched.status, "pending")
      assert.isDefined(telegram.lastMessageTo(worker.telegram.id)!.reply_markup, "the worker's own buttons are intact")
      assert.isDefined(otherOffer.reply_markup, "the other's buttons are intact")
    }).pipe(Effect.provide(domain), Effect.scoped)
  )

  it.live("/tasks, /inbox, /request and /requests, /cancel and /help", () =>
    Effect.gen(function* () {
      const { telegram, bot } = yield* world
      yield* polling(bot)
      const manager = yield* linkedPerson("manager")
      const worker = yield* linkedPerson("worker")
      const client = yield* linkedPerson("client", "ru")
      yield* handOut(manager, worker.user.id, "Paint the fence")
      yield* (yield* Tasks.Tasks)
        .create({
          title: "Fix the roof",
          assigneeIds: [worker.user.id],
          dueAt: DateTime.unsafeMake("2026-03-03T10:00:00Z")
        })
        .pipe(Actor.as(manager.user))

      yield* say(telegram, worker.telegram, "/tasks")
      assert.strictEqual(
        textsTo(telegram, worker.telegram).at(-1),
        "Your open tasks:\n• Fix the roof — due 2026-03-03 10:00 UTC"
      )
      yield* say(telegram, worker.telegram, "/inbox")
      const offer = telegram.lastMessageTo(worker.telegram.id)!
      assert.strictEqual(offer.text, "Paint the fence")
      assert.strictEqual(offer.reply_markup!.inline_keyboard[0]!.length, 2)
      yield* say(telegram, worker.telegram, "/request")
      assert.strictEqual(textsTo(telegram, worker.telegram).at(-1), "You may not file repair requests.")

      yield* say(telegram, client.telegram, "/request")
      assert.include(textsTo(telegram, client.telegram).at(-1)!, "Какое устройство")
      yield* say(telegram, client.telegram, "Холодильник")
      yield* say(telegram, client.telegram, "Атлант ХМ-4021")
      yield* say(telegram, client.telegram, "Не морозит морозильная камера")
      const filed = textsTo(telegram, client.telegram).at(-1)!
      assert.match(filed, /^Заявка R-\d{6} подана\./)
      yield* say(telegram, client.telegram, "/requests")
      assert.match(textsTo(telegram, client.telegram).at(-1)!, /^R-\d{6} · Холодильник Атлант ХМ-4021 — новая$/)
      const page = yield* (yield* RepairRequests.RepairRequests).list({}).pipe(Actor.as(client.user))
      assert.strictEqual(page.items[0]!.problemDescription, "Не морозит морозильная камера")

      yield* say(telegram, client.telegram, "/request")
      yield* say(telegram, client.telegram, "/cancel")
      assert.strictEqual(textsTo(telegram, client.telegram).at(-1), "Прервано.")
      yield* say(telegram, client.telegram, "просто текст")
      assert.strictEqual(textsTo(telegram, client.telegram).at(-1), "Не понял. /help — что я умею.")
      yield* say(telegram, client.telegram, "/help@taskdesk_test_bot")
      assert.include(textsTo(telegram, client.telegram).at(-1)!, "/requests — ваши заявки")
    }).pipe(Effect.provide(domain), Effect.scoped)
  )

  it.live("webhook: Telegram's calls with the right secret are handled once; any other secret is refused", () =>
    Effect.gen(function* () {
      const { telegram, bot } = yield* world
      const router = HttpRouter.empty.pipe(HttpRouter.post("/telegram/webhook", bot.webhook))
      yield* HttpServer.serveEffect(router)
      const base = yield* HttpServer.addressFormattedWith((address) => Effect.succeed(address))
      const url = `${base}/telegram/webhook`
      const worker = yield* linkedPerson("worker")

      yield* bot.setWebhook(url)
      assert.deepStrictEqual(telegram.webhook(), { url, secret: Redacted.value(webhookSecret) })
      telegram.send(worker.telegram, "/help")
      yield* telegram.waitFor(() => telegram.webhookAnswers.length === 1)
      assert.deepStrictEqual(telegram.webhookAnswers, [200])
      assert.strictEqual(telegram.messagesTo(worker.telegram.id).length, 1)

      const post = (headers: Record<string, string>, body: unknown) =>
        Effect.promise(() =>
          fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", ...headers },
            body: JSON.stringify(body)
          })
        ).pipe(Effect.map((r) => r.status))
      const update = {
        update_id: 900,
        message: {
          message_id: 1,
          date: 0,
          chat: { id: worker.telegram.id, type: "private" },
          from: { ...worker.telegram, is_bot: false },
          text: "/tasks"
        }
      }
      assert.strictEqual(yield* post({}, update), 401)
      assert.strictEqual(yield* post({ [Bot.secretHeader]: "guess" }, update), 401)
      assert.strictEqual(yield* post({ [Bot.secretHeader]: `${Redacted.value(webhookSecret)}x` }, update), 401)
      assert.strictEqual(telegram.messagesTo(worker.telegram.id).length, 1, "refused calls did nothing")
      const secret = { [Bot.secretHeader]: Redacted.value(webhookSecret) }
      assert.strictEqual(yield* post(secret, { nonsense: true }), 400)
      assert.strictEqual(yield* post(secret, update), 200)
      assert.strictEqual(yield* post(secret, update), 200)
      assert.strictEqual(telegram.messagesTo(worker.telegram.id).length, 2, "a repeated update is handled once")
    }).pipe(
      Effect.provide(domain),
      Effect.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
      Effect.scoped
    )
  )

  it("compares secrets in constant time and refuses when none is configured", () => {
    const secret = Redacted.make("abc_DEF-123")
    assert.isTrue(Bot.secretMatches("abc_DEF-123", secret))
    assert.isFalse(Bot.secretMatches("abc_DEF-124", secret))
    assert.isFalse(Bot.secretMatches("", secret))
    assert.isFalse(Bot.secretMatches(undefined, secret))
    assert.isFalse(Bot.secretMatches("anything", undefined))
    assert.match(Redacted.value(Bot.newWebhookSecret()), /^[A-Za-z0-9_-]{43}$/)
    assert.deepStrictEqual(
      Bot.parseCommand("/start@taskdesk_bot  CODE-1 "),
      Option.some({ command: "start", argument: "CODE-1" })
    )
    assert.isTrue(Option.isNone(Bot.parseCommand("hello /start")))
  })
})
