import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Either, Option, Redacted, Schema } from "effect"
import { type Gate, makeGate } from "./RateLimit.js"

/** A Telegram user, as the Bot API describes them. */
export const TelegramUser = Schema.Struct({
  id: Schema.Number,
  is_bot: Schema.optional(Schema.Boolean),
  first_name: Schema.String,
  last_name: Schema.optional(Schema.String),
  username: Schema.optional(Schema.String),
  language_code: Schema.optional(Schema.String)
})
export type TelegramUser = typeof TelegramUser.Type

export const Chat = Schema.Struct({ id: Schema.Number, type: Schema.String })

export const InlineKeyboardButton = Schema.Struct({
  text: Schema.String,
  callback_data: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String)
})
export type InlineKeyboardButton = typeof InlineKeyboardButton.Type

export const InlineKeyboardMarkup = Schema.Struct({
  inline_keyboard: Schema.Array(Schema.Array(InlineKeyboardButton))
})
export type InlineKeyboardMarkup = typeof InlineKeyboardMarkup.Type

export const Message = Schema.Struct({
  message_id: Schema.Number,
  chat: Chat,
  from: Schema.optional(TelegramUser),
  date: Schema.Number,
  text: Schema.optional(Schema.String),
  reply_markup: Schema.optional(InlineKeyboardMarkup)
})
export type Message = typeof Message.Type

export const CallbackQuery = Schema.Struct({
  id: Schema.String,
  from: TelegramUser,
  message: Schema.optional(Message),
  data: Schema.optional(Schema.String)
})
export type CallbackQuery = typeof CallbackQuery.Type

/** One incoming update; the bot asks only for messages and button presses. */
export const Update = Schema.Struct({
  update_id: Schema.Number,
  message: Schema.optional(Message),
  callback_query: Schema.optional(CallbackQuery)
})
export type Update = typeof Update.Type

/**
 * The Bot API refused or could not be reached. `status` is the HTTP status (0: no answer);
 * `retryAfter` is Telegram's own "wait this many seconds" (429).
 */
export class TelegramError extends Schema.TaggedError<TelegramError>()("TelegramError", {
  method: Schema.String,
  status: Schema.Number,
  description: Schema.String,
  retryAfter: Schema.optional(Schema.Number)
}) {
  /** Worth trying again: no answer, rate limited, or the server's fault. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500
  }
  override get message() {
    return `telegram ${this.method}: ${this.status} ${this.description}${this.retryAfter === undefined ? "" : ` (retry after ${this.retryAfter}s)`}`
  }
}

const Envelope = Schema.Struct({
  ok: Schema.Boolean,
  result: Schema.optional(Schema.Unknown),
  error_code: Schema.optional(Schema.Number),
  description: Schema.optional(Schema.String),
  parameters: Schema.optional(Schema.Struct({ retry_after: Schema.optional(Schema.Number) }))
})

export interface TelegramApiConfig {
  readonly token: Redacted.Redacted<string>
  /** `https://api.telegram.org` unless a fake (or a local Bot API server) stands in. */
  readonly baseUrl?: string | undefined
  /** How long a call waits for a 429 to pass before failing (default 30 s). */
  readonly maxRateLimitWait?: Duration.DurationInput | undefined
}

/**
 * A small typed client of the Telegram Bot API on Effect's HttpClient. The token is part of every
 * URL, so the client keeps URLs out of errors and spans. A 429 blocks further calls to that chat
 * until its `retry_after` has passed (waiting up to `maxRateLimitWait`, else failing at once).
 */
export interface TelegramApi {
  readonly call: <A, I>(
    method: string,
    params: Readonly<Record<string, unknown>>,
    result: Schema.Schema<A, I>
  ) => Effect.Effect<A, TelegramError>
  readonly getMe: Effect.Effect<TelegramUser, TelegramError>
  readonly getUpdates: (params: {
    readonly offset?: number
    readonly timeout?: number
    readonly allowed_updates?: ReadonlyArray<string>
  }) => Effect.Effect<ReadonlyArray<Update>, TelegramError>
  readonly sendMessage: (params: {
    readonly chat_id: number
    readonly text: string
    readonly parse_mode?: "HTML"
    readonly reply_markup?: InlineKeyboardMarkup | { readonly force_reply: true }
    readonly link_preview_options?: { readonly is_disabled: boolean }
  }) => Effect.Effect<Message, TelegramError>
  readonly editMessageText: (params: {
    readonly chat_id: number
    readonly message_id: number
    readonly text: string
    readonly parse_mode?: "HTML"
    readonly reply_markup?: InlineKeyboardMarkup
  }) => Effect.Effect<unknown, TelegramError>
  readonly editMessageReplyMarkup: (params: {
    readonly chat_id: number
    readonly message_id: number
    readonly reply_markup?: InlineKeyboardMarkup
  }) => Effect.Effect<unknown, TelegramError>
  readonly answerCallbackQuery: (params: {
    readonly callback_query_id: string
    readonly text?: string
    readonly show_alert?: boolean
  }) => Effect.Effect<unknown, TelegramError>
  readonly setWebhook: (params: {
    readonly url: string
    readonly secret_token?: string
    readonly allowed_updates?: ReadonlyArray<string>
  }) => Effect.Effect<unknown, TelegramError>
  readonly deleteWebhook: Effect.Effect<unknown, TelegramError>
}

