import { Schema } from "effect"

/** Branded ids: a TaskId can never be passed where a UserId is expected. */
export const UserId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("UserId"))
export type UserId = typeof UserId.Type

export const TaskId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("TaskId"))
export type TaskId = typeof TaskId.Type

export const TemplateId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("TemplateId"))
export type TemplateId = typeof TemplateId.Type

export const AssignmentId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("AssignmentId"))
export type AssignmentId = typeof AssignmentId.Type

export const CommentId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("CommentId"))
export type CommentId = typeof CommentId.Type

export const ProjectId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("ProjectId"))
export type ProjectId = typeof ProjectId.Type

export const DocumentId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("DocumentId"))
export type DocumentId = typeof DocumentId.Type

export const RepairRequestId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("RepairRequestId"))
export type RepairRequestId = typeof RepairRequestId.Type

/** A scheduled job: a short slug such as `daily-report`, chosen by whoever defines the job. */
export const JobId = Schema.NonEmptyTrimmedString.pipe(
  Schema.maxLength(64),
  Schema.pattern(/^[a-z0-9][a-z0-9._-]*$/),
  Schema.brand("JobId")
)
export type JobId = typeof JobId.Type

export const JobRunId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("JobRunId"))
export type JobRunId = typeof JobRunId.Type

export const NotificationId = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(64), Schema.brand("NotificationId"))
export type NotificationId = typeof NotificationId.Type

/** Position of an event in the append-only audit log; readers resume after one. */
export const EventSequence = Schema.Int.pipe(Schema.nonNegative(), Schema.brand("EventSequence"))
export type EventSequence = typeof EventSequence.Type
