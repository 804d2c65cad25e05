import { Schema } from "effect"
import { CommentId, TaskId, TemplateId, UserId } from "./Ids.js"
import { Priority, TaskStatus } from "./Task.js"

/** Changes to tasks, templates, assignments and task comments, as the audit log records them. */
export const TaskCreated = Schema.TaggedStruct("task.created", {
  title: Schema.String,
  priority: Priority,
  assigneeIds: Schema.Array(UserId),
  templateId: Schema.optional(TemplateId)
})
export const TaskUpdated = Schema.TaggedStruct("task.updated", {
  fields: Schema.Array(Schema.String)
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
export const TemplateUpdated = Schema.TaggedStruct("template.updated", { fields: Schema.Array(Schema.String) })
export const TemplateDeleted = Schema.TaggedStruct("template.deleted", {})

export const AssignmentOffered = Schema.TaggedStruct("assignment.offered", {
  taskId: TaskId,
  assigneeId: UserId
})
export const AssignmentAccepted = Schema.TaggedStruct("assignment.accepted", { taskId: TaskId })
export const AssignmentRejected = Schema.TaggedStruct("assignment.rejected", {
  taskId: TaskId,
  reason: Schema.String
})
export const AssignmentCompleted = Schema.TaggedStruct("assignment.completed", { taskId: TaskId })
export const AssignmentCancelled = Schema.TaggedStruct("assignment.cancelled", { taskId: TaskId })

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
