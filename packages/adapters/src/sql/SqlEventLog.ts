import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { AuditEvent, EventLog, Ids } from "@taskdesk/core"
import { Effect, Layer, Option, Schema } from "effect"
import { EpochMillis, JsonText } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { orDie } from "./SqlErrors.js"

const NewEventColumns = Schema.Struct({
  at: EpochMillis,
  actor_id: Ids.UserId,
  subject_kind: AuditEvent.SubjectKind,
  subject_id: Schema.String,
  parent_kind: Schema.NullOr(AuditEvent.SubjectKind),
  parent_id: Schema.NullOr(Schema.String),
  type: Schema.String,
  payload: JsonText(AuditEvent.AuditEvent.fields.payload)
})

const EventColumns = Schema.Struct({ sequence: AuditEvent.AuditEvent.fields.sequence, ...NewEventColumns.fields })

const toColumns = (event: AuditEvent.NewEvent) => ({
  at: event.at,
  actor_id: event.actorId,
  subject_kind: event.subject.kind,
  subject_id: event.subject.id,
  parent_kind: Option.match(event.parent, { onNone: () => null, onSome: (p) => p.kind }),
  parent_id: Option.match(event.parent, { onNone: () => null, onSome: (p) => p.id }),
  type: event.payload._tag,
  payload: event.payload
})

/**
 * An `events` row as the event it stores. Subject and parent are flattened into columns so the
 * history of a thing is an indexed lookup; `type` repeats the payload's tag for SQL readers.
 */
export const EventRow = Schema.transform(
  EventColumns,
  Schema.declare((u): u is AuditEvent.AuditEvent => u instanceof AuditEvent.AuditEvent),
  {
    strict: true,
    decode: (row) =>
      new AuditEvent.AuditEvent(
        {
          sequence: row.sequence,
          at: row.at,
          actorId: row.actor_id,
          subject: new AuditEvent.Subject({ kind: row.subject_kind, id: row.subject_id }, true),
          parent:
            row.parent_kind === null || row.parent_id === null
              ? Option.none()
              : Option.some(new AuditEvent.Subject({ kind: row.parent_kind, id: row.parent_id }, true)),
          payload: row.payload
        },
        true
      ),
    encode: (event) => ({ sequence: event.sequence, ...toColumns(event) })
  }
)

/** The SQL version of `EventLog`; sequences grow in commit order (see `Dialect.appendingEvent`). */
export const layer: Layer.Layer<EventLog.EventLog, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  EventLog.EventLog,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const encode = Schema.encode(NewEventColumns)
    const decodeAll = Schema.decodeUnknown(Schema.Array(EventRow))

    return {
      append: (event) =>
        orDie(
          Effect.gen(function* () {
            const row = yield* encode(toColumns(event))
            const inserted = yield* dialect.appendingEvent(dialect.insertReturningKey("events", row, "sequence"))
            const sequence = Ids.EventSequence.make(inserted)
            return new AuditEvent.AuditEvent({ ...event, sequence }, true)
          })
        ),
      list: (request) => {
        const where: Array<Fragment> = []
        if (Option.isSome(request.after)) where.push(sql`sequence > ${request.after.value}`)
        if (Option.isSome(request.about)) {
          const { kind, id } = request.about.value
          where.push(
            sql`((subject_id = ${id} AND subject_kind = ${kind}) OR (parent_id = ${id} AND parent_kind = ${kind}))`
          )
        }
        return orDie(
          Effect.flatMap(
            query(sql`SELECT * FROM events WHERE ${sql.and(where)} ORDER BY sequence LIMIT ${request.limit}`),
            decodeAll
          )
        )
      }
    }
  })
)
