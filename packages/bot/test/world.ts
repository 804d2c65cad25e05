import { FetchHttpClient } from "@effect/platform"
import * as Notify from "@taskdesk/adapters/notify"
import { FakeTelegram } from "@taskdesk/adapters/testing"
import {
  Actor,
  MemoryStorage,
  NotificationRules,
  Notifications,
  type Role,
  TaskDesk,
  TelegramLinking,
  Users
} from "@taskdesk/core"
import { uniqueId } from "@taskdesk/core/testing"
import { Context, Effect, Layer, Redacted } from "effect"
import * as Bot from "../src/Bot.js"

/**
 * taskdesk in memory with the notification rules on, Telegram linking, and an HTTP client: what a
 * host would run the bot on.
 */
export const domain = TelegramLinking.TelegramLinking.Default.pipe(
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

export const webhookSecret = Redacted.make("test-webhook-secret_0123")

/** A fake Telegram, the bot on it (not yet polling), and a dispatcher delivering notifications there. */
export const world = Effect.gen(function* () {
  const telegram = yield* FakeTelegram.make()
  const telegramConfig = { token: Redacted.make(telegram.token), baseUrl: telegram.url }
  const bot = yield* Bot.make({ telegram: telegramConfig, webhookSecret, pollTimeoutSeconds: 1 })
  const channel = Notify.TelegramChannel.make(yield* Notify.TelegramApi.make(telegramConfig), {
    publicBaseUrl: "https://desk.example.org"
  })
  const notifications = Context.get(
    yield* Layer.build(
      Notifications.Notifications.Default.pipe(
        Layer.provide(Notify.Router.layer(Effect.succeed({ channels: [channel] })))
      )
    ),
    Notifications.Notifications
  )
  /** Delivers what the outbox holds, as the dispatcher loop would. */
  const deliver = notifications.deliverPending()
  return { telegram, bot, deliver }
})

/** Starts long polling for the rest of the scope. */
export const polling = (bot: Bot.BotService) => Effect.asVoid(Effect.forkScoped(bot.poll))

let nextTelegramId = 10_000

/** A person with a linked Telegram account (`telegram` is their Telegram user). */
export const linkedPerson = (role: Role.Role, language: "en" | "ru" | "zh" = "en", name = `${role} ${uniqueId("p")}`) =>
  Effect.gen(function* () {
    const telegramId = nextTelegramId++
    const user = yield* (yield* Users.Users)
      .create({ name, username: uniqueId(role).replace(/-/g, "_"), role, language, telegramId })
      .pipe(Actor.asSystem, Effect.orDie)
    return { user, telegram: { id: telegramId, first_name: name.split(" ")[0]!, language_code: language } }
  })

/** A person without a Telegram link. */
export const unlinkedPerson = (
  role: Role.Role,
  language: "en" | "ru" | "zh" = "en",
  name = `${role} ${uniqueId("p")}`
) =>
  Effect.flatMap(Users.Users, (users) =>
    users
      .create({ name, username: uniqueId(role).replace(/-/g, "_"), role, language })
      .pipe(Actor.asSystem, Effect.orDie)
  )

/** A Telegram user nobody linked yet. */
export const stranger = (language = "en") => ({ id: nextTelegramId++, first_name: "Stranger", language_code: language })
