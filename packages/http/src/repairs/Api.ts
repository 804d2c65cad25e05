import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { AuditEvent, Ids, Instant, Page, RepairQuery, RepairRequest } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { BooleanParam, CursorParam, exact, IfMatch, LimitParam, orEmpty, PageOf, strict } from "../Schemas.js"

export const RepairPath = Schema.Struct({ id: Ids.RepairRequestId })

/** Every filter, sort and cursor of the core's repair list, as query parameters. */
export const RepairListParams = strict(
  Schema.Struct({
    status: exact(Schema.Array(RepairRequest.RepairStatus)),
    clientId: exact(Ids.UserId),
    technicianId: exact(Ids.UserId),
    assigned: exact(BooleanParam),
    deviceType: exact(RepairRequest.DeviceType),
    category: exact(RepairRequest.ProblemCategory),
    overdue: exact(BooleanParam),
    createdFrom: exact(Instant.Instant),
    createdTo: exact(Instant.Instant),
    text: RepairQuery.RepairFilter.fields.text,
    sort: exact(RepairQuery.RepairSort),
    order: exact(Page.Order),
    limit: exact(LimitParam),
    cursor: exact(CursorParam)
  })
)

const deadlineDescription =
  "When the repair is due (ISO 8601). Setting it needs the `repair.setDeadline` permission (managers and " +
  "administrators by default); a client filing a request leaves it out, or gets 403."

export const CreateRepair = strict(
  Schema.Struct({
    ...RepairRequest.CreateRepairRequest.fields,
    clientId: RepairRequest.CreateRepairRequest.fields.clientId.annotations({
      description:
        "File on behalf of this client; needs `repair.assign` (managers and administrators). Absent: the caller."
    }),
    technicianId: RepairRequest.CreateRepairRequest.fields.technicianId.annotations({
      description:
        "Assign a technician at once; needs `repair.assign` (managers and administrators). " +
        "The technician must be an active worker, manager or administrator (else 422)."
    }),
    deadline: RepairRequest.CreateRepairRequest.fields.deadline.annotations({ description: deadlineDescription })
  })
)
export const UpdateRepair = strict(
  Schema.Struct({
    ...RepairRequest.UpdateRepairRequest.fields,
    deadline: RepairRequest.UpdateRepairRequest.fields.deadline.annotations({
      description: `${deadlineDescription} \`null\` clears it.`
    })
  })
)
export const Assign = strict(Schema.Struct({ technicianId: Ids.UserId }))
const Note = Schema.String.pipe(Schema.maxLength(10_000))
export const Reason = orEmpty(strict(Schema.Struct({ reason: Schema.optional(Note) })))
export const Complete = strict(Schema.Struct({ note: Note }))
export const AddComment = strict(Schema.Struct({ body: Schema.String.pipe(Schema.maxLength(20_000)) }))
export const Rate = strict(
  Schema.Struct({ score: Schema.Number, feedback: Schema.optional(Schema.String.pipe(Schema.maxLength(10_000))) })
)

export const RepairPage = PageOf(RepairRequest.RepairRequest)

/** Appliance-repair requests: filed by clients, assigned by managers, worked by technicians, rated by clients. */
export class RepairsApi extends HttpApiGroup.make("repairs")
  .add(HttpApiEndpoint.get("list", "/repair-requests").setUrlParams(RepairListParams).addSuccess(RepairPage))
  .add(
    HttpApiEndpoint.post("create", "/repair-requests")
      .setPayload(CreateRepair)
      .addSuccess(RepairRequest.RepairRequest, { status: 201 })
  )
  .add(HttpApiEndpoint.get("get", "/repair-requests/:id").setPath(RepairPath).addSuccess(RepairRequest.RepairRequest))
  .add(
    HttpApiEndpoint.patch("update", "/repair-requests/:id")
      .setPath(RepairPath)
      .setHeaders(IfMatch)
      .setPayload(UpdateRepair)
      .addSuccess(RepairRequest.RepairRequest)
  )
  .add(
    HttpApiEndpoint.post("assign", "/repair-requests/:id/assign")
      .setPath(RepairPath)
      .setPayload(Assign)
      .addSuccess(RepairRequest.RepairRequest)
  )
  .add(
    HttpApiEndpoint.post("start", "/repair-requests/:id/start")
      .setPath(RepairPath)
      .addSuccess(RepairRequest.RepairRequest)
  )
  .add(
    HttpApiEndpoint.post("hold", "/repair-requests/:id/hold")
      .setPath(RepairPath)
      .setPayload(Reason)
      .addSuccess(RepairRequest.RepairRequest)
  )
  .add(
    HttpApiEndpoint.post("complete", "/repair-requests/:id/complete")
      .setPath(RepairPath)
      .setPayload(Complete)
      .addSuccess(RepairRequest.RepairRequest)
  )
  .add(
    HttpApiEndpoint.post("cancel", "/repair-requests/:id/cancel")
      .setPath(RepairPath)
      .setPayload(Reason)
      .addSuccess(RepairRequest.RepairRequest)
  )
  .add(
    HttpApiEndpoint.get("listComments", "/repair-requests/:id/comments")
      .setPath(RepairPath)
      .addSuccess(Schema.Array(RepairRequest.RepairComment))
  )
  .add(
    HttpApiEndpoint.post("addComment", "/repair-requests/:id/comments")
      .setPath(RepairPath)
      .setPayload(AddComment)
      .addSuccess(RepairRequest.RepairComment, { status: 201 })
  )
  .add(
    HttpApiEndpoint.post("rate", "/repair-requests/:id/rating")
      .setPath(RepairPath)
      .setPayload(Rate)
      .addSuccess(RepairRequest.RepairRequest)
  )
  .add(
    HttpApiEndpoint.get("history", "/repair-requests/:id/history")
      .setPath(RepairPath)
      .addSuccess(Schema.Array(AuditEvent.AuditEvent))
  )
  .middleware(Authentication)
  .prefix("/api") {}
