import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import type { Connection } from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import * as Statement from "@effect/sql/Statement"
import { Context, Deferred, Effect, Exit, FiberId, Layer, Scope } from "effect"
import Database from "./SqliteEngine.js"

/**
 * A `SqlClient` over one better-sqlite3 connection: `@effect/sql`'s own client and SQLite compiler
 * (what `@effect/sql-sqlite-node` builds on), with a leaner connection. The stock client takes a
 * semaphore permit and looks the prepared statement up in an Effect `Cache` for every statement,
 * about 6 µs each, a third of a point read; measured in docs/performance.md.
 *
 * One connection writes. better-sqlite3 runs each statement synchronously, so a statement outside
 * a transaction runs at once unless a transaction holds the connection; then a query runs on the
 * read-only connection (files only) and anything else waits. Transactions take the writer one at a time.
 *
 * Write transactions (`SqliteDriver.transaction`) commit in groups. With `synchronous=FULL` every
 * COMMIT waits for the disk (about 0.5 ms here, more than the rest of a task's creation), so
 * transactions that queue while one runs join its physical transaction, each inside its own
 * savepoint (a failure rolls back only its own work), and one COMMIT makes the group durable. No
 * transaction returns before its group's COMMIT has succeeded, a failed COMMIT fails every member,
 * and nothing unsaved is ever visible outside the group: a query outside transactions waits for
 * the COMMIT (or, while a transaction runs, reads on a second, read-only connection: WAL gives it
 * the last committed state), and other statements end the group first.
 */

/**
 * The connection itself, for `Dialect.query`: runs compiled SQL in one step, skipping the client's
 * per-statement span and scope. `insideTransaction` says the caller runs in the open transaction.
 */
export class SqliteDriver extends Context.Tag("@taskdesk/adapters/sql/SqliteDriver")<
  SqliteDriver,
  {
    readonly run: (
      sql: string,
      params: ReadonlyArray<unknown>,
      insideTransaction: boolean
    ) => Effect.Effect<ReadonlyArray<object>, SqlError>
    /**
     * Runs `effect` in a write transaction (`BEGIN IMMEDIATE`), committed with the others queued
     * beside it; inside a transaction already, as a savepoint (`SqlClient.TransactionConnection`,
     * as `withTransaction` nests).
     */
    readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
  }
>() {}

export interface SqliteDriverConfig {
  /** A file path, or `:memory:`. */
  readonly filename: string
  /** How many prepared statements to keep, least recently prepared dropped first. Default 500. */
  readonly preparedStatements?: number | undefined
  /**
   * SQLite's page cache per connection, in KiB. Default 32 MiB: SQLite's own 2 MiB holds a few
   * thousand tasks with their indexes, and every page beyond it is a read from the file.
   */
  readonly cacheKib?: number | undefined
  /** The most write transactions one COMMIT makes durable. Default 64; 1 commits each on its own. */
  readonly maxGroupSize?: number | undefined
}

/** A write transaction's hold on the connection: its acknowledgement, once it has committed into a group. */
interface Lease {
  ack: Deferred.Deferred<void, SqlError> | undefined
}

const leases = new WeakMap<Connection, Lease>()

const failure = (cause: unknown) => new SqlError({ cause, message: "Failed to execute statement" })

