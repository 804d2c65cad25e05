import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { ReturnsSecret } from "../ReturnsSecret.js"

/** A one-time code linking the caller's Telegram account: send it to the bot as `/start <code>`. */
export class TelegramLink extends Schema.Class<TelegramLink>("TelegramLink")({
  code: Schema.String,
  expiresAt: Schema.DateTimeUtc,
  /** `https://t.me/<bot>?start=<code>`: opens the bot with the code; absent when the bot's username is not configured. */
  link: Schema.optional(Schema.String)
}) {}

/** Linking one's Telegram account to the bot. */
export class TelegramApi extends HttpApiGroup.make("telegram")
  .add(
    HttpApiEndpoint.post("link", "/me/telegram-link")
      .addSuccess(TelegramLink, { status: 201 })
      .annotate(ReturnsSecret, true)
  )
  .add(HttpApiEndpoint.del("unlink", "/me/telegram-link").addSuccess(HttpApiSchema.NoContent))
  .middleware(Authentication)
  .prefix("/api") {}
