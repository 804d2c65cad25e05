import { Schema } from "effect"
import { Changes } from "./FieldChange.js"
import { CommentId, DocumentId, TaskId, TemplateId, UserId } from "./Ids.js"
import { Priority, TaskStatus } from "./Task.js"

/**
 * Changes to tasks, templates, assignments and task comments, as the audit log records them. An
 * update or an assignment's move carries `changes`: each changed field with its old and new value.
 */
export const TaskCreated = Schema.TaggedStruct("task.created", {
  title: Schema.String,
  priority: Priority,
  assigneeIds: Schema.Array(UserId),
  templateId: Schema.optional(TemplateId),
  /** The resolution that ordered the task, when one did: its executors hear of it by the resolution. */
  resolutionId: Schema.optional(DocumentId)
})
/** A task's fields changed, with their old and new values. */
export const TaskUpdated = Schema.TaggedStruct("task.updated", {
  /** The fields the change named. */
  fields: Schema.Array(Schema.String),
  /** Those whose value changed, with the old and new value (absent in events recorded before). */
  changes: Changes
})
/** A task moved between states. */
export const TaskStatusChanged = Schema.TaggedStruct("task.status_changed", {
  from: TaskStatus,
  to: TaskStatus
})
/** A task was deleted. */
export const TaskDeleted = Schema.TaggedStruct("task.deleted", {})
/** Someone commented on a task. */
export const TaskCommented = Schema.TaggedStruct("task.commented", {
  commentId: CommentId,
  body: Schema.String
})

/** A template joined the task library. */
export const TemplateCreated = Schema.TaggedStruct("template.created", { title: Schema.String })
/** A template changed: `fields` names what the change named, `changes` the old and new values. */
export const TemplateUpdated = Schema.TaggedStruct("template.updated", {
  fields: Schema.Array(Schema.String),
  /** Those whose value changed, with the old and new value (absent in events recorded before). */
  changes: Changes
})
/** A template left the task library. */
export const TemplateDeleted = Schema.TaggedStruct("template.deleted", {})

/** Work was offered to a person. */
export const AssignmentOffered = Schema.TaggedStruct("assignment.offered", {
  taskId: TaskId,
  assigneeId: UserId
})
/** A person took the work offered to them. */
export const AssignmentAccepted = Schema.TaggedStruct("assignment.accepted", { taskId: TaskId, changes: Changes })
/** A person turned the work down, with their reason. */
export const AssignmentRejected = Schema.TaggedStruct("assignment.rejected", {
  taskId: TaskId,
  reason: Schema.String,
  changes: Changes
})
/** A person finished the work they took. */
export const AssignmentCompleted = Schema.TaggedStruct("assignment.completed", { taskId: TaskId, changes: Changes })
/** A hand-out was withdrawn. */
export const AssignmentCancelled = Schema.TaggedStruct("assignment.cancelled", { taskId: TaskId, changes: Changes })

/** Every event about tasks, templates and hand-outs. */
export const TaskEvent = Schema.Union(
  TaskCreated,
  TaskUpdated,
  TaskStatusChanged,
  TaskDeleted,
  TaskCommented,
  TemplateCreated,
  TemplateUpdated,
  TemplateDeleted,
  AssignmentOffered,
  AssignmentAccepted,
  AssignmentRejected,
  AssignmentCompleted,
  AssignmentCancelled
)
export type TaskEvent = typeof TaskEvent.Type
