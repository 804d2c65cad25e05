import { type DateTime, Option, Schema } from "effect"
import { NotificationId, UserId } from "./Ids.js"

/** Where a notification stands: waiting in the outbox, delivered, or given up on. */
export const NotificationStatus = Schema.Literal("pending", "sent", "failed")
export type NotificationStatus = typeof NotificationStatus.Type

/** What a notification is about, e.g. `deadline_reminder`, `daily_report`. */
export const NotificationKind = Schema.String.pipe(Schema.pattern(/^[a-z0-9][a-z0-9._-]*$/), Schema.maxLength(64))

/** A notification's subject line: up to 200 characters. */
export const Subject = Schema.String.pipe(Schema.maxLength(200))
/** A notification's text: up to 20,000 characters. */
export const Body = Schema.String.pipe(Schema.maxLength(20_000))
/** Structured content for channels that render their own layout (JSON). */
export const NotificationData = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * A message to one person, written to the outbox in the same transaction as the decision that
 * produced it and then delivered by a channel, so none is lost when the process dies in between.
 */
export class Notification extends Schema.Class<Notification>("Notification")({
  id: NotificationId,
  recipientId: UserId,
  kind: NotificationKind,
  subject: Subject,
  body: Body,
  data: NotificationData,
  createdAt: Schema.DateTimeUtc,
  status: NotificationStatus,
  attempts: Schema.Int.pipe(Schema.nonNegative()),
  lastError: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(2_000)), { as: "Option" }),
  /** The channel that delivered it. */
  channel: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(64)), { as: "Option" }),
  sentAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  /** A dispatcher holds it until then (delivering, or waiting to retry); free when none or past. */
  lockedUntil: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" })
}) {}

/** A notification just written to the outbox: pending, never tried, held by nobody. */
export const pending = (fields: {
  readonly id: NotificationId
  readonly recipientId: UserId
  readonly kind: string
  readonly subject: string
  readonly body: string
  readonly data: Readonly<Record<string, unknown>>
  readonly createdAt: DateTime.Utc
}): Notification =>
  new Notification({
    ...fields,
    status: "pending",
    attempts: 0,
    lastError: Option.none(),
    channel: Option.none(),
    sentAt: Option.none(),
    lockedUntil: Option.none()
  })

/** What a caller supplies to send a notification. */
export class NotificationDraft extends Schema.Class<NotificationDraft>("NotificationDraft")({
  recipientId: UserId,
  kind: NotificationKind,
  subject: Subject,
  body: Body,
  data: Schema.optional(NotificationData)
}) {}
