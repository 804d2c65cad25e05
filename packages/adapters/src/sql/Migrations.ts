import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Context, Effect } from "effect"
import { Dialect, migrationLockKey } from "./Dialect.js"
import { loader } from "./migrations/index.js"

/** The table that records which migrations ran. */
export const table = "taskdesk_migrations"

const migrate = Migrator.make({})

/**
 * Brings the schema up to date and returns the migrations it ran. Safe when several processes
 * start at once: the run first takes a lock (PostgreSQL: an advisory lock; SQLite: `BEGIN
 * IMMEDIATE`, the write lock; MySQL: `GET_LOCK`), so a second process waits, then finds nothing
 * left to do. On SQLite and PostgreSQL the whole run is one transaction: a failed migration rolls
 * back entirely. MySQL commits every DDL statement as it runs, so there each migration is recorded
 * in a transaction of its own once its statements succeeded: a failed one is not recorded, the ones
 * before it are, and what the failed one created before it failed stays (see docs/architecture.md).
 */
export const run: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient | Dialect
> = Effect.suspend(() => runUpTo(Number.MAX_SAFE_INTEGER))

/** How long a MySQL process waits for another one's migrations before it gives up. */
const mysqlLockSeconds = 300

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
    const upTo = (id: number) => Effect.map(loader, (all) => all.filter(([k]) => k <= id))
    if (dialect.name === "mysql") {
      return yield* Effect.scoped(
        Effect.gen(function* () {
          yield* mysqlLock(sql)
          yield* createTable
          const pending = yield* upTo(last)
          const ran: Array<readonly [id: number, name: string]> = []
          for (const [id] of pending) {
            // Not inside a transaction of ours: the migrator's own CREATE TABLE IF NOT EXISTS would commit
            // it, and the record would be written outside any. The migrator records in a transaction.
            ran.push(...(yield* migrate({ loader: Effect.map(upTo(id), outside), table })))
          }
          return ran
        })
      )
    }
    return yield* dialect.transaction(
      Effect.gen(function* () {
        yield* lock
        yield* createTable
        return yield* migrate({ loader: upTo(last), table })
      })
    )
  })

/**
 * MySQL: `GET_LOCK` on a connection of its own, held until the scope closes. It belongs to the
 * session, not to a transaction, so the implicit commits of DDL statements do not release it.
 */
const mysqlLock = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    const conn = yield* sql.reserve
    const name = "taskdesk_migrations"
    yield* Effect.acquireRelease(
      Effect.flatMap(
        conn.executeUnprepared(`SELECT GET_LOCK('${name}', ${mysqlLockSeconds}) AS got`, [], undefined),
        (rows) =>
          Number((rows[0] as { readonly got?: unknown } | undefined)?.got) === 1
            ? Effect.void
            : Effect.fail(
                new Migrator.MigrationError({
                  reason: "locked",
                  message: `another process held the migration lock for ${mysqlLockSeconds} seconds`
                })
              )
      ),
      () => Effect.ignore(conn.executeUnprepared(`SELECT RELEASE_LOCK('${name}')`, [], undefined))
    )
  })

/**
 * MySQL: each migration's statements run outside the transaction that records it, on connections
 * of their own. A DDL statement commits the transaction of its connection, so on the recording
 * connection the record would be committed before the migration had finished.
 */
const outside = (migrations: ReadonlyArray<Migrator.ResolvedMigration>): ReadonlyArray<Migrator.ResolvedMigration> =>
  migrations.map(([id, name, load]) => [
    id,
    name,
    Effect.map(load, (loaded) =>
      Effect.isEffect(loaded) ? Effect.mapInputContext(loaded, Context.omit(SqlClient.TransactionConnection)) : loaded
    )
  ])
