import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"

/** A Telegram user the fake knows; `id` is also their private chat's id. */
export interface FakeUser {
  readonly id: number
  readonly first_name: string
  readonly username?: string
  readonly language_code?: string
}

export interface Button {
  readonly text: string
  readonly callback_data?: string
  readonly url?: string
}

/** A message in a chat, as it stands now (edits apply to it). */
export interface FakeMessage {
  message_id: number
  chat: { id: number; type: "private" }
  from: FakeUser & { is_bot: boolean }
  date: number
  text: string
  reply_markup?: { inline_keyboard: ReadonlyArray<ReadonlyArray<Button>> } | undefined
  /** Whether the bot asked the client to reply to it (`force_reply`). */
  forceReply: boolean
}

/** One call the bot made, in order. */
export interface Call {
  readonly method: string
  readonly params: Record<string, unknown>
}

/** A scripted failure for the next call(s) of a method. */
export interface Failure {
  readonly status: number
  readonly description?: string
  /** For 429: the `retry_after` seconds Telegram asks for. */
  readonly retryAfter?: number
}

export interface FakeTelegramOptions {
  readonly token?: string
  /** Telegram's limit on text length. */
  readonly maxText?: number
}

/**
 * A fake Telegram Bot API on 127.0.0.1 that speaks the real protocol: `/bot<token>/<method>` with
 * JSON or form bodies and `{ ok, result | error_code, description, parameters.retry_after }`
 * answers; `getUpdates` with `offset` (confirming earlier updates) and `timeout` (long polling);
 * or, after `setWebhook`, POSTs of each update with `X-Telegram-Bot-Api-Secret-Token`. Tests play
 * the users: they send messages and press buttons, and read what the bot sent.
 */
export interface FakeTelegram {
  /** The base URL to give the client instead of `https://api.telegram.org`. */
  readonly url: string
  readonly token: string
  readonly bot: FakeUser
  /** Every call, in order (including failed ones). */
  readonly calls: ReadonlyArray<Call>
  readonly callsTo: (method: string) => ReadonlyArray<Record<string, unknown>>
  /** The bot's messages in a chat, oldest first, as edited since. */
  readonly messagesTo: (chatId: number) => ReadonlyArray<FakeMessage>
  /** The last message the bot sent to a chat. */
  readonly lastMessageTo: (chatId: number) => FakeMessage | undefined
  /** Answers the bot gave to button presses, by callback query id. */
  readonly callbackAnswers: ReadonlyMap<string, { readonly text?: string; readonly show_alert?: boolean }>
  /** The user writes to the bot. */
  readonly send: (from: FakeUser, text: string) => number
  /**
   * The user presses a button on one of the bot's messages in their chat. With `forge`, any data
   * goes (a modified client); otherwise the message must carry a button with that data.
   */
  readonly press: (from: FakeUser, messageId: number, data: string, options?: { readonly forge?: boolean }) => string
  /** Fails the next `times` calls of `method` as given. */
  readonly failNext: (method: string, failure: Failure, times?: number) => void
  /** The user blocks the bot: sends to them fail with 403. */
  readonly block: (chatId: number) => void
  /** Updates not yet confirmed by `getUpdates` (or not yet accepted by the webhook). */
  readonly pendingUpdates: () => number
  /** The webhook set with `setWebhook`, if any, and the status codes it answered. */
  readonly webhook: () => { readonly url: string; readonly secret?: string } | undefined
  readonly webhookAnswers: ReadonlyArray<number>
  /** Resolves once `predicate` holds (checked after every call), or fails after `timeoutMs`. */
  readonly waitFor: (predicate: () => boolean, timeoutMs?: number) => Effect.Effect<void, Error>
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

/** Telegram's HTML parse mode: only these tags, and `<`, `>`, `&` escaped elsewhere. */
const htmlProblem = (text: string): string | undefined => {
  const stripped = text.replace(/<\/?(b|strong|i|em|u|s|code|pre)>|<a href="[^"<>]*">|<\/a>/g, "")
  if (/[<>]/.test(stripped)) return "Bad Request: can't parse entities: unsupported start tag"
  if (/&(?!(lt|gt|amp|quot);)/.test(stripped)) return "Bad Request: can't parse entities: unescaped &"
  return undefined
}

/** Starts the fake on a random port for the scope's lifetime. */
export const make = (options: FakeTelegramOptions = {}): Effect.Effect<FakeTelegram, never, Scope.Scope> =>
  Effect.gen(function* () {
    const token = options.token ?? "123456:TEST-token_abc"
    const maxText = options.maxText ?? 4096
    const bot = { id: 999_000_001, first_name: "taskdesk", username: "taskdesk_test_bot", is_bot: true }
    const calls: Array<Call> = []
    const chats = new Map<number, Array<FakeMessage>>()
    const callbackAnswers = new Map<string, { text?: string; show_alert?: boolean }>()
    const openQueries = new Set<string>()
    const failures = new Map<string, Array<Failure>>()
    const blocked = new Set<number>()
    let updates: Array<{ update_id: number; [key: string]: unknown }> = []
    let nextUpdateId = 1
    let nextMessageId = 1
    let nextQueryId = 1
    let hook: { url: string; secret?: string } | undefined
    const webhookAnswers: Array<number> = []
    const pollers = new Set<() => void>()
    const watchers = new Set<() => void>()
    const changed = () => {
      for (const w of [...watchers]) w()
    }
    const now = () => Math.floor(Date.now() / 1000)

    const postToHook = async (update: { update_id: number }) => {
      if (hook === undefined) return
      try {
        const response = await fetch(hook.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(hook.secret === undefined ? {} : { "x-telegram-bot-api-secret-token": hook.secret })
          },
          body: JSON.stringify(update)
        })
        webhookAnswers.push(response.status)
        if (response.ok) updates = updates.filter((u) => u.update_id !== update.update_id)
      } catch {
        webhookAnswers.push(0)
      }
      changed()
    }

