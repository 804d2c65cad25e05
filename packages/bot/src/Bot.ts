import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { type HttpApp, type HttpClient, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { TelegramApi, TelegramButtons } from "@taskdesk/adapters/notify"
import {
  Actor,
  Assignments,
  type Ids,
  NotificationTemplates,
  Policy,
  RepairRequests,
  Tasks,
  TelegramLinking,
  type User,
  UserRepo
} from "@taskdesk/core"
import { Context, Duration, Effect, Layer, Option, Redacted, Ref, Schema } from "effect"
import { type Texts, texts } from "./Texts.js"

export interface BotConfig {
  readonly telegram: TelegramApi.TelegramApiConfig
  /**
   * The secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token` with every webhook call
   * (`setWebhook`'s `secret_token`: 1–256 of `A-Z a-z 0-9 _ -`). Without one, the webhook refuses everything.
   */
  readonly webhookSecret?: Redacted.Redacted<string> | undefined
  /** Long-polling wait per `getUpdates` (Telegram allows up to 50 s). */
  readonly pollTimeoutSeconds?: number | undefined
  /** How long the bot waits for the answer to its question (a reason, a device). */
  readonly dialogueTimeout?: Duration.DurationInput | undefined
}

/** A question the bot asked in a chat and awaits the answer to. */
type Dialogue =
  | {
      readonly _tag: "RejectReason"
      readonly assignmentId: Ids.AssignmentId
      readonly title: string
      /** The offer message whose buttons go once the reason is recorded. */
      readonly offer: Option.Option<{ readonly chatId: number; readonly messageId: number }>
      readonly since: number
    }
  | {
      readonly _tag: "Request"
      readonly step: "deviceType" | "deviceModel" | "problem"
      readonly deviceType?: string
      readonly deviceModel?: string
      readonly since: number
    }

export interface BotService {
  /** Handles one update: a message or a button press. Never fails; problems are logged and told to the user. */
  readonly handleUpdate: (update: TelegramApi.Update) => Effect.Effect<void>
  /** Long polling for development: fetches and handles updates until interrupted (fork it). */
  readonly poll: Effect.Effect<never>
  /** The webhook route's handler: checks the secret header in constant time, then handles the update. */
  readonly webhook: HttpApp.Default
  /** Points Telegram at `url` for webhook delivery, with the configured secret. */
  readonly setWebhook: (url: string) => Effect.Effect<void, TelegramApi.TelegramError>
  readonly api: TelegramApi.TelegramApi
}

/** The Telegram bot: people see and answer their work as their linked taskdesk user, under the same policy. */
export class Bot extends Context.Tag("@taskdesk/bot/Bot")<Bot, BotService>() {}

/** The header Telegram puts the webhook secret in. */
export const secretHeader = "x-telegram-bot-api-secret-token"

/** A fresh webhook secret: 256 random bits, in the characters Telegram allows. */
export const newWebhookSecret = (): Redacted.Redacted<string> => Redacted.make(randomBytes(32).toString("base64url"))

/** Compares a presented secret with the expected one in time independent of where they differ or their lengths. */
export const secretMatches = (given: string | undefined, expected: Redacted.Redacted<string> | undefined): boolean => {
  if (given === undefined || expected === undefined) return false
  const digest = (s: string) => createHash("sha256").update(s).digest()
  return timingSafeEqual(digest(given), digest(Redacted.value(expected)))
}

/** `/start@my_bot code` → `["/start", "code"]`. */
export const parseCommand = (text: string): Option.Option<{ readonly command: string; readonly argument: string }> => {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim())
  return match === null
    ? Option.none()
    : Option.some({ command: match[1]!.toLowerCase(), argument: (match[2] ?? "").trim() })
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

/** Builds the bot over the core's services and a Telegram client. */
export const make = (config: BotConfig) =>
  Effect.gen(function* () {
    const api = yield* TelegramApi.make(config.telegram)
    const users = yield* UserRepo.UserRepo
    const assignments = yield* Assignments.Assignments
    const tasks = yield* Tasks.Tasks
    const repairs = yield* RepairRequests.RepairRequests
    const linking = yield* TelegramLinking.TelegramLinking
    const policy = yield* Policy.Policy
    const dialogues = yield* Ref.make(new Map<number, Dialogue>())
    const seen = yield* Ref.make<ReadonlyArray<number>>([])
    const dialogueTimeout = Duration.toMillis(config.dialogueTimeout ?? Duration.minutes(30))
    const now = Effect.clockWith((clock) => clock.currentTimeMillis)

    const reply = (
      chatId: number,
      text: string,
      extra: Partial<Parameters<TelegramApi.TelegramApi["sendMessage"]>[0]> = {}
    ) =>
      api.sendMessage({ chat_id: chatId, text: clip(text, 4_096), ...extra }).pipe(
        Effect.tapError((e) => Effect.logWarning(`reply to ${chatId} failed: ${e.message}`)),
        Effect.option
      )

    const removeButtons = (chatId: number, messageId: number) =>
      api
        .editMessageReplyMarkup({ chat_id: chatId, message_id: messageId, reply_markup: { inline_keyboard: [] } })
        .pipe(
          Effect.catchAll((e) =>
            TelegramApi.isNotModified(e) || /not found/i.test(e.description)
              ? Effect.void
              : Effect.logWarning(`could not remove buttons: ${e.message}`)
          )
        )

    const answer = (queryId: string, text: string) =>
      api
        .answerCallbackQuery({ callback_query_id: queryId, text })
        .pipe(Effect.catchAll((e) => Effect.logWarning(`could not answer a button press: ${e.message}`)))

    /** The linked, active taskdesk user of a Telegram account. */
    const userOf = (telegramId: number) =>
      Effect.map(
        users.findByTelegramId(telegramId),
        Option.filter((u) => u.active)
      )

    const dialogueOf = (chatId: number) =>
      Effect.gen(function* () {
        const current = (yield* Ref.get(dialogues)).get(chatId)
        if (current === undefined) return Option.none<Dialogue>()
        if ((yield* now) - current.since > dialogueTimeout) {
          yield* endDialogue(chatId)
          return Option.none<Dialogue>()
        }
        return Option.some(current)
      })
    const startDialogue = (chatId: number, dialogue: Dialogue) =>
      Ref.update(dialogues, (all) => new Map(all).set(chatId, dialogue))
    const endDialogue = (chatId: number) =>
      Ref.update(dialogues, (all) => {
        const next = new Map(all)
        next.delete(chatId)
        return next
      })

    /** One of the user's own assignments with its task, whatever its state; nothing if it is not theirs. */
    const ownAssignment = (user: User.User, assignmentId: string) =>
      assignments.inbox("all").pipe(
        Actor.as(user),
        Effect.map((items) => Option.fromNullable(items.find((i) => i.assignment.id === assignmentId)))
      )

    // —— commands ——

    const start = (chatId: number, from: TelegramApi.TelegramUser, code: string, t: Texts) =>
      Effect.gen(function* () {
        if (code === "") {
          const user = yield* userOf(from.id)
          return yield* Option.match(user, {
            onNone: () => reply(chatId, t.notLinked),
            onSome: (u) => reply(chatId, `${texts[u.language].hello(u.name)}\n\n${texts[u.language].help}`)
          })
        }
        const linked = yield* linking.link(code, from.id).pipe(Effect.option)
        if (Option.isNone(linked)) return yield* reply(chatId, t.badCode)
        const lt = texts[linked.value.language]
        yield* reply(chatId, `${lt.linked(linked.value.name)}\n\n${lt.help}`)
      })

    const listTasks = (chatId: number, user: User.User, t: Texts) =>
      Effect.gen(function* () {
        const page = yield* tasks
          .list({ assigneeId: user.id, status: ["todo", "in_progress"], sort: "due", order: "asc", limit: 20 })
          .pipe(Actor.as(user))
        if (page.items.length === 0) return yield* reply(chatId, t.noTasks)
        const lines = page.items.map(
          (task) =>
            `• ${task.title}${Option.match(task.dueAt, { onNone: () => "", onSome: (d) => ` — ${t.due(NotificationTemplates.formatTime(d))}` })}`
        )
        yield* reply(chatId, [t.tasksHeader, ...lines].join("\n"))
      })

    const inbox = (chatId: number, user: User.User, t: Texts) =>
      Effect.gen(function* () {
        const pending = (yield* assignments.inbox("pending").pipe(Actor.as(user))).slice(0, 10)
        if (pending.length === 0) return yield* reply(chatId, t.noPending)
        for (const item of pending) {
          const due = Option.map(item.assignment.dueAt, NotificationTemplates.formatTime)
          yield* reply(chatId, t.offer(item.task.title, Option.getOrUndefined(due)), {
            reply_markup: TelegramButtons.assignmentKeyboard(item.assignment.id, user.language)
          })
        }
      })

    const listRequests = (chatId: number, user: User.User, t: Texts) =>
      Effect.gen(function* () {
        const mine = (filter: { readonly clientId: User.User["id"] } | { readonly technicianId: User.User["id"] }) =>
          repairs.list({ ...filter, sort: "created", order: "desc", limit: 10 }).pipe(Actor.as(user))
        const filed = yield* mine({ clientId: user.id })
        const worked = user.role === "client" ? [] : (yield* mine({ technicianId: user.id })).items
        const all = [...filed.items, ...worked.filter((r) => !filed.items.some((f) => f.id === r.id))]
          .sort((a, b) => b.number - a.number)
          .slice(0, 10)
        if (all.length === 0) return yield* reply(chatId, t.noRequests)
        yield* reply(chatId, all.map((r) => t.requestLine(r)).join("\n"))
      })

    const mayFile = (user: User.User) =>
      policy.allows(new Actor.Actor({ id: user.id, role: user.role }), "repair.create", new Set())

    // —— dialogues ——

    const recordReason = (
      chatId: number,
      user: User.User,
      t: Texts,
      dialogue: Extract<Dialogue, { _tag: "RejectReason" }>,
      reason: string
    ) =>
      Effect.gen(function* () {
        const result = yield* assignments.reject(dialogue.assignmentId, reason).pipe(Actor.as(user), Effect.either)
        if (result._tag === "Right") {
          yield* endDialogue(chatId)
          if (Option.isSome(dialogue.offer))
            yield* removeButtons(dialogue.offer.value.chatId, dialogue.offer.value.messageId)
          return yield* reply(chatId, t.rejected(dialogue.title))
        }
        const error = result.left
        if (error._tag === "InvalidInput")
          return yield* reply(chatId, t.badReason, { reply_markup: { force_reply: true } })
        yield* endDialogue(chatId)
        if (error._tag === "IllegalTransition") {
          if (Option.isSome(dialogue.offer))
            yield* removeButtons(dialogue.offer.value.chatId, dialogue.offer.value.messageId)
          const current = yield* ownAssignment(user, dialogue.assignmentId)
          return yield* reply(
            chatId,
            Option.match(current, { onNone: () => t.notYours, onSome: (i) => t.already(i.assignment.status) })
          )
        }
        return yield* reply(chatId, t.notYours)
      })

    const continueRequest = (
      chatId: number,
      user: User.User,
      t: Texts,
      dialogue: Extract<Dialogue, { _tag: "Request" }>,
      text: string
    ) =>
      Effect.gen(function* () {
        const answer = text.trim()
        const since = yield* now
        if (dialogue.step === "deviceType") {
          if (answer.length === 0 || answer.length > 100) return yield* reply(chatId, t.tooLong(100))
          yield* startDialogue(chatId, { _tag: "Request", step: "deviceModel", deviceType: answer, since })
          return yield* reply(chatId, t.askModel)
        }
        if (dialogue.step === "deviceModel") {
          if (answer.length === 0 || answer.length > 200) return yield* reply(chatId, t.tooLong(200))
          yield* startDialogue(chatId, { ...dialogue, step: "problem", deviceModel: answer, since })
          return yield* reply(chatId, t.askProblem)
        }
        const created = yield* repairs
          .create({ deviceType: dialogue.deviceType!, deviceModel: dialogue.deviceModel!, problemDescription: answer })
          .pipe(Actor.as(user), Effect.either)
        yield* endDialogue(chatId)
        if (created._tag === "Right") return yield* reply(chatId, t.filed(created.right.reference))
        return yield* reply(chatId, created.left._tag === "Forbidden" ? t.mayNotFile : t.failed)
      })

    // —— updates ——

    const onMessage = (message: TelegramApi.Message) =>
      Effect.gen(function* () {
        const from = message.from
        const text = message.text
        if (from === undefined || text === undefined || message.chat.type !== "private") return
        const chatId = message.chat.id
        const user = yield* userOf(from.id)
        const t =
          texts[
            Option.match(user, { onNone: () => TelegramApi.languageOf(Option.some(from)), onSome: (u) => u.language })
          ]
        const command = parseCommand(text)
        if (Option.isSome(command) && command.value.command === "start") {
          yield* endDialogue(chatId)
          return yield* start(chatId, from, command.value.argument, t)
        }
        if (Option.isSome(command) && command.value.command === "help") return yield* reply(chatId, t.help)
        if (Option.isNone(user)) return yield* reply(chatId, t.notLinked)
        const me = user.value
        if (Option.isSome(command)) {
          const had = Option.isSome(yield* dialogueOf(chatId))
          yield* endDialogue(chatId)
          switch (command.value.command) {
            case "cancel":
              return yield* reply(chatId, had ? t.cancelled : t.nothingToCancel)
            case "tasks":
              return yield* listTasks(chatId, me, t)
            case "inbox":
              return yield* inbox(chatId, me, t)
            case "requests":
              return yield* listRequests(chatId, me, t)
            case "request":
              if (!mayFile(me)) return yield* reply(chatId, t.mayNotFile)
              yield* startDialogue(chatId, { _tag: "Request", step: "deviceType", since: yield* now })
              return yield* reply(chatId, t.askDeviceType)
            default:
              return yield* reply(chatId, t.dontUnderstand)
          }
        }
        const dialogue = yield* dialogueOf(chatId)
        if (Option.isNone(dialogue)) return yield* reply(chatId, t.dontUnderstand)
        return dialogue.value._tag === "RejectReason"
          ? yield* recordReason(chatId, me, t, dialogue.value, text)
          : yield* continueRequest(chatId, me, t, dialogue.value, text)
      })

    /**
     * A button press. Its data is untrusted (a modified client can send anything): the presser must be
     * a linked user whose own assignment it names, and it must still be pending; the core's policy
     * checks again when it changes. A press on an answered assignment changes nothing and says so.
     */
    const onPress = (query: TelegramApi.CallbackQuery) =>
      Effect.gen(function* () {
        const user = yield* userOf(query.from.id)
        const t =
          texts[
            Option.match(user, {
              onNone: () => TelegramApi.languageOf(Option.some(query.from)),
              onSome: (u) => u.language
            })
          ]
        const press = TelegramButtons.decode(query.data)
        if (Option.isNone(press)) return yield* answer(query.id, t.unknownButton)
        if (Option.isNone(user)) return yield* answer(query.id, t.notLinked)
        const me = user.value
        // The message the button sits on, if it is in the presser's own chat (it always is, unless forged).
        const offer = Option.fromNullable(query.message).pipe(
          Option.filter((m) => m.chat.id === query.from.id),
          Option.map((m) => ({ chatId: m.chat.id, messageId: m.message_id }))
        )
        const own = yield* ownAssignment(me, press.value.assignmentId)
        if (Option.isNone(own)) return yield* answer(query.id, t.notYours)
        const { assignment, task } = own.value
        if (assignment.status !== "pending") {
          yield* answer(query.id, t.already(assignment.status))
          if (Option.isSome(offer)) yield* removeButtons(offer.value.chatId, offer.value.messageId)
          return
        }
        if (press.value.action === "reject") {
          yield* startDialogue(query.from.id, {
            _tag: "RejectReason",
            assignmentId: assignment.id,
            title: task.title,
            offer,
            since: yield* now
          })
          yield* answer(query.id, t.reasonPrompt)
          return yield* reply(query.from.id, t.askReason(task.title), { reply_markup: { force_reply: true } })
        }
        const accepted = yield* assignments.accept(assignment.id).pipe(Actor.as(me), Effect.either)
        if (Option.isSome(offer)) yield* removeButtons(offer.value.chatId, offer.value.messageId)
        if (accepted._tag === "Left") {
          const current = yield* ownAssignment(me, assignment.id)
          return yield* answer(
            query.id,
            accepted.left._tag === "IllegalTransition" && Option.isSome(current)
              ? t.already(current.value.assignment.status)
              : t.notYours
          )
        }
        const pending = yield* dialogueOf(query.from.id)
        if (
          Option.isSome(pending) &&
          pending.value._tag === "RejectReason" &&
          pending.value.assignmentId === assignment.id
        ) {
          yield* endDialogue(query.from.id)
        }
        yield* answer(query.id, t.acceptedShort)
        yield* reply(query.from.id, t.accepted(task.title))
      })

    const handleUpdate = (update: TelegramApi.Update): Effect.Effect<void> =>
      Effect.gen(function* () {
        // Telegram may deliver an update twice (a webhook answer that came too late): handle it once.
        const already = yield* Ref.modify(seen, (ids) =>
          ids.includes(update.update_id) ? [true, ids] : [false, [...ids.slice(-999), update.update_id]]
        )
        if (already) return
        if (update.message !== undefined) yield* onMessage(update.message)
        if (update.callback_query !== undefined) yield* onPress(update.callback_query)
      }).pipe(
        Effect.catchAllCause((cause) =>
          Effect.gen(function* () {
            yield* Effect.logError("the bot could not handle an update", cause)
            const chatId = update.message?.chat.id ?? update.callback_query?.from.id
            if (update.callback_query !== undefined) yield* answer(update.callback_query.id, texts.en.failed)
            else if (chatId !== undefined) yield* reply(chatId, texts.en.failed)
          })
        ),
        Effect.annotateLogs({ updateId: update.update_id }),
        Effect.withSpan("Bot.handleUpdate")
      )

    const poll: Effect.Effect<never> = Effect.gen(function* () {
      let offset = 0
      let backoff = 1
      for (;;) {
        const updates = yield* api
          .getUpdates({
            offset,
            timeout: config.pollTimeoutSeconds ?? 25,
            allowed_updates: ["message", "callback_query"]
          })
          .pipe(Effect.either)
        if (updates._tag === "Left") {
          yield* Effect.logWarning(`getUpdates failed: ${updates.left.message}; retrying in ${backoff}s`)
          yield* Effect.sleep(Duration.seconds(updates.left.retryAfter ?? backoff))
          backoff = Math.min(backoff * 2, 30)
          continue
        }
        backoff = 1
        for (const update of updates.right) {
          yield* handleUpdate(update)
          // Confirmed only once handled: a crash in between hands the update over again.
          offset = update.update_id + 1
        }
      }
    })

    const webhook: HttpApp.Default = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (!secretMatches(request.headers[secretHeader], config.webhookSecret)) {
        return HttpServerResponse.empty({ status: 401 })
      }
      const body = yield* request.json.pipe(Effect.option)
      const update = Option.flatMap(body, Schema.decodeUnknownOption(TelegramApi.Update))
      if (Option.isNone(update)) return HttpServerResponse.empty({ status: 400 })
      yield* handleUpdate(update.value)
      return HttpServerResponse.empty({ status: 200 })
    })

    const setWebhook = (url: string) =>
      api
        .setWebhook({
          url,
          allowed_updates: ["message", "callback_query"],
          ...(config.webhookSecret === undefined ? {} : { secret_token: Redacted.value(config.webhookSecret) })
        })
        .pipe(Effect.asVoid)

    return { handleUpdate, poll, webhook, setWebhook, api } satisfies BotService
  })

/** What the bot needs: an HTTP client for Telegram and the core's services and ports. */
export type Requirements =
  | HttpClient.HttpClient
  | UserRepo.UserRepo
  | Assignments.Assignments
  | Tasks.Tasks
  | RepairRequests.RepairRequests
  | TelegramLinking.TelegramLinking
  | Policy.Policy

/** The bot as a service. */
export const layer = (config: BotConfig): Layer.Layer<Bot, never, Requirements> => Layer.effect(Bot, make(config))

/** Runs long polling for as long as the layer lives (development). */
export const layerPolling: Layer.Layer<never, never, Bot> = Layer.scopedDiscard(
  Effect.flatMap(Bot, (bot) => Effect.forkScoped(bot.poll))
)

/**
 * The webhook route for the HTTP server: mount it as a POST route (e.g. `/telegram/webhook`) and
 * provide `Bot.layer(config)`; call `setWebhook(publicUrl)` once to point Telegram at it.
 */
export const webhookHandler: HttpApp.Default<never, Bot> = Effect.flatMap(Bot, (bot) => bot.webhook)
