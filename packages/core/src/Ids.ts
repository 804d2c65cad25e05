import { Schema } from "effect"

/** Branded ids: a TaskId can never be passed where a UserId is expected. */
export const UserId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("UserId"))
export type UserId = typeof UserId.Type

/** A task's id. */
export const TaskId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("TaskId"))
export type TaskId = typeof TaskId.Type

/** A template's id. */
export const TemplateId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("TemplateId"))
export type TemplateId = typeof TemplateId.Type

/** A hand-out's id. */
export const AssignmentId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("AssignmentId"))
export type AssignmentId = typeof AssignmentId.Type

/** A comment's id. */
export const CommentId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("CommentId"))
export type CommentId = typeof CommentId.Type

/** A project's id. */
export const ProjectId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("ProjectId"))
export type ProjectId = typeof ProjectId.Type

/** A document's id. */
export const DocumentId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("DocumentId"))
export type DocumentId = typeof DocumentId.Type

/** A repair request's id (its number, `R-000042`, is separate). */
export const RepairRequestId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("RepairRequestId"))
export type RepairRequestId = typeof RepairRequestId.Type

/** A scheduled job: a short slug such as `daily-report`, chosen by whoever defines the job. */
export const JobId = Schema.NonEmptyTrimmedString.pipe(
  Schema.maxLength(64),
  Schema.pattern(/^[a-z0-9][a-z0-9._-]*$/),
  Schema.brand("JobId")
)
export type JobId = typeof JobId.Type

/** One run of a scheduled job. */
export const JobRunId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("JobRunId"))
export type JobRunId = typeof JobRunId.Type

/** A notification in the outbox. */
export const NotificationId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("NotificationId"))
export type NotificationId = typeof NotificationId.Type

/** Position of an event in the append-only audit log; readers resume after one. */
export const EventSequence = Schema.Int.pipe(Schema.nonNegative(), Schema.brand("EventSequence"))
export type EventSequence = typeof EventSequence.Type
