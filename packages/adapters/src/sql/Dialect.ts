import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import type { Fragment, Statement } from "@effect/sql/Statement"
import { Cause, Context, Effect, Layer, Option } from "effect"
import { SqliteDriver } from "./SqliteDriver.js"

/**
 * Every difference between SQLite, PostgreSQL and MySQL (or MariaDB) that the repositories see
 * lives here (the migrations hold the DDL differences). Repositories are written once against this
 * and `SqlClient`.
 *
 * MySQL has no `RETURNING` and no `ON CONFLICT`: the writes that report what they did go through
 * `rowCount`, `insertSkippingTaken`, `insertReturningKey`, `writeReturning`, `updateReturning` and
 * `deleteReturning`, which use `RETURNING` where there is one and, on MySQL, the affected-row count,
 * the generated id, or a locking read in the same transaction.
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
    readonly name: "sqlite" | "pg" | "mysql"
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
     * Runs one of the core's transactions (`Transaction.run`). The core reads after it locks (its
     * event's append, `FOR UPDATE`) and expects those reads to see what the lock waited for, as
     * PostgreSQL's READ COMMITTED and SQLite's one writer give. MySQL's REPEATABLE READ fixes the
     * snapshot at the first read instead, so there the event log's lock is taken first: the core's
     * transactions take turns, each reading what the one before committed.
     */
    readonly coreTransaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
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
    /**
     * The rows an `UPDATE` or `DELETE` matched (on MySQL the connection reports found rows, not
     * changed ones, so a row set to the values it had counts).
     */
    readonly rowCount: (statement: Fragment) => Effect.Effect<number, SqlError>
    /** Inserts the rows a unique key does not refuse; the `id`s of those it inserted. */
    readonly insertSkippingTaken: (
      table: string,
      rows: ReadonlyArray<Record<string, unknown>>
    ) => Effect.Effect<ReadonlyArray<string>, SqlError>
    /** Inserts one row and returns the value its generated `column` (a sequence) took. */
    readonly insertReturningKey: (
      table: string,
      row: Record<string, unknown>,
      column: string
    ) => Effect.Effect<number, SqlError>
    /**
     * Appended to an `INSERT`: on a clash with the unique key of `conflict`, update the existing row
     * with `set` (MySQL: with any unique key, so `conflict` must be the only one a row can clash on).
     */
    readonly onConflictUpdate: (conflict: ReadonlyArray<string>, set: Fragment) => Fragment
    /** In `onConflictUpdate`'s `set`: the value the refused insert proposed for `column`. */
    readonly proposed: (column: string) => Fragment
    /**
     * Runs a write of at most one row and returns that row: `RETURNING returning`, or on MySQL
     * `reread` (a `SELECT` of the row by its key) when the write matched a row, in one transaction.
     */
    readonly writeReturning: <A extends object>(
      write: Fragment,
      returning: Fragment,
      reread: Statement<A>
    ) => Effect.Effect<ReadonlyArray<A>, SqlError>
    /**
     * `UPDATE table SET set WHERE where` and the updated rows' `returning` columns; with `pick`, only
     * the first `limit` rows in that order, skipping rows another transaction holds (a claim).
     */
    readonly updateReturning: <A extends object>(options: {
      readonly table: string
      readonly set: Fragment
      readonly where: Fragment
      readonly returning: Fragment
      readonly pick?: { readonly orderBy: Fragment; readonly limit: number } | undefined
    }) => Effect.Effect<ReadonlyArray<A>, SqlError>
    /** `DELETE FROM table WHERE where` and the deleted rows' `returning` columns; `key` is the primary key. */
    readonly deleteReturning: <A extends object>(options: {
      readonly table: string
      readonly key: string
      readonly where: Fragment
      readonly returning: Fragment
    }) => Effect.Effect<ReadonlyArray<A>, SqlError>
  }
>() {}

/** `Dialect.query`: how repositories run their statements. */
export type Query = Context.Tag.Service<Dialect>["query"]

/** The advisory lock key that orders event appends on PostgreSQL (any constant; "taskdesk" in ASCII). */
export const eventLogLockKey = 0x7461736b6465736bn

/** The advisory lock key that serialises migrations on PostgreSQL. */
export const migrationLockKey = 0x7461736b6d696772n

/** The row MySQL's event appends lock (`FOR UPDATE`, held until commit), in `taskdesk_locks`. */
export const mysqlEventLogLock = "events"

