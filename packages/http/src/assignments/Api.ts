import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Assignment, Ids, Task } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { CursorParam, exact, LimitParam, PageOf, strict } from "../Schemas.js"

export const AssignmentPath = Schema.Struct({ id: Ids.AssignmentId })

/** A batch: each item a library template (making a new task) or an existing task, for one person. */
export const Batch = strict(Schema.Struct(Assignment.Batch.fields))

export const AssignmentQuery = strict(
  Schema.Struct({
    status: exact(Schema.Array(Assignment.AssignmentStatus)),
    assigneeId: exact(Ids.UserId),
    taskId: exact(Ids.TaskId),
    assignedBy: exact(Ids.UserId),
    limit: exact(LimitParam),
    cursor: exact(CursorParam)
  })
)

/** A page of assignments, newest first; pass `nextCursor` as `cursor` for the next one. */
export const AssignmentPage = PageOf(Assignment.Assignment)

export const Reject = strict(Schema.Struct({ reason: Schema.String.pipe(Schema.maxLength(10_000)) }))

export const InboxQuery = strict(Schema.Struct({ status: exact(Assignment.InboxFilter) }))

/** One line of a person's inbox: the assignment, its task, and whether it is late or due within 24 hours. */
export const InboxItem = Schema.Struct({
  assignment: Assignment.Assignment,
  task: Task.Task,
  overdue: Schema.Boolean,
  dueSoon: Schema.Boolean
})

/** Handing out work in batches, and answering it. */
export class AssignmentsApi extends HttpApiGroup.make("assignments")
  .add(
    HttpApiEndpoint.post("batch", "/assignments")
      .setPayload(Batch)
      .addSuccess(Schema.Array(Assignment.Assignment), { status: 201 })
  )
  .add(HttpApiEndpoint.get("list", "/assignments").setUrlParams(AssignmentQuery).addSuccess(AssignmentPage))
  .add(HttpApiEndpoint.get("get", "/assignments/:id").setPath(AssignmentPath).addSuccess(Assignment.Assignment))
  .add(
    HttpApiEndpoint.post("accept", "/assignments/:id/accept").setPath(AssignmentPath).addSuccess(Assignment.Assignment)
  )
  .add(
    HttpApiEndpoint.post("reject", "/assignments/:id/reject")
      .setPath(AssignmentPath)
      .setPayload(Reject)
      .addSuccess(Assignment.Assignment)
  )
  .add(
    HttpApiEndpoint.post("complete", "/assignments/:id/complete")
      .setPath(AssignmentPath)
      .addSuccess(Assignment.Assignment)
  )
  .add(
    HttpApiEndpoint.post("cancel", "/assignments/:id/cancel").setPath(AssignmentPath).addSuccess(Assignment.Assignment)
  )
  .add(HttpApiEndpoint.get("inbox", "/me/assignments").setUrlParams(InboxQuery).addSuccess(Schema.Array(InboxItem)))
  .middleware(Authentication)
  .prefix("/api") {}
