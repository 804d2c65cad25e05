import { Context, type DateTime, type Effect, type Option } from "effect"
import type { DuplicateKey, NotFound } from "./Errors.js"
import type { NotificationId, UserId } from "./Ids.js"
import type { Notification, NotificationStatus } from "./Notification.js"

/** How one delivery attempt ended. */
export type Attempt =
  | { readonly _tag: "Sent"; readonly at: DateTime.Utc; readonly channel: string }
  | {
      readonly _tag: "Failed"
      readonly at: DateTime.Utc
      readonly error: string
      /** When to try again; none gives up and marks the notification failed. */
      readonly retryAt: Option.Option<DateTime.Utc>
    }

/** Which notifications to list, newest first (created time, then id); all given filters must hold. */
export interface OutboxQuery {
  readonly recipientId?: UserId | undefined
  readonly kind?: string | undefined
  readonly status?: NotificationStatus | undefined
  readonly limit: number
}

/**
 * Storage port for the notification outbox. `insert` joins the caller's transaction, so a
 * notification exists exactly when the decision that produced it was committed.
 */
export class Outbox extends Context.Tag("@taskdesk/core/Outbox")<
  Outbox,
  {
    readonly insert: (notifications: ReadonlyArray<Notification>) => Effect.Effect<void, DuplicateKey>
    readonly findById: (id: NotificationId) => Effect.Effect<Option.Option<Notification>>
    /**
     * Takes up to `limit` pending notifications that nobody holds at `now` (oldest first) and holds
     * them until `until`, so two dispatchers never deliver the same one at once
     * (SQL: `FOR UPDATE SKIP LOCKED`). A holder that dies releases them when `until` passes.
     */
    readonly claim: (
      now: DateTime.Utc,
      until: DateTime.Utc,
      limit: number
    ) => Effect.Effect<ReadonlyArray<Notification>>
    /** Records a delivery attempt: counts it, and marks the notification sent, failed, or due again at `retryAt`. */
    readonly record: (id: NotificationId, attempt: Attempt) => Effect.Effect<Notification, NotFound>
    readonly list: (query: OutboxQuery) => Effect.Effect<ReadonlyArray<Notification>>
    /** Deletes sent and failed notifications created before `before` (pending ones stay); how many. */
    readonly prune: (before: DateTime.Utc) => Effect.Effect<number>
  }
>() {}
