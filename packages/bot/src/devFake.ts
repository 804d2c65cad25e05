/**
 * `pnpm --filter @taskdesk/bot dev:fake`: the bot against a fake Telegram, on taskdesk in memory with
 * demo people and work. You type as a Telegram user; the console prints what the bot sends them.
 */
import { createInterface } from "node:readline"
import { FetchHttpClient } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import * as Notify from "@taskdesk/adapters/notify"
import { FakeTelegram } from "@taskdesk/adapters/testing"
import {
  Actor,
  Assignments,
  type Ids,
  MemoryStorage,
  NotificationRules,
  Notifications,
  TaskDesk,
  Tasks,
  TelegramLinking,
  type User,
  Users
} from "@taskdesk/core"
import { Context, Effect, Layer, Logger, LogLevel, Redacted, Runtime } from "effect"
import * as Bot from "./Bot.js"

const domain = TelegramLinking.TelegramLinking.Default.pipe(
  Layer.provideMerge(
    TaskDesk.layer.pipe(
      Layer.provideMerge(
        NotificationRules.withRules(MemoryStorage.layer).pipe(Layer.provideMerge(TaskDesk.layerDefaults))
      )
    )
  ),
  Layer.provideMerge(Notify.TelegramLinkCodes.layerMemory),
  Layer.provideMerge(FetchHttpClient.layer)
)

interface Person {
  readonly key: string
  readonly user: User.User
  readonly telegram: { readonly id: number; readonly first_name: string; readonly language_code: string }
}

/** Telegram's HTML as plain console text. */
const plain = (html: string) =>
  html
    .replace(/<a href="([^"]*)">([^<]*)<\/a>/g, "$2 ($1)")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")