    const enqueue = (payload: Record<string, unknown>) => {
      const update = { update_id: nextUpdateId++, ...payload }
      updates.push(update)
      for (const wake of [...pollers]) wake()
      if (hook !== undefined) void postToHook(update)
      changed()
      return update.update_id
    }

    const findMessage = (chatId: number, messageId: number) =>
      chats.get(chatId)?.find((m) => m.message_id === messageId)

    type Answer =
      | { ok: true; result: unknown }
      | { ok: false; status: number; description: string; retryAfter?: number }
    const ok = (result: unknown): Answer => ({ ok: true, result })
    const bad = (description: string, status = 400): Answer => ({ ok: false, status, description })

    const methods: Record<string, (p: Record<string, unknown>) => Answer | Promise<Answer>> = {
      getMe: () => ok(bot),
      getUpdates: async (p) => {
        if (hook !== undefined) return bad("Conflict: can't use getUpdates method while webhook is active", 409)
        const offset = Number(p.offset ?? 0)
        if (offset > 0) {
          updates = updates.filter((u) => u.update_id >= offset)
          changed()
        }
        const limit = Math.min(Math.max(Number(p.limit ?? 100), 1), 100)
        const timeout = Math.min(Math.max(Number(p.timeout ?? 0), 0), 50)
        if (updates.length === 0 && timeout > 0) {
          await new Promise<void>((resolve) => {
            const wake = () => {
              pollers.delete(wake)
              clearTimeout(timer)
              resolve()
            }
            const timer = setTimeout(wake, timeout * 1000)
            pollers.add(wake)
          })
        }
        return ok(updates.slice(0, limit))
      },
      sendMessage: (p) => {
        const chatId = Number(p.chat_id)
        const text = String(p.text ?? "")
        if (blocked.has(chatId)) return bad("Forbidden: bot was blocked by the user", 403)
        if (!Number.isInteger(chatId) || chatId <= 0) return bad("Bad Request: chat not found")
        if (text.length === 0) return bad("Bad Request: message text is empty")
        if (text.length > maxText) return bad("Bad Request: message is too long")
        if (p.parse_mode === "HTML") {
          const problem = htmlProblem(text)
          if (problem !== undefined) return bad(problem)
        }
        const markup = p.reply_markup as Record<string, unknown> | undefined
        const message: FakeMessage = {
          message_id: nextMessageId++,
          chat: { id: chatId, type: "private" },
          from: bot,
          date: now(),
          text,
          reply_markup:
            markup !== undefined && Array.isArray(markup.inline_keyboard)
              ? (markup as FakeMessage["reply_markup"])
              : undefined,
          forceReply: markup?.force_reply === true
        }
        chats.set(chatId, [...(chats.get(chatId) ?? []), message])
        return ok(message)
      },
      editMessageText: (p) => {
        const message = findMessage(Number(p.chat_id), Number(p.message_id))
        if (message === undefined) return bad("Bad Request: message to edit not found")
        const markup = p.reply_markup as FakeMessage["reply_markup"]
        if (message.text === p.text && JSON.stringify(message.reply_markup) === JSON.stringify(markup)) {
          return bad("Bad Request: message is not modified")
        }
        message.text = String(p.text)
        message.reply_markup = markup
        return ok(message)
      },
      editMessageReplyMarkup: (p) => {
        const message = findMessage(Number(p.chat_id), Number(p.message_id))
        if (message === undefined) return bad("Bad Request: message to edit not found")
        const markup = p.reply_markup as FakeMessage["reply_markup"]
        const empty = (m: FakeMessage["reply_markup"]) => m === undefined || m.inline_keyboard.length === 0
        if (
          JSON.stringify(message.reply_markup) === JSON.stringify(markup) ||
          (empty(markup) && empty(message.reply_markup))
        ) {
          return bad("Bad Request: message is not modified")
        }
        message.reply_markup = empty(markup) ? undefined : markup
        return ok(message)
      },
      answerCallbackQuery: (p) => {
        const id = String(p.callback_query_id)
        if (!openQueries.has(id)) {
          return bad("Bad Request: query is too old and response timeout expired or query ID is invalid")
        }
        openQueries.delete(id)
        callbackAnswers.set(id, {
          ...(p.text === undefined ? {} : { text: String(p.text) }),
          ...(p.show_alert === undefined ? {} : { show_alert: Boolean(p.show_alert) })
        })
        return ok(true)
      },
      setWebhook: (p) => {
        const url = String(p.url ?? "")
        if (url === "") {
          hook = undefined
          return ok(true)
        }
        const secret = p.secret_token === undefined ? undefined : String(p.secret_token)
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
          return bad("Bad Request: secret token contains unallowed characters")
        }
        hook = { url, ...(secret === undefined ? {} : { secret }) }
        for (const update of updates) void postToHook(update)
        return ok(true)
      },
      deleteWebhook: () => {
        hook = undefined
        return ok(true)
      }
    }

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname)
      if (match === null) return json(res, 404, { ok: false, error_code: 404, description: "Not Found" })
      const raw = await readBody(req)
      let params: Record<string, unknown> = Object.fromEntries(url.searchParams)
      if (raw.length > 0) {
        const type = req.headers["content-type"] ?? ""
        params = {
          ...params,
          ...(type.includes("json")
            ? (JSON.parse(raw) as Record<string, unknown>)
            : Object.fromEntries(new URLSearchParams(raw)))
        }
      }
      const method = match[2]!
      calls.push({ method, params })
      if (match[1] !== token) return json(res, 401, { ok: false, error_code: 401, description: "Unauthorized" })
      const scripted = failures.get(method)
      const failure = scripted?.shift()
      const answer: Answer =
        failure !== undefined
          ? {
              ok: false,
              status: failure.status,
              description:
                failure.description ??
                (failure.status === 429
                  ? `Too Many Requests: retry after ${failure.retryAfter ?? 1}`
                  : "Internal Server Error"),
              ...(failure.retryAfter === undefined ? {} : { retryAfter: failure.retryAfter })
            }
          : methods[method] === undefined
            ? bad("Not Found: method not found", 404)
            : await methods[method]!(params)
      if (answer.ok) json(res, 200, { ok: true, result: answer.result })
      else
        json(res, answer.status, {
          ok: false,
          error_code: answer.status,
          description: answer.description,
          ...(answer.retryAfter === undefined ? {} : { parameters: { retry_after: answer.retryAfter } })
        })
      changed()
    }

    const server: Server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) =>
        json(res, 500, { ok: false, error_code: 500, description: String(error) })
      )
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const wake of [...pollers]) wake()
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )

    const fake: FakeTelegram = {
      url: `http://127.0.0.1:${port}`,
      token,
      bot,
      calls,
      callsTo: (method) => calls.filter((c) => c.method === method).map((c) => c.params),
      messagesTo: (chatId) => chats.get(chatId) ?? [],
      lastMessageTo: (chatId) => chats.get(chatId)?.at(-1),
      callbackAnswers,
      send: (from, text) => {
        const entities = text.startsWith("/")
          ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]!.length }]
          : undefined
        return enqueue({
          message: {
            message_id: nextMessageId++,
            from: { ...from, is_bot: false },
            chat: { id: from.id, type: "private" },
            date: now(),
            text,
            ...(entities === undefined ? {} : { entities })
          }
        })
      },
      press: (from, messageId, data, pressOptions = {}) => {
        const message = findMessage(from.id, messageId)
        if (message === undefined) throw new Error(`no bot message ${messageId} in chat ${from.id}`)
        const offered = message.reply_markup?.inline_keyboard.flat().some((b) => b.callback_data === data) ?? false
        if (!offered && pressOptions.forge !== true) throw new Error(`message ${messageId} has no button "${data}"`)
        const id = String(nextQueryId++)
        openQueries.add(id)
        enqueue({
          callback_query: { id, from: { ...from, is_bot: false }, message, chat_instance: String(from.id), data }
        })
        return id
      },
      failNext: (method, failure, times = 1) => {
        failures.set(method, [...(failures.get(method) ?? []), ...Array.from({ length: times }, () => failure)])
      },
      block: (chatId) => {
        blocked.add(chatId)
      },
      pendingUpdates: () => updates.length,
      webhook: () => hook,
      webhookAnswers,
      waitFor: (predicate, timeoutMs = 5_000) =>
        Effect.async<void, Error>((resume) => {
          if (predicate()) return resume(Effect.void)
          const check = () => {
            if (!predicate()) return
            watchers.delete(check)
            clearTimeout(timer)
            resume(Effect.void)
          }
          const timer = setTimeout(() => {
            watchers.delete(check)
            resume(Effect.fail(new Error(`FakeTelegram: condition not met within ${timeoutMs} ms`)))
          }, timeoutMs)
          watchers.add(check)
          return Effect.sync(() => {
            watchers.delete(check)
            clearTimeout(timer)
          })
        })
    }
    return fake
  })
