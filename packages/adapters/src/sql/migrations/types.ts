import type { SqlClient } from "@effect/sql"

/**
 * Column types per dialect, for migrations. Frozen like the migrations that use them: add a new
 * name rather than change one.
 *
 * PostgreSQL text sorts and compares with `COLLATE "C"` (code point order), as JavaScript's `<`
 * and SQLite's BINARY collation do; MySQL and MariaDB with `utf8mb4_bin` (code point order too).
 * Timestamps are integer epoch milliseconds in every dialect.
 *
 * `key` is text that a key or an index covers (ids, names, statuses, tags): MySQL cannot index
 * unbounded `TEXT`, so there it is a `VARCHAR(255)`, which every such value of the core fits (its
 * schemas cap them at 200 characters or fewer) and which keeps four of them within InnoDB's
 * 3072-byte index key. `text` is everything else, unbounded. In SQLite and PostgreSQL the two are the
 * same type. A new indexed text column must be a `key`, or the migration fails on MySQL.
 */
export const typesOf = (sql: SqlClient.SqlClient) =>
  sql.onDialectOrElse({
    pg: () => ({
      text: `text COLLATE "C"`,
      key: `text COLLATE "C"`,
      integer: "integer",
      bigint: "bigint",
      boolean: "boolean",
      double: "double precision",
      sequence: "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    }),
    mysql: () => ({
      text: "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
      key: "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
      integer: "INTEGER",
      bigint: "BIGINT",
      boolean: "BOOLEAN",
      double: "DOUBLE",
      sequence: "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"
    }),
    orElse: () => ({
      text: "TEXT",
      key: "TEXT",
      integer: "INTEGER",
      bigint: "INTEGER",
      boolean: "INTEGER",
      double: "REAL",
      sequence: "INTEGER PRIMARY KEY NOT NULL"
    })
  })