/**
 * `ORDER BY` terms for `column` in direction `dir` with NULLs last in both directions (PostgreSQL
 * and SQLite say `NULLS LAST`; MySQL sorts NULLs first unless asked by `column IS NULL`).
 */
export const orderNullsLast = (sql: SqlClient.SqlClient, column: string, dir: "ASC" | "DESC"): string =>
  sql.onDialectOrElse({
    mysql: () => `${column} IS NULL, ${column} ${dir}`,
    orElse: () => `${column} ${dir} NULLS LAST`
  })

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

/** MySQL: the error number names the constraint kind; the message names the key or the columns. */
const mysqlViolation = (error: SqlError): Option.Option<Violation> => {
  const cause = causeOf(error) as { errno?: unknown; message?: unknown }
  const message = typeof cause.message === "string" ? cause.message : ""
  switch (cause.errno) {
    // ER_DUP_ENTRY: "Duplicate entry 'x' for key 'users.username_key'" (MariaDB: without the table).
    // A key declared inline on a column is named for it; the primary key is `id` in every table.
    case 1062: {
      const key = /for key '([^']*)'/.exec(message)?.[1]?.split(".").pop() ?? ""
      return Option.some({ _tag: "Unique", columns: key === "" ? [] : [key === "PRIMARY" ? "id" : key] })
    }
    // ER_NO_REFERENCED_ROW_2 / ER_ROW_IS_REFERENCED_2: "… FOREIGN KEY (`task_id`) REFERENCES …".
    case 1451:
    case 1452: {
      const listed = /FOREIGN KEY \(([^)]*)\)/.exec(message)?.[1] ?? ""
      const columns = listed
        .split(",")
        .map((c) => c.trim().replace(/^`|`$/g, ""))
        .filter((c) => c !== "")
      return Option.some({ _tag: "ForeignKey", columns })
    }
    default:
      return Option.none()
  }
}

