import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Errors } from "@taskdesk/core"
import { type Context, Effect, type ParseResult } from "effect"
import type { RowDecoder } from "./Columns.js"
import type { Dialect as DialectTag, Query } from "./Dialect.js"

type Dialect = Context.Tag.Service<DialectTag>

import { missingOrConflict } from "./SqlErrors.js"

/**
 * The statements every versioned table shares. Writes report clashes through what they did
 * (`ON CONFLICT DO NOTHING`, `WHERE version = ?` and the rows it matched) rather than by failing, so
 * a PostgreSQL transaction stays usable after a refused write.
 */

type Row = Record<string, unknown>

/** Inserts `row` unless a unique key is taken; `true` when it was inserted. */
export const insertIfNew = (dialect: Dialect, table: string, row: Row): Effect.Effect<boolean, SqlError> =>
  Effect.map(dialect.insertSkippingTaken(table, [row]), (ids) => ids.length > 0)

/** Inserts `row`, or fails with `DuplicateKey` on its id (for tables whose only unique key is the id). */
export const insertNew = (
  dialect: Dialect,
  table: string,
  entity: string,
  row: Row & { readonly id: string }
): Effect.Effect<void, Errors.DuplicateKey | SqlError> =>
  Effect.flatMap(insertIfNew(dialect, table, row), (inserted) =>
    inserted ? Effect.void : Effect.fail(new Errors.DuplicateKey({ entity, field: "id", value: row.id }))
  )

// Rows per multi-row INSERT: SQLite binds at most 32,766 parameters a statement, PostgreSQL and
// MySQL 65,535; a task row has about twenty columns.
const insertChunk = 200

/**
 * Inserts all of `rows` or none (a savepoint inside a caller's transaction), a few hundred to a
 * statement; fails with `DuplicateKey` on the first id that is taken, by a stored row or an
 * earlier one of `rows`.
 */
export const insertManyNew = (
  dialect: Dialect,
  table: string,
  entity: string,
  rows: ReadonlyArray<Row & { readonly id: string }>
): Effect.Effect<void, Errors.DuplicateKey | SqlError> =>
  rows.length === 0
    ? Effect.void
    : dialect.transaction(
        Effect.forEach(
          Array.from({ length: Math.ceil(rows.length / insertChunk) }, (_, i) =>
            rows.slice(i * insertChunk, (i + 1) * insertChunk)
          ),
          (chunk) =>
            Effect.flatMap(dialect.insertSkippingTaken(table, chunk), (inserted) => {
              if (inserted.length === chunk.length) return Effect.void
              // The first row not inserted: its id was taken, or it came twice in the chunk.
              const left = new Map<string, number>()
              for (const id of inserted) left.set(id, (left.get(id) ?? 0) + 1)
              const refused = chunk.find((row) => {
                const n = left.get(row.id) ?? 0
                left.set(row.id, n - 1)
                return n <= 0
              })!
              return Effect.fail(new Errors.DuplicateKey({ entity, field: "id", value: refused.id }))
            }),
          { discard: true }
        )
      )

/** `UPDATE … WHERE id = ? AND version = ?`: fails with `VersionConflict` or `NotFound` when no row matched. */
export const updateAtVersion = (
  sql: SqlClient.SqlClient,
  dialect: Dialect,
  table: string,
  entity: string,
  row: Row & { readonly id: string },
  expectedVersion: number
): Effect.Effect<void, Errors.VersionConflict | Errors.NotFound | SqlError> => {
  const { id, ...changes } = row
  return Effect.flatMap(
    dialect.rowCount(
      sql`UPDATE ${sql(table)} SET ${sql.update(changes)} WHERE id = ${id} AND version = ${expectedVersion}`
    ),
    (n) => (n > 0 ? Effect.void : missingOrConflict(sql, dialect.query, table, entity, id, expectedVersion))
  )
}

/** `DELETE … WHERE id = ? AND version = ?`: fails with `VersionConflict` or `NotFound` when no row matched. */
export const deleteAtVersion = (
  sql: SqlClient.SqlClient,
  dialect: Dialect,
  table: string,
  entity: string,
  id: string,
  expectedVersion: number
): Effect.Effect<void, Errors.VersionConflict | Errors.NotFound | SqlError> =>
  Effect.flatMap(
    dialect.rowCount(sql`DELETE FROM ${sql(table)} WHERE id = ${id} AND version = ${expectedVersion}`),
    (n) => (n > 0 ? Effect.void : missingOrConflict(sql, dialect.query, table, entity, id, expectedVersion))
  )

/** The rows with these ids that exist, decoded, in the order of `ids` (as the in-memory store answers). */
export const findByIds = <A extends { readonly id: string }>(
  sql: SqlClient.SqlClient,
  query: Query,
  table: string,
  columns: ReturnType<SqlClient.SqlClient["literal"]>,
  decode: RowDecoder<A>,
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<A>, SqlError | ParseResult.ParseError> => {
  if (ids.length === 0) return Effect.succeed([])
  return Effect.map(
    Effect.flatMap(query(sql`SELECT ${columns} FROM ${sql(table)} WHERE ${sql.in("id", ids)}`), decode.all),
    (found) => {
      const byId = new Map(found.map((row) => [row.id, row]))
      return ids.flatMap((id) => {
        const row = byId.get(id)
        return row === undefined ? [] : [row]
      })
    }
  )
}

/**
 * The next value (1, 2, …) of a named counter, in the current transaction: a rolled-back
 * transaction gives it back, and on PostgreSQL the row lock orders concurrent takers.
 */
export const nextCounter = (
  sql: SqlClient.SqlClient,
  dialect: Dialect,
  name: string
): Effect.Effect<number, SqlError> =>
  Effect.map(
    dialect.writeReturning(
      sql`INSERT INTO counters (name, value) VALUES (${name}, 1)
        ${dialect.onConflictUpdate(["name"], sql`value = counters.value + 1`)}`,
      sql`value`,
      sql<{ readonly value: number }>`SELECT value FROM counters WHERE name = ${name}`
    ),
    (rows) => Number(rows[0]!.value)
  )