const program = Effect.gen(function* () {
  const telegram = yield* FakeTelegram.make()
  const config = { token: Redacted.make(telegram.token), baseUrl: telegram.url }
  const bot = yield* Bot.make({ telegram: config, pollTimeoutSeconds: 10 })
  const channel = Notify.TelegramChannel.make(yield* Notify.TelegramApi.make(config), {
    publicBaseUrl: "http://localhost:8080"
  })
  const notifications = Context.get(
    yield* Layer.build(
      Notifications.Notifications.Default.pipe(
        Layer.provide(Notify.Router.layer(Effect.succeed({ channels: [channel] })))
      )
    ),
    Notifications.Notifications
  )

  const users = yield* Users.Users
  const make = (key: string, name: string, role: User.User["role"], language: User.Language, telegramId?: number) =>
    users
      .create({
        name,
        username: key,
        role,
        language,
        ...(telegramId === undefined ? {} : { telegramId })
      })
      .pipe(
        Actor.asSystem,
        Effect.orDie,
        Effect.map(
          (user): Person => ({
            key,
            user,
            telegram: { id: telegramId ?? 2000, first_name: name.split(" ")[0]!, language_code: language }
          })
        )
      )
  const people: ReadonlyArray<Person> = [
    yield* make("anna", "Анна Смирнова", "manager", "ru", 1001),
    yield* make("ivan", "Иван Петров", "worker", "ru", 1002),
    yield* make("wang", "王伟", "worker", "zh", 1003),
    yield* make("olga", "Ольга Клиентова", "client", "ru", 1004),
    yield* make("petr", "Petr Unlinked", "worker", "en")
  ]
  const byKey = (key: string) => people.find((p) => p.key === key)
  const anna = byKey("anna")!

  const handOut = (assignee: Person, title: string) =>
    Effect.gen(function* () {
      const task = yield* (yield* Tasks.Tasks).create({ title }).pipe(Actor.as(anna.user))
      yield* (yield* Assignments.Assignments)
        .batch({ items: [{ taskId: task.id, assigneeId: assignee.user.id as Ids.UserId }] })
        .pipe(Actor.as(anna.user))
    }).pipe(Effect.orDie)
  yield* handOut(byKey("ivan")!, "Разморозить холодильник")
  yield* handOut(byKey("wang")!, "写周报")

  yield* Effect.forkScoped(bot.poll)
  yield* Effect.forkScoped(notifications.dispatcher("500 millis"))

  let current = byKey("ivan")!
  let buttons: Array<{ readonly messageId: number; readonly data: string; readonly text: string }> = []
  const shown = new Map<number, string>()
  let answers = 0

  const out = (line: string) => {
    process.stdout.write(`\r\x1b[K${line}\n`)
    rl.prompt(true)
  }

  /** Prints what the bot sent or changed since last time, and keeps the current user's latest buttons. */
  const show = () => {
    for (const person of people) {
      for (const m of telegram.messagesTo(person.telegram.id)) {
        const keyboard = m.reply_markup?.inline_keyboard.flat() ?? []
        const state = `${m.text}|${JSON.stringify(keyboard)}`
        const before = shown.get(m.message_id)
        if (before === state) continue
        shown.set(m.message_id, state)
        if (before !== undefined) {
          out(`  (bot edited its message to ${person.key}: ${keyboard.length === 0 ? "buttons removed" : "changed"})`)
          continue
        }
        out(`\x1b[36m[bot → ${person.key}]\x1b[0m ${plain(m.text).replace(/\n/g, "\n    ")}`)
        if (keyboard.length > 0 && person.key === current.key) {
          buttons = keyboard.flatMap((b) =>
            b.callback_data === undefined ? [] : [{ messageId: m.message_id, data: b.callback_data, text: b.text }]
          )
          out(`    ${buttons.map((b, i) => `[${i + 1}] ${b.text}`).join("   ")}   (:press <n>)`)
        }
      }
    }
    const all = [...telegram.callbackAnswers.values()]
    for (const a of all.slice(answers)) out(`\x1b[33m  (toast)\x1b[0m ${a.text ?? ""}`)
    answers = all.length
  }

  const help = () =>
    out(
      [
        "Type as the current Telegram user (try /help, /inbox, /tasks, /request, /requests).",
        "Console commands:",
        "  :as <anna|ivan|wang|olga|petr>  switch user (petr is not linked yet)",
        "  :press <n>                       press button n of the last message with buttons",
        "  :assign <who> <title>            Anna hands <who> a new task (its notification follows)",
        "  :code                            a link code for petr (then :as petr and /start <code>)",
        "  :who   :help   :quit"
      ].join("\n")
    )

  const runtime = yield* Effect.runtime<Tasks.Tasks | Assignments.Assignments | TelegramLinking.TelegramLinking>()
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  const setPrompt = () => rl.setPrompt(`${current.key}> `)
  setPrompt()
  out(`Fake Telegram at ${telegram.url}. You are ${current.key} (${current.user.name}).`)
  help()
  const ticker = setInterval(show, 150)

  const handle = (
    line: string
  ): Effect.Effect<void, never, Tasks.Tasks | Assignments.Assignments | TelegramLinking.TelegramLinking> =>
    Effect.gen(function* () {
      const text = line.trim()
      if (text === "") return
      if (!text.startsWith(":")) {
        telegram.send(current.telegram, text)
        return
      }
      const [command, ...rest] = text.slice(1).split(/\s+/)
      switch (command) {
        case "as": {
          const next = byKey(rest[0] ?? "")
          if (next === undefined) return out(`no such person; :who lists them`)
          current = next
          buttons = []
          setPrompt()
          return out(`now ${current.key} (${current.user.name}, Telegram ${current.telegram.id})`)
        }
        case "press": {
          const button = buttons[Number(rest[0]) - 1]
          if (button === undefined) return out("no such button")
          telegram.press(current.telegram, button.messageId, button.data, { forge: true })
          return
        }
        case "assign": {
          const who = byKey(rest[0] ?? "")
          if (who === undefined || rest.length < 2) return out("usage: :assign <who> <title>")
          yield* handOut(who, rest.slice(1).join(" "))
          return out(`Anna handed "${rest.slice(1).join(" ")}" to ${who.key}`)
        }
        case "code": {
          const petr = byKey("petr")!
          const { code } = yield* (yield* TelegramLinking.TelegramLinking)
            .issue()
            .pipe(Actor.as(petr.user), Effect.orDie)
          return out(`link code for petr: ${code}   (:as petr, then /start ${code})`)
        }
        case "who":
          return out(people.map((p) => `${p.key}: ${p.user.name}, ${p.user.role}, ${p.user.language}`).join("\n"))
        case "help":
          return help()
        case "quit":
          return rl.close()
        default:
          return out("unknown command; :help")
      }
    }).pipe(Effect.catchAllCause((cause) => Effect.sync(() => out(`error: ${cause}`))))

  rl.on("line", (line) => Runtime.runFork(runtime)(handle(line)))
  rl.prompt()
  yield* Effect.async<void>((resume) => {
    rl.on("close", () => resume(Effect.void))
  })
  clearInterval(ticker)
})

program.pipe(Effect.scoped, Effect.provide(domain), Logger.withMinimumLogLevel(LogLevel.Error), NodeRuntime.runMain)