/** The `RETURNING` versions of the writes that report what they did (SQLite and PostgreSQL). */
const returningWrites = (sql: SqlClient.SqlClient, query: Context.Tag.Service<Dialect>["query"]) => ({
  rowCount: (statement: Fragment) => Effect.map(query(sql`${statement} RETURNING 1 AS one`), (rows) => rows.length),
  insertSkippingTaken: (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
    Effect.map(
      query(
        sql<{ readonly id: string }>`INSERT INTO ${sql(table)} ${sql.insert(rows)} ON CONFLICT DO NOTHING RETURNING id`
      ),
      (inserted) => inserted.map((r) => r.id)
    ),
  insertReturningKey: (table: string, row: Record<string, unknown>, column: string) =>
    Effect.map(
      query(sql<Record<string, unknown>>`INSERT INTO ${sql(table)} ${sql.insert(row)} RETURNING ${sql(column)}`),
      (rows) => Number(rows[0]![column])
    ),
  onConflictUpdate: (conflict: ReadonlyArray<string>, set: Fragment) =>
    sql`ON CONFLICT (${sql.literal(conflict.join(", "))}) DO UPDATE SET ${set}`,
  proposed: (column: string) => sql`excluded.${sql(column)}`,
  writeReturning: <A extends object>(write: Fragment, returning: Fragment, _reread: Statement<A>) =>
    query(sql<A>`${write} RETURNING ${returning}`)
})

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
    const query = <A extends object>(statement: Statement<A>) =>
      Effect.withFiberRuntime<ReadonlyArray<A>, SqlError>((fiber) => {
        const [text, params] = statement.compile()
        const inside = Context.getOption(fiber.currentContext, SqlClient.TransactionConnection)._tag === "Some"
        // The statement's row type is the caller's claim, as it is for the client's own execution.
        return driver.run(text, params, inside) as Effect.Effect<ReadonlyArray<A>, SqlError>
      })
    return {
      name: "sqlite",
      query,
      transaction,
      atomically: makeAtomically(transaction),
      appendingEvent: (insert) => insert,
      coreTransaction: transaction,
      forUpdateSkipLocked: sql.literal(""),
      forUpdate: sql.literal(""),
      // A read needs no write lock: the client's own deferred BEGIN gives it a snapshot.
      consistentRead: makeAtomically(sql.withTransaction),
      contains: (column, needle) => sql`instr(${sql(column)}, ${needle}) > 0`,
      violation: sqliteViolation,
      ...returningWrites(sql, query),
      updateReturning: (options) => returningUpdate(sql, query, options, ""),
      deleteReturning: (options) => returningDelete(sql, query, options)
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
    const query = <A extends object>(statement: Statement<A>) => statement as Effect.Effect<ReadonlyArray<A>, SqlError>
    return {
      name: "pg",
      query,
      transaction,
      atomically,
      appendingEvent: (insert) => atomically(Effect.zipRight(lock, insert)),
      coreTransaction: transaction,
      forUpdateSkipLocked: sql.literal("FOR UPDATE SKIP LOCKED"),
      forUpdate: sql.literal("FOR UPDATE"),
      consistentRead: (effect) =>
        Effect.flatMap(inTransaction, (inside) =>
          inside ? effect : transaction(Effect.zipRight(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`, effect))
        ),
      contains: (column, needle) => sql`strpos(${sql(column)}, ${needle}) > 0`,
      violation: pgViolation,
      ...returningWrites(sql, query),
      updateReturning: (options) => returningUpdate(sql, query, options, "FOR UPDATE SKIP LOCKED"),
      deleteReturning: (options) => returningDelete(sql, query, options)
    }
  })
)

type UpdateOptions = Parameters<Context.Tag.Service<Dialect>["updateReturning"]>[0]
type DeleteOptions = Parameters<Context.Tag.Service<Dialect>["deleteReturning"]>[0]

const returningUpdate = <A extends object>(
  sql: SqlClient.SqlClient,
  query: Context.Tag.Service<Dialect>["query"],
  { pick, returning, set, table, where }: UpdateOptions,
  skipLocked: string
) => {
  const t = sql(table)
  const rows =
    pick === undefined
      ? where
      : sql`id IN (SELECT id FROM ${t} WHERE ${where} ORDER BY ${pick.orderBy} LIMIT ${pick.limit} ${sql.literal(skipLocked)})`
  return query(sql<A>`UPDATE ${t} SET ${set} WHERE ${rows} RETURNING ${returning}`)
}

const returningDelete = <A extends object>(
  sql: SqlClient.SqlClient,
  query: Context.Tag.Service<Dialect>["query"],
  { returning, table, where }: DeleteOptions
) => query(sql<A>`DELETE FROM ${sql(table)} WHERE ${where} RETURNING ${returning}`)

/** How often a MySQL transaction chosen as a deadlock's victim is run again. */
const deadlockRetries = 10

/** Whether a transaction failed (or died, as repositories turn driver errors into defects) of a deadlock. */
const isDeadlock = (cause: Cause.Cause<unknown>): boolean =>
  [...Cause.failures(cause), ...Cause.defects(cause)].some(
    (error) => error instanceof SqlError && (causeOf(error) as { errno?: unknown }).errno === 1213
  )

/** What mysql2 answers a write with. */
interface ResultHeader {
  readonly affectedRows?: number
  readonly insertId?: number
}

/**
 * MySQL or MariaDB on `@effect/sql-mysql2`. Transactions run at the server's default isolation,
 * REPEATABLE READ, which `consistentRead` relies on.
 */
export const layerMysql: Layer.Layer<Dialect, never, SqlClient.SqlClient> = Layer.effect(
  Dialect,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // InnoDB resolves a deadlock by rolling one transaction back and asking for it to be run again
    // (a foreign key check takes a shared lock on the parent row, which PostgreSQL's weaker key-share
    // lock avoids): an outermost transaction is run again a few times, at once, as the winner goes on.
    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
      Effect.flatMap(inTransaction, (inside) => {
        const once = sql.withTransaction(effect)
        if (inside) return once
        const attempt = (left: number): Effect.Effect<A, E | SqlError, R> =>
          Effect.catchAllCause(once, (cause) =>
            left > 0 && isDeadlock(cause) ? attempt(left - 1) : Effect.failCause(cause)
          )
        return attempt(deadlockRetries)
      })
    const atomically = makeAtomically(transaction)
    const lockEventLog = sql`SELECT name FROM taskdesk_locks WHERE name = ${mysqlEventLogLock} FOR UPDATE`
    const query = <A extends object>(statement: Statement<A>) => statement as Effect.Effect<ReadonlyArray<A>, SqlError>
    const header = (statement: Fragment) =>
      Effect.map(sql`${statement}`.raw, (result) => (Array.isArray(result) ? {} : (result as ResultHeader)))
    const rowCount = (statement: Fragment) => Effect.map(header(statement), (h) => h.affectedRows ?? 0)
    const insert = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
      header(sql`INSERT INTO ${sql(table)} ${sql.insert(rows)}`)
    const isUnique = (error: SqlError) => Option.exists(mysqlViolation(error), (v) => v._tag === "Unique")
    const insertOne = (table: string, row: Record<string, unknown>) =>
      // A statement that fails leaves MySQL's transaction usable: only the statement is undone.
      insert(table, [row]).pipe(
        Effect.as([String(row.id)]),
        Effect.catchIf(isUnique, () => Effect.succeed([]))
      )
    // The ids of the rows a locking read picked, and those rows' ids as an IN list.
    const lockedIds = (table: string, where: Fragment, tail: Fragment) =>
      Effect.map(sql<{ readonly id: string }>`SELECT id FROM ${sql(table)} WHERE ${where} ${tail}`, (rows) =>
        rows.map((r) => r.id)
      )
    return {
      name: "mysql",
      query,
      transaction,
      atomically,
      appendingEvent: (insert) => atomically(Effect.zipRight(lockEventLog, insert)),
      // A locking read makes no snapshot: the transaction's first snapshot comes after the lock.
      coreTransaction: (effect) =>
        Effect.flatMap(inTransaction, (inside) =>
          inside ? transaction(effect) : transaction(Effect.zipRight(lockEventLog, effect))
        ),
      forUpdateSkipLocked: sql.literal("FOR UPDATE SKIP LOCKED"),
      forUpdate: sql.literal("FOR UPDATE"),
      // REPEATABLE READ: the first read of the transaction fixes the snapshot the others see.
      consistentRead: atomically,
      contains: (column, needle) => sql`INSTR(${sql(column)}, ${needle}) > 0`,
      violation: mysqlViolation,
      rowCount,
      insertSkippingTaken: (table, rows) =>
        rows.length === 1
          ? insertOne(table, rows[0]!)
          : insert(table, rows).pipe(
              Effect.as(rows.map((r) => String(r.id))),
              // Row by row, to tell which were taken (the failed statement inserted none of them).
              Effect.catchIf(isUnique, () =>
                Effect.map(
                  Effect.forEach(rows, (row) => insertOne(table, row)),
                  (ids) => ids.flat()
                )
              )
            ),
      insertReturningKey: (table, row) => Effect.map(insert(table, [row]), (h) => Number(h.insertId)),
      onConflictUpdate: (_conflict, set) => sql`ON DUPLICATE KEY UPDATE ${set}`,
      proposed: (column) => sql`VALUES(${sql(column)})`,
      writeReturning: (write, _returning, reread) =>
        atomically(Effect.flatMap(rowCount(write), (n) => (n === 0 ? Effect.succeed([]) : reread))),
      updateReturning: <A extends object>({ pick, returning, set, table, where }: UpdateOptions) =>
        atomically(
          Effect.gen(function* () {
            const tail =
              pick === undefined
                ? sql.literal("FOR UPDATE")
                : sql`ORDER BY ${pick.orderBy} LIMIT ${pick.limit} FOR UPDATE SKIP LOCKED`
            const ids = yield* lockedIds(table, where, tail)
            if (ids.length === 0) return []
            yield* sql`UPDATE ${sql(table)} SET ${set} WHERE ${sql.in("id", ids)}`
            return yield* sql<A>`SELECT ${returning} FROM ${sql(table)} WHERE ${sql.in("id", ids)}`
          })
        ),
      deleteReturning: <A extends object>({ key, returning, table, where }: DeleteOptions) =>
        atomically(
          Effect.gen(function* () {
            const rows = yield* sql<
              A & { readonly taskdesk_key: string }
            >`SELECT ${sql(key)} AS taskdesk_key, ${returning}
              FROM ${sql(table)} WHERE ${where} FOR UPDATE`
            if (rows.length === 0) return []
            yield* sql`DELETE FROM ${sql(table)} WHERE ${sql.in(
              key,
              rows.map((r) => r.taskdesk_key)
            )}`
            return rows.map(({ taskdesk_key: _, ...row }) => row as unknown as A)
          })
        )
    }
  })
)
