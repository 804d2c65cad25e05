import { DateTime, Either, Option, Schema } from "effect"
import { IllegalTransition } from "./Errors.js"
import { AssignmentId, ProjectId, TaskId, TemplateId, UserId } from "./Ids.js"
import { Instant } from "./Instant.js"
import { multiLine } from "./Text.js"

/** Where a hand-out stands: offered (`pending`), taken, turned down, done, or withdrawn. */
export const AssignmentStatus = Schema.Literal("pending", "accepted", "rejected", "completed", "cancelled")
export type AssignmentStatus = typeof AssignmentStatus.Type

/** Why a person turned work down: required, 1–2,000 characters. */
export const RejectionReason = multiLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(2_000)))

/** One task offered to one person, who accepts or rejects it (seed 002's 任务分配). */
export class Assignment extends Schema.Class<Assignment>("Assignment")({
  id: AssignmentId,
  taskId: TaskId,
  assigneeId: UserId,
  assignedBy: UserId,
  status: AssignmentStatus,
  dueAt: Schema.optionalWith(Instant, { as: "Option" }),
  rejectionReason: Schema.optionalWith(RejectionReason, { as: "Option" }),
  createdAt: Schema.DateTimeUtc,
  respondedAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  completedAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  updatedAt: Schema.DateTimeUtc,
  version: Schema.Int
}) {}

/** The legal moves: answered once, completed or cancelled after acceptance. */
export const transitions: Readonly<Record<AssignmentStatus, ReadonlyArray<AssignmentStatus>>> = {
  pending: ["accepted", "rejected", "cancelled"],
  accepted: ["completed", "cancelled"],
  rejected: [],
  completed: [],
  cancelled: []
}

/** Whether the assignment still expects an answer or work. */
export const isOpen = (a: Assignment): boolean => a.status === "pending" || a.status === "accepted"

/** Whether a hand-out still expected from its assignee is past its due time. */
export const isOverdue = (a: Assignment, now: DateTime.Utc): boolean =>
  isOpen(a) && Option.exists(a.dueAt, (due) => DateTime.lessThan(due, now))

/**
 * Moves the assignment to `to` at `now`. A rejection carries its reason; the caller validates it
 * with `RejectionReason` first, so a rejected assignment always has one.
 */
export const transition = (
  a: Assignment,
  to: AssignmentStatus,
  now: DateTime.Utc,
  reason?: string
): Either.Either<Assignment, IllegalTransition> =>
  transitions[a.status].includes(to)
    ? Either.right(
        new Assignment({
          ...a,
          status: to,
          rejectionReason: to === "rejected" ? Option.fromNullable(reason) : a.rejectionReason,
          respondedAt: to === "accepted" || to === "rejected" ? Option.some(now) : a.respondedAt,
          completedAt: to === "completed" ? Option.some(now) : a.completedAt,
          updatedAt: now,
          version: a.version + 1
        })
      )
    : Either.left(new IllegalTransition({ entity: "Assignment", id: a.id, from: a.status, to }))

/** One line of a batch: a library template (which makes a new task) or an existing task, for one person. */
export const BatchItem = Schema.Struct({
  templateId: Schema.optional(TemplateId),
  taskId: Schema.optional(TaskId),
  assigneeId: UserId,
  dueAt: Schema.optional(Instant),
  /** For template items: the project the new task belongs to. */
  projectId: Schema.optional(ProjectId)
})
export type BatchItem = typeof BatchItem.Type

/** A batch of 1–500 items, applied all or nothing. */
export class Batch extends Schema.Class<Batch>("Batch")({
  items: Schema.Array(BatchItem).pipe(Schema.minItems(1), Schema.maxItems(500))
}) {}

/** The inbox filters of seed 002's employee page: 全部 / 待处理 / 进行中. */
export const InboxFilter = Schema.Literal("all", "pending", "in_progress")
export type InboxFilter = typeof InboxFilter.Type