/** Opens the database for the scope's lifetime and returns a `SqlClient` on it, and the connection. */
export const make = (
  config: SqliteDriverConfig
): Effect.Effect<readonly [SqlClient.SqlClient, SqliteDriver["Type"]], SqlError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => new Database(config.filename),
        catch: (cause) => new SqlError({ cause, message: `Failed to open ${config.filename}` })
      }),
      (db) => Effect.sync(() => db.close())
    )
    db.pragma("journal_mode = WAL")
    const cachePragma = `cache_size = -${Math.max(1, Math.round(config.cacheKib ?? 32768))}`
    db.pragma(cachePragma)

    const capacity = config.preparedStatements ?? 500
    const preparer = (connection: Database.Database) => {
      const prepared = new Map<string, Database.Statement>()
      return (sql: string): Database.Statement => {
        let statement = prepared.get(sql)
        if (statement === undefined) {
          statement = connection.prepare(sql)
          prepared.set(sql, statement)
          if (prepared.size > capacity) prepared.delete(prepared.keys().next().value!)
        }
        return statement
      }
    }
    const prepare = preparer(db)

    // A file has a second, read-only connection for queries outside transactions while a transaction
    // runs: in WAL mode it reads the last committed state at once instead of waiting for the
    // transaction. An in-memory database has only the one connection.
    const isFile = config.filename !== "" && config.filename !== ":memory:" && !config.filename.startsWith("file:")
    const reader = !isFile
      ? undefined
      : yield* Effect.acquireRelease(
          Effect.try({
            try: () => new Database(config.filename, { readonly: true, fileMustExist: true }),
            catch: (cause) => new SqlError({ cause, message: `Failed to open ${config.filename} for reading` })
          }),
          (reader) => Effect.sync(() => reader.close())
        )
    reader?.pragma(cachePragma)
    const prepareRead = reader === undefined ? undefined : preparer(reader)
    const queryText = /^\s*(SELECT|WITH)\b/i
    /** A statement that only reads, by its text (better-sqlite3 knows for sure once it is prepared). */
    const isQuery = (sql: string, mode: "rows" | "raw" | "values" | "unprepared") =>
      mode !== "unprepared" && queryText.test(sql)

    const runStatement = (
      statement: Database.Statement,
      params: ReadonlyArray<unknown>,
      mode: "rows" | "raw" | "values" | "unprepared"
    ): Effect.Effect<ReadonlyArray<object>, SqlError> => {
      if (!statement.reader) {
        const result = statement.run(...params)
        // `raw` answers better-sqlite3's run result (changes, last row id), as the stock client does.
        return Effect.succeed(mode === "raw" ? (result as unknown as ReadonlyArray<object>) : [])
      }
      if (mode !== "values") return Effect.succeed(statement.all(...params) as ReadonlyArray<object>)
      statement.raw(true)
      try {
        return Effect.succeed(statement.all(...params) as ReadonlyArray<object>)
      } finally {
        statement.raw(false)
      }
    }

    const runNow = (
      sql: string,
      params: ReadonlyArray<unknown>,
      mode: "rows" | "raw" | "values" | "unprepared"
    ): Effect.Effect<ReadonlyArray<object>, SqlError> => {
      try {
        return runStatement(mode === "unprepared" ? db.prepare(sql) : prepare(sql), params, mode)
      } catch (cause) {
        return Effect.fail(failure(cause))
      }
    }

    /** A query on the read-only connection; undefined for anything else (writes, pragmas), which needs the writer. */
    const runOnReader = (
      sql: string,
      params: ReadonlyArray<unknown>,
      mode: "rows" | "raw" | "values" | "unprepared"
    ): Effect.Effect<ReadonlyArray<object>, SqlError> | undefined => {
      if (prepareRead === undefined || !isQuery(sql, mode)) return undefined
      try {
        const statement = prepareRead(sql)
        return statement.reader ? runStatement(statement, params, mode) : undefined
      } catch (cause) {
        return Effect.fail(failure(cause))
      }
    }

    const semaphore = yield* Effect.makeSemaphore(1)
    // A transaction holds the permit.
    let held = false
    // The open physical transaction's committed members, awaiting its COMMIT; undefined when none is open.
    let group: Array<Deferred.Deferred<void, SqlError>> | undefined
    // Done when the open group's COMMIT has run (or failed): queries outside wait for it.
    let groupEnded: Deferred.Deferred<void> | undefined
    let flushQueued = false
    const maxGroupSize = Math.max(1, config.maxGroupSize ?? 64)

    const exec = (sql: string) => {
      prepare(sql).run()
    }

    /** Closes the open group: every member learns how its COMMIT went. */
    const settle = (exit: Exit.Exit<void, SqlError>): void => {
      const members = group ?? []
      const ended = groupEnded
      group = undefined
      groupEnded = undefined
      if (ended !== undefined) Deferred.unsafeDone(ended, Exit.void)
      flushQueued = false
      for (const member of members) Deferred.unsafeDone(member, exit)
    }

    /** Ends the open group, if any, with its COMMIT. Holding the permit. */
    const flush = (): void => {
      if (group === undefined) return
      try {
        exec("COMMIT")
        settle(Exit.void)
      } catch (cause) {
        if (db.inTransaction) exec("ROLLBACK")
        settle(Exit.fail(failure(cause)))
      }
    }

    /** SQLite ended the physical transaction itself (an I/O error, a full disk): its members are lost. */
    const abandon = (cause: unknown): void => settle(Exit.fail(failure(cause)))

    /** Ends the open group first (taking the writer from any transaction), then runs the statement. */
    const runAfterCommit = (
      sql: string,
      params: ReadonlyArray<unknown>,
      mode: "rows" | "raw" | "values" | "unprepared"
    ) =>
      semaphore.withPermits(1)(
        Effect.suspend(() => {
          flush()
          return runNow(sql, params, mode)
        })
      )

    /**
     * Where a statement outside a transaction runs: at once while the writer is free. While a
     * transaction runs, a query reads on the read-only connection. While a group only awaits its
     * COMMIT (the flusher runs next turn), a query waits for that COMMIT rather than forcing it: an
     * early COMMIT would break the group up, and the reader would find its page cache stale after
     * every group (measured: a 90/10 mix costs half as much CPU again). A query that has waited
     * once, and any other statement, ends the group at once.
     */
    const runWhenFree = (
      sql: string,
      params: ReadonlyArray<unknown>,
      mode: "rows" | "raw" | "values" | "unprepared",
      insideTransaction: boolean,
      waited = false
    ): Effect.Effect<ReadonlyArray<object>, SqlError> => {
      if (insideTransaction || (!held && group === undefined)) return runNow(sql, params, mode)
      if (held) return runOnReader(sql, params, mode) ?? runAfterCommit(sql, params, mode)
      if (!waited && groupEnded !== undefined && isQuery(sql, mode)) {
        return Effect.zipRight(
          Deferred.await(groupEnded),
          Effect.suspend(() => runWhenFree(sql, params, mode, false, true))
        )
      }
      return runAfterCommit(sql, params, mode)
    }

    const connection = (insideTransaction: boolean): Connection => {
      const run = (sql: string, params: ReadonlyArray<unknown>, mode: "rows" | "raw" | "values" | "unprepared") =>
        Effect.suspend(() => runWhenFree(sql, params, mode, insideTransaction))
      return {
        execute: (sql, params, transformRows) =>
          transformRows ? Effect.map(run(sql, params, "rows"), transformRows) : run(sql, params, "rows"),
        executeRaw: (sql, params) => run(sql, params, "raw"),
        executeValues: (sql, params) =>
          run(sql, params, "values") as Effect.Effect<ReadonlyArray<ReadonlyArray<unknown>>, SqlError>,
        executeUnprepared: (sql, params, transformRows) =>
          transformRows
            ? Effect.map(run(sql, params ?? [], "unprepared"), transformRows)
            : run(sql, params ?? [], "unprepared"),
        executeStream: () => Effect.dieMessage("executeStream is not supported by the SQLite driver") as never
      }
    }

    const outside = connection(false)
    const inside = connection(true)

    /** Takes the connection for a transaction; `grouped` ones may join the open group, others end it first. */
    const acquire = (grouped: boolean) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(
          restore(semaphore.take(1)),
          Effect.flatMap(Effect.scope, (scope) => {
            if (!grouped) flush()
            held = true
            const lease: Lease = { ack: undefined }
            const leased: Connection = { ...inside }
            leases.set(leased, lease)
            return Effect.as(Scope.addFinalizer(scope, release(lease)), leased)
          })
        )
      )

    // Closing with a group open (its flusher not yet run) commits it, so no member waits forever.
    yield* Effect.addFinalizer(() => semaphore.withPermits(1)(Effect.sync(flush)))

    // The group's COMMIT waits one turn of the event loop, so requests whose input has arrived
    // reach their transactions and join the group, and then behind the transactions queued by then.
    const nextTurn = Effect.async<void>((resume) => {
      const handle = setImmediate(() => resume(Effect.void))
      return Effect.sync(() => clearImmediate(handle))
    })
    const flusher = Effect.zipRight(nextTurn, semaphore.withPermits(1)(Effect.sync(flush)))

    const release = (lease: Lease) =>
      Effect.suspend(() => {
        // One flusher per group: the first member to finish queues it; a full group commits now.
        let queueFlush = false
        if (group !== undefined) {
          if (group.length >= maxGroupSize) flush()
          else if (!flushQueued) {
            flushQueued = true
            queueFlush = true
          }
        }
        held = false
        const released = Effect.zipRight(
          semaphore.release(1),
          queueFlush ? Effect.asVoid(Effect.forkDaemon(flusher)) : Effect.void
        )
        // A failed COMMIT is a defect, as the client reports its own COMMIT failures.
        return lease.ack === undefined ? released : Effect.zipRight(released, Effect.orDie(Deferred.await(lease.ack)))
      })

    const transactionAcquirer = acquire(false)

    const leaseOf = (connection: Connection): Lease => {
      const lease = leases.get(connection)
      if (lease === undefined) throw new Error("a grouped transaction on a connection it did not lease")
      return lease
    }

    const transaction = SqlClient.makeWithTransaction({
      transactionTag: SqlClient.TransactionConnection,
      spanAttributes: [["db.system.name", "sqlite"]],
      acquireConnection: Effect.flatMap(Scope.make(), (scope) =>
        Effect.map(Scope.extend(acquire(true), scope), (connection) => [scope, connection] as const)
      ),
      begin: () =>
        Effect.try({
          try: () => {
            if (group !== undefined && !db.inTransaction) abandon("the transaction ended unexpectedly")
            if (group === undefined) {
              exec("BEGIN IMMEDIATE")
              group = []
              groupEnded = Deferred.unsafeMake<void>(FiberId.none)
            }
            exec("SAVEPOINT taskdesk_group")
          },
          catch: failure
        }),
      savepoint: (_, id) => Effect.try({ try: () => exec(`SAVEPOINT taskdesk_${id}`), catch: failure }),
      commit: (connection) =>
        Effect.try({
          try: () => {
            exec("RELEASE taskdesk_group")
            const ack = Deferred.unsafeMake<void, SqlError>(FiberId.none)
            group!.push(ack)
            leaseOf(connection).ack = ack
          },
          catch: failure
        }),
      rollback: () =>
        Effect.try({
          try: () => {
            if (!db.inTransaction) return abandon("the transaction was rolled back")
            try {
              exec("ROLLBACK TO taskdesk_group")
              exec("RELEASE taskdesk_group")
            } catch (cause) {
              // BEGIN succeeded but the savepoint did not: there is nothing of this member's to undo.
              if (!String(cause).includes("no such savepoint")) throw cause
            }
          },
          catch: failure
        }),
      rollbackSavepoint: (_, id) =>
        Effect.try({ try: () => exec(`ROLLBACK TO SAVEPOINT taskdesk_${id}`), catch: failure })
    })

    const client = yield* SqlClient.make({
      acquirer: Effect.succeed(outside),
      transactionAcquirer,
      compiler: Statement.makeCompilerSqlite(),
      spanAttributes: [["db.system.name", "sqlite"]]
    })
    const driver: SqliteDriver["Type"] = {
      run: (sql, params, insideTransaction) =>
        Effect.suspend(() => runWhenFree(sql, params, "rows", insideTransaction)),
      transaction
    }
    return [client, driver] as const
  })

/** A `SqlClient` on one SQLite file (or `:memory:`) and its connection, open for the layer's lifetime. */
export const layer = (config: SqliteDriverConfig): Layer.Layer<SqlClient.SqlClient | SqliteDriver, SqlError> =>
  Layer.scopedContext(
    Effect.map(make(config), ([client, driver]) =>
      Context.make(SqlClient.SqlClient, client).pipe(Context.add(SqliteDriver, driver))
    )
  ).pipe(Layer.provide(Reactivity.layer))
