import { Schema } from "effect"
import { Changes } from "./FieldChange.js"
import { CommentId, TaskId, TemplateId, UserId } from "./Ids.js"
import { Priority, TaskStatus } from "./Task.js"

/**
 * Changes to tasks, templates, assignments and task comments, as the audit log records them. An
 * update or an assignment's move carries `changes`: each changed field with its old and new value.
 */
export const TaskCreated = Schema.TaggedStruct("task.created", {
  title: Schema.String,
  priority: Priority,
  assigneeIds: Schema.Array(UserId),
  templateId: Schema.optional(TemplateId)
})
export const TaskUpdated = Schema.TaggedStruct("task.updated", {
  /** The fields the change named. */
  fields: Schema.Array(Schema.String),
  /** Those whose value changed, with the old and new value (absent in events recorded before). */
  changes: Changes
})
export const TaskStatusChanged = Schema.TaggedStruct("task.status_changed", {
  from: TaskStatus,
  to: TaskStatus
})
export const TaskDeleted = Schema.TaggedStruct("task.deleted", {})
export const TaskCommented = Schema.TaggedStruct("task.commented", {
  commentId: CommentId,
  body: Schema.String
})

export const TemplateCreated = Schema.TaggedStruct("template.created", { title: Schema.String })
export const TemplateUpdated = Schema.TaggedStruct("template.updated", {
  fields: Schema.Array(Schema.String),
  /** Those whose value changed, with the old and new value (absent in events recorded before). */
  changes: Changes
})
export const TemplateDeleted = Schema.TaggedStruct("template.deleted", {})

export const AssignmentOffered = Schema.TaggedStruct("assignment.offered", {
  taskId: TaskId,
  assigneeId: UserId
})
export const AssignmentAccepted = Schema.TaggedStruct("assignment.accepted", { taskId: TaskId, changes: Changes })
export const AssignmentRejected = Schema.TaggedStruct("assignment.rejected", {
  taskId: TaskId,
  reason: Schema.String,
  changes: Changes
})
export const AssignmentCompleted = Schema.TaggedStruct("assignment.completed", { taskId: TaskId, changes: Changes })
export const AssignmentCancelled = Schema.TaggedStruct("assignment.cancelled", { taskId: TaskId, changes: Changes })

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
