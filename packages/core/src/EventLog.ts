import { Context, type Effect, type Option } from "effect"
import type { AuditEvent, NewEvent, Subject } from "./AuditEvent.js"
import type { EventSequence } from "./Ids.js"

/** Which events to read: those after a sequence, optionally only those about (or under) a subject. */
export interface EventQuery {
  readonly after: Option.Option<EventSequence>
  readonly about: Option.Option<Subject>
  readonly limit: number
}

/** The append-only audit log: storage port. Sequences grow monotonically in commit order. */
export class EventLog extends Context.Tag("@taskdesk/core/EventLog")<
  EventLog,
  {
    /** Appends an event in the current transaction and returns it with its sequence. */
    readonly append: (event: NewEvent) => Effect.Effect<AuditEvent>
    /** Events in sequence order; `about` matches the subject or the parent. */
    readonly list: (query: EventQuery) => Effect.Effect<ReadonlyArray<AuditEvent>>
  }
>() {}
