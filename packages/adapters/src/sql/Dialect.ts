import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { Fragment, Statement } from "@effect/sql/Statement"
import { Context, Effect, Layer, Option } from "effect"
import { SqliteDriver } from "./SqliteDriver.js"

/**
 * Every difference between SQLite and PostgreSQL that the repositories see lives here (the
 * migrations hold the DDL differences). Repositories are written once against this and `SqlClient`.
 */

/** A constraint a statement violated, as the driver reports it. */
export interface Violation {
  readonly _tag: "Unique" | "ForeignKey"
  /** The columns named by the driver, when it names them (SQLite does not for foreign keys). */
  readonly columns: ReadonlyArray<string>
}

export class Dialect extends Context.Tag("@taskdesk/adapters/sql/Dialect")<
  Dialect,
  {
    readonly name: "sqlite" | "pg"
    /**
     * Runs `effect` in a transaction; inside one already, as a savepoint. SQLite begins with
     * `BEGIN IMMEDIATE`, so a transaction that reads before it writes cannot fail on another
     * process's lock: it waits for it (busy timeout) before it starts.
     */
    readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
    /** Runs `effect` in the current transaction, or in a new one if the fiber is in none. */
    readonly atomically: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
    /**
     * Runs an append to the event log so that sequences grow in commit order. PostgreSQL takes a
     * transaction-scoped advisory lock first (held until commit); SQLite has one writer anyway.
     */
    readonly appendingEvent: <A, E, R>(insert: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
    /**
     * Runs several reads against one state of the database (statistics): inside a transaction,
     * in it; otherwise in a new one: a deferred (read) transaction on SQLite, REPEATABLE READ on PostgreSQL.
     */
    readonly consistentRead: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
    /**
     * Runs a statement. On SQLite it goes straight to the connection (one step instead of the
     * client's span, scope and acquire: a third of a point read); on PostgreSQL it is the statement.
     */
    readonly query: <A extends object>(statement: Statement<A>) => Effect.Effect<ReadonlyArray<A>, SqlError>
    /**
     * Appended to a `SELECT` that picks rows to claim: PostgreSQL locks them and skips those another
     * claimer holds; SQLite, with one writer, needs nothing.
     */
    readonly forUpdateSkipLocked: Fragment
    /**
     * Appended to a `SELECT` whose rows a rule depends on until commit: PostgreSQL locks them, so a
     * concurrent writer waits and a concurrent locker reads them again after this one commits;
     * SQLite, with one writer, needs nothing.
     */
    readonly forUpdate: Fragment
    /** `column` contains `needle` as a substring, compared exactly (callers lowercase both in TypeScript). */
    readonly contains: (column: string, needle: string) => Fragment
    /** The constraint a failed statement violated, if that is why it failed. */
    readonly violation: (error: SqlError) => Option.Option<Violation>
  }
>() {}

/** `Dialect.query`: how repositories run their statements. */
export type Query = Context.Tag.Service<Dialect>["query"]

/** The advisory lock key that orders event appends on PostgreSQL (any constant; "taskdesk" in ASCII). */
export const eventLogLockKey = 0x7461736b6465736bn

/** The advisory lock key that serialises migrations on PostgreSQL. */
export const migrationLockKey = 0x7461736b6d696772n

const inTransaction = Effect.map(Effect.serviceOption(SqlClient.TransactionConnection), Option.isSome)

const makeAtomically =
  (transaction: Context.Tag.Service<Dialect>["transaction"]) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
    Effect.flatMap(inTransaction, (inside) => (inside ? effect : transaction(effect)))

const sqliteCodes: Record<string, Violation["_tag"]> = {
  SQLITE_CONSTRAINT_UNIQUE: "Unique",
  SQLITE_CONSTRAINT_PRIMARYKEY: "Unique",
  SQLITE_CONSTRAINT_FOREIGNKEY: "ForeignKey"
}

const pgCodes: Record<string, Violation["_tag"]> = { "23505": "Unique", "23503": "ForeignKey" }

const causeOf = (error: SqlError): { code?: unknown; message?: unknown; detail?: unknown } =>
  typeof error.cause === "object" && error.cause !== null ? (error.cause as never) : {}

/** SQLite: "UNIQUE constraint failed: users.username_key, users.x" names table.column pairs. */
const sqliteViolation = (error: SqlError): Option.Option<Violation> => {
  const cause = causeOf(error)
  const tag = typeof cause.code === "string" ? sqliteCodes[cause.code] : undefined
  if (tag === undefined) return Option.none()
  const message = typeof cause.message === "string" ? cause.message : ""
  const listed = message.includes(":") ? message.slice(message.indexOf(":") + 1) : ""
  const columns = listed
    .split(",")
    .map((c) => c.trim().split(".").pop() ?? "")
    .filter((c) => c !== "")
  return Option.some({ _tag: tag, columns })
}

/** PostgreSQL: the detail reads "Key (username_key)=(x) already exists." or "… is not present in table …". */
const pgViolation = (error: SqlError): Option.Option<Violation> => {
  const cause = causeOf(error)
  const tag = typeof cause.code === "string" ? pgCodes[cause.code] : undefined
  if (tag === undefined) return Option.none()
  const detail = typeof cause.detail === "string" ? cause.detail : ""
  const match = /^Key \(([^)]*)\)=/.exec(detail)
  const columns = match?.[1] === undefined ? [] : match[1].split(",").map((c) => c.trim().replace(/^"|"$/g, ""))
  return Option.some({ _tag: tag, columns })
}

