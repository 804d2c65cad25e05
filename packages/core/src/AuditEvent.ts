import { type DateTime, type Option, Schema } from "effect"
import { AnalysisEvent } from "./AnalysisEvent.js"
import { EventSequence, UserId } from "./Ids.js"
import { JobEvent } from "./JobEvent.js"
import { ProjectEvent } from "./ProjectEvent.js"
import { RepairEvent } from "./RepairEvent.js"
import { TaskEvent } from "./TaskEvent.js"
import { UserEvent } from "./UserEvent.js"

/** The kinds of things events are about. */
export const SubjectKind = Schema.Literal(
  "user",
  "task",
  "template",
  "assignment",
  "repair_request",
  "project",
  "document",
  "job"
)
export type SubjectKind = typeof SubjectKind.Type

/** What an event is about. */
export class Subject extends Schema.Class<Subject>("Subject")({
  kind: SubjectKind,
  id: Schema.String
}) {}

/** Every kind of change taskdesk records; `_tag` is the event type. */
export const EventPayload = Schema.Union(TaskEvent, UserEvent, ProjectEvent, RepairEvent, JobEvent, AnalysisEvent)
export type EventPayload = typeof EventPayload.Type

/**
 * One entry of the append-only audit log. `parent` links an event to the thing it belongs to
 * (an assignment's task), so the parent's history includes it.
 */
export class AuditEvent extends Schema.Class<AuditEvent>("AuditEvent")({
  sequence: EventSequence,
  at: Schema.DateTimeUtc,
  actorId: UserId,
  subject: Subject,
  parent: Schema.optionalWith(Subject, { as: "Option" }),
  payload: EventPayload
}) {
  get type(): EventPayload["_tag"] {
    return this.payload._tag
  }
}

/** An event before the log has given it its sequence. */
export interface NewEvent {
  readonly at: DateTime.Utc
  readonly actorId: UserId
  readonly subject: Subject
  readonly parent: Option.Option<Subject>
  readonly payload: EventPayload
}
