import type { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Option } from "effect"
import { orderNullsLast } from "./Dialect.js"

/**
 * Keyset pagination in SQL for the core's sort keys (`TaskQuery.sortKey`, `RepairQuery.sortKey`):
 * a value, then the id, in one direction; or, for a nullable time, `[missing ? 1 : 0, millis, id]`
 * with the rows that have none last in both orders. Ids compare bytewise (BINARY in SQLite,
 * `COLLATE "C"` in PostgreSQL), as JavaScript's `<` does for the ids taskdesk makes.
 */

/**
 * The column a list sorts by and the id column that breaks ties (both as written in the query,
 * e.g. `t.created_at`); `nullsLast` for an optional time whose absent values come last.
 */
export interface SortColumn {
  readonly column: string
  readonly id: string
  readonly nullsLast: boolean
}

export interface KeysetClauses {
  /** Rows strictly after the key, when there is one. */
  readonly after: Option.Option<Fragment>
  readonly orderBy: Fragment
}

type SortKey = ReadonlyArray<string | number>

const isKey = (key: SortKey, shape: ReadonlyArray<"number" | "string">) =>
  key.length === shape.length && shape.every((type, i) => typeof key[i] === type)

/**
 * The WHERE condition and ORDER BY for a page; `undefined` when `after` cannot be a key this sort
 * handed out (a forged or stale cursor), which callers answer with an empty page.
 */
export const keyset = (
  sql: SqlClient.SqlClient,
  sort: SortColumn,
  order: "asc" | "desc",
  after: Option.Option<SortKey>
): KeysetClauses | undefined => {
  const dir = order === "asc" ? "ASC" : "DESC"
  const op = sql.literal(order === "asc" ? ">" : "<")
  const column = sql.literal(sort.column)
  const id = sql.literal(sort.id)
  if (sort.nullsLast) {
    const orderBy = sql.literal(`${orderNullsLast(sql, sort.column, dir)}, ${sort.id} ${dir}`)
    if (Option.isNone(after)) return { after: Option.none(), orderBy }
    const key = after.value
    if (!isKey(key, ["number", "number", "string"])) return undefined
    return {
      after: Option.some(
        key[0] === 0
          ? sql`(${column} IS NULL OR (${column}, ${id}) ${op} (${key[1]}, ${key[2]}))`
          : sql`(${column} IS NULL AND ${id} ${op} ${key[2]})`
      ),
      orderBy
    }
  }
  const orderBy = sql.literal(`${sort.column} ${dir}, ${sort.id} ${dir}`)
  if (Option.isNone(after)) return { after: Option.none(), orderBy }
  const key = after.value
  if (!isKey(key, ["number", "string"])) return undefined
  return { after: Option.some(sql`(${column}, ${id}) ${op} (${key[0]}, ${key[1]})`), orderBy }
}