/** SQLite on `@effect/sql-sqlite-node`. */
export const layerSqlite: Layer.Layer<Dialect, never, SqlClient.SqlClient | SqliteDriver> = Layer.effect(
  Dialect,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const driver = yield* SqliteDriver
    // The client's own `withTransaction` begins with a deferred BEGIN; the driver's is the same
    // machinery (same connection tag, so nested `withTransaction` calls become savepoints) with
    // BEGIN IMMEDIATE and group commit.
    const transaction = driver.transaction
    return {
      name: "sqlite",
      query: <A extends object>(statement: Statement<A>) =>
        Effect.withFiberRuntime<ReadonlyArray<A>, SqlError>((fiber) => {
          const [text, params] = statement.compile()
          const inside = Context.getOption(fiber.currentContext, SqlClient.TransactionConnection)._tag === "Some"
          // The statement's row type is the caller's claim, as it is for the client's own execution.
          return driver.run(text, params, inside) as Effect.Effect<ReadonlyArray<A>, SqlError>
        }),
      transaction,
      atomically: makeAtomically(transaction),
      appendingEvent: (insert) => insert,
      forUpdateSkipLocked: sql.literal(""),
      forUpdate: sql.literal(""),
      // A read needs no write lock: the client's own deferred BEGIN gives it a snapshot.
      consistentRead: makeAtomically(sql.withTransaction),
      contains: (column, needle) => sql`instr(${sql(column)}, ${needle}) > 0`,
      violation: sqliteViolation
    }
  })
)

/** PostgreSQL on `@effect/sql-pg`. */
export const layerPg: Layer.Layer<Dialect, never, SqlClient.SqlClient> = Layer.effect(
  Dialect,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const transaction = sql.withTransaction
    const atomically = makeAtomically(transaction)
    const lock = sql`SELECT pg_advisory_xact_lock(${sql.literal(String(eventLogLockKey))})`
    return {
      name: "pg",
      query: (statement) => statement,
      transaction,
      atomically,
      appendingEvent: (insert) => atomically(Effect.zipRight(lock, insert)),
      forUpdateSkipLocked: sql.literal("FOR UPDATE SKIP LOCKED"),
      forUpdate: sql.literal("FOR UPDATE"),
      consistentRead: (effect) =>
        Effect.flatMap(inTransaction, (inside) =>
          inside ? effect : transaction(Effect.zipRight(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`, effect))
        ),
      contains: (column, needle) => sql`strpos(${sql(column)}, ${needle}) > 0`,
      violation: pgViolation
    }
  })
)
