import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import { Dialect, migrationLockKey } from "./Dialect.js"
import { loader } from "./migrations/index.js"

/** The table that records which migrations ran. */
export const table = "taskdesk_migrations"

const migrate = Migrator.make({})

/**
 * Brings the schema up to date and returns the migrations it ran. Safe when several processes
 * start at once: the whole run is one transaction that first takes a lock (PostgreSQL: an
 * advisory lock; SQLite: `BEGIN IMMEDIATE`, the write lock), so a second process waits, then
 * finds nothing left to do. A failed migration rolls back entirely.
 */
export const run: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient | Dialect
> = Effect.suspend(() => runUpTo(Number.MAX_SAFE_INTEGER))

/** Like `run`, but stops after migration `last` (for tests of upgrades, and for staged roll-outs). */
export const runUpTo = (
  last: number
): Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient | Dialect
> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const lock = sql.onDialectOrElse({
      pg: () => sql`SELECT pg_advisory_xact_lock(${sql.literal(String(migrationLockKey))})`,
      orElse: () => Effect.void
    })
    // Created here, under the lock, because the migrator's own check-then-create races on PostgreSQL.
    const createTable = sql.unsafe(
      sql.onDialectOrElse({
        pg: () => `CREATE TABLE IF NOT EXISTS ${table} (
        migration_id integer PRIMARY KEY,
        created_at timestamp with time zone NOT NULL DEFAULT now(),
        name text NOT NULL
      )`,
        orElse: () => `CREATE TABLE IF NOT EXISTS ${table} (
        migration_id integer PRIMARY KEY NOT NULL,
        created_at datetime NOT NULL DEFAULT current_timestamp,
        name VARCHAR(255) NOT NULL
      )`
      })
    )
    return yield* dialect.transaction(
      Effect.gen(function* () {
        yield* lock
        yield* createTable
        return yield* migrate({
          loader: Effect.map(loader, (all) => all.filter(([id]) => id <= last)),
          table
        })
      })
    )
  })
