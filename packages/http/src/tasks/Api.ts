import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
import { AuditEvent, Comment, Ids, Instant, Page, Task, TaskQuery } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { BooleanParam, CursorParam, exact, IfMatch, LimitParam, PageOf, strict } from "../Schemas.js"

export const TaskPath = Schema.Struct({ id: Ids.TaskId })

/** Every filter, sort and cursor of the core's task list, as query parameters (repeat a key for several values). */
export const TaskListParams = strict(
  Schema.Struct({
    status: exact(Schema.Array(Task.TaskStatus)),
    assigneeId: exact(Ids.UserId),
    createdBy: exact(Ids.UserId),
    projectId: exact(Ids.ProjectId),
    priority: exact(Schema.Array(Task.Priority)),
    dueFrom: exact(Instant.Instant),
    dueTo: exact(Instant.Instant),
    overdue: exact(BooleanParam),
    tag: exact(Task.Tag),
    text: TaskQuery.TaskFilter.fields.text,
    sort: exact(TaskQuery.TaskSort),
    order: exact(Page.Order),
    limit: exact(LimitParam),
    cursor: exact(CursorParam)
  })
)

export const CreateTask = strict(Schema.Struct(Task.CreateTask.fields))

/** A change to a task; `status` moves it through the state machine after the other fields change. */
export const UpdateTask = strict(
  Schema.Struct({
    ...Task.UpdateTask.fields,
    status: Schema.optional(Task.TaskStatus)
  })
)

export const AddComment = strict(Schema.Struct({ body: Schema.String.pipe(Schema.maxLength(20_000)) }))

export const TaskPage = PageOf(Task.Task)

/** Tasks, their comments and their history. */
export class TasksApi extends HttpApiGroup.make("tasks")
  .add(HttpApiEndpoint.get("list", "/tasks").setUrlParams(TaskListParams).addSuccess(TaskPage))
  .add(HttpApiEndpoint.post("create", "/tasks").setPayload(CreateTask).addSuccess(Task.Task, { status: 201 }))
  .add(HttpApiEndpoint.get("get", "/tasks/:id").setPath(TaskPath).addSuccess(Task.Task))
  .add(
    HttpApiEndpoint.patch("update", "/tasks/:id")
      .setPath(TaskPath)
      .setHeaders(IfMatch)
      .setPayload(UpdateTask)
      .addSuccess(Task.Task)
  )
  .add(
    HttpApiEndpoint.del("delete", "/tasks/:id")
      .setPath(TaskPath)
      .setHeaders(IfMatch)
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.get("listComments", "/tasks/:id/comments")
      .setPath(TaskPath)
      .addSuccess(Schema.Array(Comment.Comment))
  )
  .add(
    HttpApiEndpoint.post("addComment", "/tasks/:id/comments")
      .setPath(TaskPath)
      .setPayload(AddComment)
      .addSuccess(Comment.Comment, { status: 201 })
  )
  .add(
    HttpApiEndpoint.get("history", "/tasks/:id/history")
      .setPath(TaskPath)
      .addSuccess(Schema.Array(AuditEvent.AuditEvent))
  )
  .middleware(Authentication)
  .prefix("/api") {}
