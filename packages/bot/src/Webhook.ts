import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer } from "effect"
import { Bot } from "./Bot.js"

/** Where Telegram posts updates when the bot runs by webhook. */
export const webhookPath = "/telegram/webhook"

/**
 * The webhook route beside a host's `HttpApi`, `POST /telegram/webhook`: the bot checks
 * `X-Telegram-Bot-Api-Secret-Token` in constant time (401 without the configured secret).
 */
export const route: Layer.Layer<never, never, Bot> = HttpApiBuilder.Router.use((router) =>
  Effect.flatMap(Bot, (bot) => router.post(webhookPath, bot.webhook))
)

/** How the bot starts: by long polling, or by pointing Telegram at the webhook. */
export interface StartOptions {
  /** Long polling instead of the webhook (development; one instance only). */
  readonly polling: boolean
  /** Point Telegram at `<publicUrl>/telegram/webhook` at start. */
  readonly setWebhook: boolean
  /** Where people reach the server; no webhook is set without it. */
  readonly publicUrl?: string | undefined
}

/**
 * At start: long polling when asked (development), or pointing Telegram at the webhook when
 * `setWebhook` is on and the public URL is known. A failing `setWebhook` is logged, not fatal:
 * the host serves on, and the operator can fix the URL and restart.
 */
export const layerStart = (options: StartOptions): Layer.Layer<never, never, Bot> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const bot = yield* Bot
      if (options.polling) {
        yield* Effect.forkScoped(bot.poll)
        yield* Effect.logInfo("telegram bot: long polling")
      } else if (options.setWebhook && options.publicUrl !== undefined) {
        const url = `${options.publicUrl.replace(/\/$/, "")}${webhookPath}`
        yield* bot.setWebhook(url).pipe(
          Effect.zipRight(Effect.logInfo(`telegram bot: webhook set to ${url}`)),
          Effect.catchAll((error) => Effect.logError(`telegram bot: setWebhook failed: ${error.message}`))
        )
      }
    })
  )
