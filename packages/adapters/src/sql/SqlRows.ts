import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Errors } from "@taskdesk/core"
import { Effect, type ParseResult } from "effect"
import type { RowDecoder } from "./Columns.js"
import type { Query } from "./Dialect.js"
import { missingOrConflict } from "./SqlErrors.js"

/**
 * The statements every versioned table shares. Writes report clashes through their result rows
 * (`ON CONFLICT DO NOTHING`, `WHERE version = ?` with `RETURNING`) rather than by failing, so a
 * PostgreSQL transaction stays usable after a refused write.
 */

type Row = Record<string, unknown>

/** Inserts `row` unless a unique key is taken; `true` when it was inserted. */
export const insertIfNew = (
  sql: SqlClient.SqlClient,
  query: Query,
  table: string,
  row: Row
): Effect.Effect<boolean, SqlError> =>
  Effect.map(
    query(sql`INSERT INTO ${sql(table)} ${sql.insert(row)} ON CONFLICT DO NOTHING RETURNING id`),
    (rows) => rows.length > 0
  )

/** Inserts `row`, or fails with `DuplicateKey` on its id (for tables whose only unique key is the id). */
export const insertNew = (
  sql: SqlClient.SqlClient,
  query: Query,
  table: string,
  entity: string,
  row: Row & { readonly id: string }
): Effect.Effect<void, Errors.DuplicateKey | SqlError> =>
  Effect.flatMap(insertIfNew(sql, query, table, row), (inserted) =>
    inserted ? Effect.void : Effect.fail(new Errors.DuplicateKey({ entity, field: "id", value: row.id }))
  )

/** `UPDATE … WHERE id = ? AND version = ?`: fails with `VersionConflict` or `NotFound` when no row matched. */
export const updateAtVersion = (
  sql: SqlClient.SqlClient,
  query: Query,
  table: string,
  entity: string,
  row: Row & { readonly id: string },
  expectedVersion: number
): Effect.Effect<void, Errors.VersionConflict | Errors.NotFound | SqlError> => {
  const { id, ...changes } = row
  return Effect.flatMap(
    query(
      sql`UPDATE ${sql(table)} SET ${sql.update(changes)} WHERE id = ${id} AND version = ${expectedVersion} RETURNING id`
    ),
    (rows) => (rows.length > 0 ? Effect.void : missingOrConflict(sql, query, table, entity, id, expectedVersion))
  )
}

/** `DELETE … WHERE id = ? AND version = ?`: fails with `VersionConflict` or `NotFound` when no row matched. */
export const deleteAtVersion = (
  sql: SqlClient.SqlClient,
  query: Query,
  table: string,
  entity: string,
  id: string,
  expectedVersion: number
): Effect.Effect<void, Errors.VersionConflict | Errors.NotFound | SqlError> =>
  Effect.flatMap(
    query(sql`DELETE FROM ${sql(table)} WHERE id = ${id} AND version = ${expectedVersion} RETURNING id`),
    (rows) => (rows.length > 0 ? Effect.void : missingOrConflict(sql, query, table, entity, id, expectedVersion))
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
export const nextCounter = (sql: SqlClient.SqlClient, query: Query, name: string): Effect.Effect<number, SqlError> =>
  Effect.map(
    query(
      sql<{ readonly value: number }>`INSERT INTO counters (name, value) VALUES (${name}, 1)
        ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`
    ),
    (rows) => Number(rows[0]!.value)
  )
