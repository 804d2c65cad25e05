import type { SqlClient } from "@effect/sql"

/**
 * Column types per dialect, for migrations. Frozen like the migrations that use them: add a new
 * name rather than change one.
 *
 * PostgreSQL text sorts and compares with `COLLATE "C"` (code point order), as JavaScript's `<`
 * and SQLite's BINARY collation do; timestamps are integer epoch milliseconds in both dialects.
 */
export const typesOf = (sql: SqlClient.SqlClient) =>
  sql.onDialectOrElse({
    pg: () => ({
      text: `text COLLATE "C"`,
      integer: "integer",
      bigint: "bigint",
      boolean: "boolean",
      double: "double precision",
      sequence: "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    }),
    orElse: () => ({
      text: "TEXT",
      integer: "INTEGER",
      bigint: "INTEGER",
      boolean: "INTEGER",
      double: "REAL",
      sequence: "INTEGER PRIMARY KEY NOT NULL"
    })
  })
