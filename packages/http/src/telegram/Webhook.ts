import { HttpApiBuilder } from "@effect/platform"
import { Bot } from "@taskdesk/bot"
import { Effect, Layer } from "effect"
import type { Settings } from "../Config.js"

/** Where Telegram posts updates when the bot runs by webhook. */
export const webhookPath = "/telegram/webhook"

/** The bot, when a token is configured. */
export const botConfig = (settings: Settings): Bot.BotConfig | undefined => {
  const token = settings.security.telegramBotToken
  if (token === undefined) return undefined
  return {
    telegram: { token, baseUrl: settings.telegram.apiUrl },
    webhookSecret: settings.telegram.webhookSecret
  }
}

/**
 * The webhook route beside the API, `POST /telegram/webhook`: the bot checks
 * `X-Telegram-Bot-Api-Secret-Token` in constant time (401 without the configured secret).
 */
export const route: Layer.Layer<never, never, Bot.Bot> = HttpApiBuilder.Router.use((router) =>
  Effect.flatMap(Bot.Bot, (bot) => router.post(webhookPath, bot.webhook))
)

/**
 * At start: long polling when configured (development), or pointing Telegram at the webhook when
 * `set_webhook` is on and the public URL is known. A failing `setWebhook` is logged, not fatal:
 * the API serves on, and the operator can fix the URL and restart.
 */
export const layerStart = (settings: Settings): Layer.Layer<never, never, Bot.Bot> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const bot = yield* Bot.Bot
      if (settings.telegram.polling) {
        yield* Effect.forkScoped(bot.poll)
        yield* Effect.logInfo("telegram bot: long polling")
      } else if (settings.telegram.setWebhook && settings.publicUrl !== undefined) {
        const url = `${settings.publicUrl.replace(/\/$/, "")}${webhookPath}`
        yield* bot.setWebhook(url).pipe(
          Effect.zipRight(Effect.logInfo(`telegram bot: webhook set to ${url}`)),
          Effect.catchAll((error) => Effect.logError(`telegram bot: setWebhook failed: ${error.message}`))
        )
      }
    })
  )