/** Builds the client over the `HttpClient` in context. */
export const make = (config: TelegramApiConfig): Effect.Effect<TelegramApi, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    // The token sits in the URL path: no spans, so it cannot leak into traces.
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerDisabledWhen(() => true))
    const gate: Gate = yield* makeGate(config.maxRateLimitWait ?? Duration.seconds(30))
    const base = `${(config.baseUrl ?? "https://api.telegram.org").replace(/\/+$/, "")}/bot`

    const once = <A, I>(method: string, params: Readonly<Record<string, unknown>>, result: Schema.Schema<A, I>) =>
      Effect.gen(function* () {
        const fail = (status: number, description: string, retryAfter?: number) =>
          new TelegramError({ method, status, description, ...(retryAfter === undefined ? {} : { retryAfter }) })
        const response = yield* client
          .execute(
            HttpClientRequest.post(`${base}${Redacted.value(config.token)}/${method}`).pipe(
              HttpClientRequest.bodyUnsafeJson(params)
            )
          )
          .pipe(Effect.mapError((e) => fail(0, `no answer (${e._tag}${"reason" in e ? ` ${e.reason}` : ""})`)))
        const body = yield* response.json.pipe(
          Effect.flatMap(Schema.decodeUnknown(Envelope)),
          Effect.mapError(() => fail(response.status, "not a Bot API answer"))
        )
        if (!body.ok) {
          return yield* fail(
            body.error_code ?? response.status,
            body.description ?? "refused",
            body.parameters?.retry_after
          )
        }
        return yield* Schema.decodeUnknown(result)(body.result).pipe(
          Effect.mapError(() => fail(response.status, "unexpected result"))
        )
      })

    const call = <A, I>(method: string, params: Readonly<Record<string, unknown>>, result: Schema.Schema<A, I>) => {
      const key = typeof params.chat_id === "number" ? String(params.chat_id) : "*"
      const waitForGate = gate.pass(key).pipe(
        Effect.catchTag("Throttled", (t) =>
          Effect.flatMap(
            Effect.clockWith((clock) => clock.currentTimeMillis),
            (now) =>
              new TelegramError({
                method,
                status: 429,
                description: "rate limited earlier, not retried yet",
                retryAfter: Math.max(Math.ceil((t.until - now) / 1000), 1)
              })
          )
        )
      )
      const send = once(method, params, result).pipe(
        Effect.tapError((e) =>
          e.status === 429 && e.retryAfter !== undefined
            ? Effect.flatMap(
                Effect.clockWith((clock) => clock.currentTimeMillis),
                (now) => gate.block(key, now + e.retryAfter! * 1000)
              )
            : Effect.void
        )
      )
      const attempt = Effect.zipRight(waitForGate, send)
      // After a 429 from Telegram, one more go through the gate (which waits out `retry_after` if it
      // is short enough, else fails at once): longer waits go back to the caller.
      return Effect.zipRight(waitForGate, Effect.either(send)).pipe(
        Effect.flatMap(
          Either.match({
            onRight: (a) => Effect.succeed(a),
            onLeft: (e) => (e.status === 429 ? attempt : Effect.fail(e))
          })
        )
      )
    }

    return {
      call,
      getMe: call("getMe", {}, TelegramUser),
      getUpdates: (params) => call("getUpdates", params, Schema.Array(Update)),
      sendMessage: (params) => call("sendMessage", params, Message),
      editMessageText: (params) => call("editMessageText", params, Schema.Unknown),
      editMessageReplyMarkup: (params) => call("editMessageReplyMarkup", params, Schema.Unknown),
      answerCallbackQuery: (params) => call("answerCallbackQuery", params, Schema.Unknown),
      setWebhook: (params) => call("setWebhook", params, Schema.Unknown),
      deleteWebhook: call("deleteWebhook", {}, Schema.Unknown)
    } satisfies TelegramApi
  })

/** Whether an error only says the edit changed nothing (Telegram refuses no-op edits): safe to ignore. */
export const isNotModified = (error: TelegramError): boolean =>
  error.status === 400 && /not modified/i.test(error.description)

/** The user's language as taskdesk knows it, from Telegram's `language_code`. */
export const languageOf = (user: Option.Option<TelegramUser>): "en" | "ru" | "zh" => {
  const code = Option.flatMap(user, (u) => Option.fromNullable(u.language_code)).pipe(Option.getOrElse(() => "en"))
  return code.startsWith("ru") ? "ru" : code.startsWith("zh") ? "zh" : "en"
}
