import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { Fragment } from "@effect/sql/Statement"
import { Errors, Ids, Notification, Outbox } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { column, columnNames, EpochMillis, JsonText, modelRow, nullable } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { orDie } from "./SqlErrors.js"

const NotificationColumns = Schema.Struct({
  ...Notification.Notification.fields,
  recipientId: column("recipient_id", Ids.UserId),
  data: JsonText(Notification.NotificationData),
  createdAt: column("created_at", EpochMillis),
  lastError: nullable("last_error", Schema.String),
  channel: Schema.OptionFromNullOr(Schema.String),
  sentAt: nullable("sent_at", EpochMillis),
  lockedUntil: nullable("locked_until", EpochMillis)
})

/** A `notifications` row as the model it stores. */
export const NotificationRow = modelRow(Notification.Notification, NotificationColumns)

const byCreation = (a: Notification.Notification, b: Notification.Notification) =>
  a.createdAt.epochMillis - b.createdAt.epochMillis || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** The SQL version of `Outbox`. */
export const layer: Layer.Layer<Outbox.Outbox, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  Outbox.Outbox,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const columns = sql.literal(columnNames(NotificationColumns).join(", "))
    const encode = Schema.encode(NotificationRow)
    const decodeAll = Schema.decodeUnknown(Schema.Array(NotificationRow))
    const decoded = (rows: Effect.Effect<ReadonlyArray<object>, SqlError>) => orDie(Effect.flatMap(rows, decodeAll))
    const select = (statement: Parameters<typeof query>[0]) => decoded(query(statement))
    const millis = (time: DateTime.Utc) => DateTime.toEpochMillis(time)

    return {
      insert: (batch) =>
        batch.length === 0
          ? Effect.void
          : orDie(
              // All or nothing: inside the caller's transaction a refused batch is a savepoint rolled back.
              dialect.transaction(
                Effect.gen(function* () {
                  const rows = yield* Effect.forEach(batch, (n) => encode(n))
                  const inserted = yield* dialect.insertSkippingTaken("notifications", rows)
                  if (inserted.length === batch.length) return
                  const kept = new Set(inserted)
                  const taken = batch.find((n) => !kept.has(n.id))!
                  return yield* new Errors.DuplicateKey({ entity: "Notification", field: "id", value: taken.id })
                })
              )
            ),
      findById: (id) =>
        Effect.map(select(sql`SELECT ${columns} FROM notifications WHERE id = ${id}`), (rows) =>
          Option.fromNullable(rows[0])
        ),
      claim: (now, until, limit) =>
        Effect.map(
          decoded(
            dialect.updateReturning({
              table: "notifications",
              set: sql`locked_until = ${millis(until)}`,
              where: sql`status = 'pending' AND (locked_until IS NULL OR locked_until <= ${millis(now)})`,
              returning: columns,
              pick: { orderBy: sql`created_at, id`, limit }
            })
          ),
          (rows) => [...rows].sort(byCreation)
        ),
      record: (id, attempt) => {
        const changes =
          attempt._tag === "Sent"
            ? sql`status = 'sent', attempts = attempts + 1, channel = ${attempt.channel},
                sent_at = ${millis(attempt.at)}, locked_until = NULL`
            : sql`status = ${Option.isSome(attempt.retryAt) ? "pending" : "failed"}, attempts = attempts + 1,
                last_error = ${attempt.error}, locked_until = ${Option.match(attempt.retryAt, { onNone: () => null, onSome: millis })}`
        return Effect.flatMap(
          decoded(
            dialect.writeReturning(
              sql`UPDATE notifications SET ${changes} WHERE id = ${id}`,
              columns,
              sql`SELECT ${columns} FROM notifications WHERE id = ${id}`
            )
          ),
          (rows) =>
            rows[0] === undefined
              ? Effect.fail(new Errors.NotFound({ entity: "Notification", id }))
              : Effect.succeed(rows[0])
        )
      },
      list: (request) => {
        const where: Array<Fragment> = []
        if (request.recipientId !== undefined) where.push(sql`recipient_id = ${request.recipientId}`)
        if (request.kind !== undefined) where.push(sql`kind = ${request.kind}`)
        if (request.status !== undefined) where.push(sql`status = ${request.status}`)
        return select(
          sql`SELECT ${columns} FROM notifications WHERE ${sql.and(where)}
            ORDER BY created_at DESC, id DESC LIMIT ${request.limit}`
        )
      },
      prune: (before) =>
        orDie(
          Effect.map(
            dialect.rowCount(
              sql`DELETE FROM notifications WHERE status <> 'pending' AND created_at < ${millis(before)}`
            ),
            (n) => n
          )
        )
    }
  })
)
