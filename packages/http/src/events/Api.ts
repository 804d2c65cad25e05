import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { AuditEvent, Ids } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { exact, strict } from "../Schemas.js"

/** `kind:id`, e.g. `task:01J…`: events about that thing or things under it. */
export const SubjectParam = Schema.TemplateLiteralParser(AuditEvent.SubjectKind, ":", Schema.String)

export const EventQuery = strict(
  Schema.Struct({
    after: exact(Schema.NumberFromString.pipe(Schema.compose(Ids.EventSequence))),
    subject: exact(SubjectParam),
    limit: exact(Schema.NumberFromString.pipe(Schema.compose(Schema.Int.pipe(Schema.between(1, 1_000)))))
  })
)

/** The audit log, oldest first after a sequence (administrators and supervisors). */
export class EventsApi extends HttpApiGroup.make("events")
  .add(HttpApiEndpoint.get("list", "/events").setUrlParams(EventQuery).addSuccess(Schema.Array(AuditEvent.AuditEvent)))
  .middleware(Authentication)
  .prefix("/api") {}
