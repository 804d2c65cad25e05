import { Context, DateTime, Duration, Effect, Layer, Option, Schema } from "effect"
import { CurrentActor } from "./Actor.js"
import { IdGenerator } from "./IdGenerator.js"
import { NotificationId, type UserId } from "./Ids.js"
import { type Notification, NotificationDraft, type NotificationStatus, pending } from "./Notification.js"
import { traced } from "./Operation.js"
import { Outbox } from "./Outbox.js"
import { ensure, Policy } from "./Policy.js"
import { Transaction } from "./Transaction.js"
import { validate } from "./Validation.js"

/** A channel could not deliver a notification; `permanent` ones are not retried. */
export class DeliveryFailed extends Schema.TaggedError<DeliveryFailed>()("DeliveryFailed", {
  channel: Schema.String,
  message: Schema.String,
  permanent: Schema.Boolean,
  /** The service asked to wait this long before the next try (e.g. Telegram's `retry_after`). */
  retryAfterSeconds: Schema.optional(Schema.Number.pipe(Schema.nonNegative()))
}) {}

/**
 * Delivers notifications somewhere (Telegram, DingTalk, email, a log). A port: adapters provide
 * the real channels; a router over several is itself a channel.
 */
export class NotificationChannel extends Context.Tag("@taskdesk/core/NotificationChannel")<
  NotificationChannel,
  {
    readonly name: string
    readonly deliver: (notification: Notification) => Effect.Effect<void, DeliveryFailed>
  }
>() {
  /** "Delivers" by writing an info log line: for development and for hosts without channels yet. */
  static readonly layerLog: Layer.Layer<NotificationChannel> = Layer.succeed(NotificationChannel, {
    name: "log",
    deliver: (n) =>
      Effect.logInfo(`notification ${n.kind} to ${n.recipientId}: ${n.subject}`).pipe(
        Effect.annotateLogs({ notificationId: n.id, recipientId: n.recipientId, kind: n.kind })
      )
  })
}

/** Delivery attempts before a notification is marked failed. */
export const maxAttempts = 5
/** How long a dispatcher holds the notifications it is delivering. */
const lease = Duration.minutes(5)
/** Waits 30 s, 1 min, 2 min, … (at most an hour) before trying again. */
const retryDelay = (attempts: number) => Duration.seconds(Math.min(30 * 2 ** Math.max(attempts - 1, 0), 3600))

/** How one round of delivery went. */
export interface DeliveryReport {
  readonly sent: number
  readonly retrying: number
  readonly failed: number
}

/**
 * The outbox and its delivery: decisions write notifications with `enqueue` inside their own
 * transaction; `deliverPending` (or the `dispatcher` loop) hands them to the channel.
 */
export class Notifications extends Effect.Service<Notifications>()("@taskdesk/core/Notifications", {
  effect: Effect.gen(function* () {
    const outbox = yield* Outbox
    const tx = yield* Transaction
    const ids = yield* IdGenerator
    const channel = yield* NotificationChannel
    const policy = yield* Policy

    /** Writes notifications to the outbox, joining the caller's transaction if there is one. */
    const enqueue = traced("Notifications.enqueue")(function* (drafts: ReadonlyArray<NotificationDraft>) {
      const now = yield* DateTime.now
      const notifications: Array<Notification> = []
      for (const draft of drafts) {
        const valid = yield* validate(NotificationDraft.fields)(draft)
        notifications.push(
          pending({
            id: NotificationId.make(yield* ids.next),
            recipientId: valid.recipientId,
            kind: valid.kind,
            subject: valid.subject,
            body: valid.body,
            data: valid.data ?? {},
            createdAt: now
          })
        )
      }
      // Fresh ids cannot clash; a clash is a broken IdGenerator.
      yield* tx.run(outbox.insert(notifications)).pipe(Effect.orDie)
      return notifications as ReadonlyArray<Notification>
    })

    /** Delivers up to `limit` pending notifications through the channel, recording each attempt. */
    const deliverPending = traced("Notifications.deliverPending")(function* (limit = 100) {
      const now = yield* DateTime.now
      const batch = yield* outbox.claim(now, DateTime.addDuration(now, lease), limit)
      let sent = 0
      let retrying = 0
      let failed = 0
      for (const n of batch) {
        const result = yield* Effect.either(channel.deliver(n))
        const at = yield* DateTime.now
        if (result._tag === "Right") {
          yield* outbox.record(n.id, { _tag: "Sent", at, channel: channel.name }).pipe(Effect.orDie)
          sent++
          continue
        }
        const attempts = n.attempts + 1
        const retry = !result.left.permanent && attempts < maxAttempts
        yield* outbox
          .record(n.id, {
            _tag: "Failed",
            at,
            error: result.left.message.slice(0, 2_000),
            // The service's own wait wins over our backoff when it is longer.
            retryAt: retry
              ? Option.some(
                  DateTime.addDuration(
                    at,
                    Duration.max(retryDelay(attempts), Duration.seconds(result.left.retryAfterSeconds ?? 0))
                  )
                )
              : Option.none()
          })
          .pipe(Effect.orDie)
        if (retry) retrying++
        else failed++
      }
      return { sent, retrying, failed } as DeliveryReport
    })

    /** Delivers pending notifications every `interval`, for as long as it runs (fork it). */
    const dispatcher = (interval: Duration.DurationInput) =>
      deliverPending().pipe(
        Effect.catchAllCause((cause) => Effect.logError("notification delivery failed", cause)),
        Effect.zipRight(Effect.sleep(interval)),
        Effect.forever
      )

    /** Notifications, newest first: one's own, or anyone's for those who may read the audit log. */
    const list = traced("Notifications.list")(function* (query: {
      readonly recipientId?: UserId | undefined
      readonly kind?: string | undefined
      readonly status?: NotificationStatus | undefined
      readonly limit?: number | undefined
    }) {
      const actor = yield* CurrentActor
      if (query.recipientId !== actor.id) yield* ensure(policy, actor, "event.read")
      return yield* outbox.list({ ...query, limit: Math.min(Math.max(query.limit ?? 50, 1), 500) })
    })

    return { enqueue, deliverPending, dispatcher, list } as const
  })
}) {}
