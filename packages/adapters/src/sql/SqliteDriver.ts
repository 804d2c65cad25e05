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
 * transaction returns before a COMMIT of its work has succeeded, and nothing unsaved is ever
 * visible outside the group: a query outside transactions waits for the COMMIT (or, while a
 * transaction runs, reads on a second, read-only connection: WAL gives it the last committed
 * state), and other statements end the group first.
 *
 * Under faults every member is answered. When the group's COMMIT fails, or its transaction cannot
 * be committed as it stands (SQLite rolled it back after a full disk or an I/O error, or a failed
 * member's savepoint could not be rolled back), no member is acknowledged on it: it is rolled back
 * and each member is retried alone by replaying the statements it ran, never by running its code
 * again; it is acknowledged only if every statement answers as it did in the group. The permit is
 * given back by finalizers, so a throw anywhere cannot keep the connection; a transaction left open
 * by a failed ROLLBACK is rolled back before the writer is used again.
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
  /**
   * Opens a connection: better-sqlite3's `Database` unless given. Tests pass a wrapper whose
   * statements can be made to throw, so faults come from where SQLite would raise them.
   */
  readonly open?: ((filename: string, options: Database.Options) => Database.Database) | undefined
}

type Mode = "rows" | "raw" | "values" | "unprepared"

/**
 * A statement a grouped transaction ran on the writer and what it answered (rows, run result, or
 * the error code it failed with): replayed, and compared, if the transaction is retried alone.
 */
interface Step {
  readonly sql: string
  readonly params: ReadonlyArray<unknown>
  readonly mode: Mode | "exec"
  readonly failed: boolean
  readonly result: unknown
}

/** A grouped transaction: what it ran, and its acknowledgement, settled when its work is committed or lost. */
interface Member {
  readonly steps: Array<Step>
  readonly ack: Deferred.Deferred<void, SqlError>
}

/** A transaction's hold on the connection. */
interface Lease {
  readonly grouped: boolean
  /** Its savepoint is open: it has work of its own in the group's transaction. */
  savepoint: boolean
  member: Member | undefined
  /** It finished and joined the group: it waits for its acknowledgement once it has let the connection go. */
  committed: boolean
}

const leases = new WeakMap<Connection, Lease>()

const failure = (cause: unknown) => new SqlError({ cause, message: "Failed to execute statement" })

/** A statement refused because the group's transaction is already lost: never equal to a replayed result. */
const refused = Symbol("refused")

const codeOf = (cause: unknown): unknown =>
  typeof cause === "object" && cause !== null && "code" in cause ? (cause as { code: unknown }).code : String(cause)

/** Rows and run results compared by value (what the transaction's code could have seen). */
const same = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.byteLength !== b.byteLength) return false
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
    return x.every((byte, i) => byte === y[i])
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
}

// Connection settings live on each connection: a PRAGMA runs on the writer even when it only reads.
const pragma = /^\s*PRAGMA\b/i

/** Opens the database for the scope's lifetime and returns a `SqlClient` on it, and the connection. */
export const make = (
  config: SqliteDriverConfig
): Effect.Effect<readonly [SqlClient.SqlClient, SqliteDriver["Type"]], SqlError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function* () {
    const open = config.open ?? ((filename: string, options: Database.Options) => new Database(filename, options))
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => open(config.filename, {}),
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
            try: () => open(config.filename, { readonly: true, fileMustExist: true }),
            catch: (cause) => new SqlError({ cause, message: `Failed to open ${config.filename} for reading` })
          }),
          (reader) => Effect.sync(() => reader.close())
        )
    reader?.pragma(cachePragma)
    const prepareRead = reader === undefined ? undefined : preparer(reader)
    /**
     * A statement that only reads, as SQLite compiled it (`readonly`: `WITH … INSERT … RETURNING`
     * answers rows but writes), and answers rows. Throws if the SQL does not compile.
     */
    const isQuery = (sql: string, mode: Mode) => {
      if (mode === "unprepared") return false
      const statement = prepare(sql)
      return statement.readonly && statement.reader && !pragma.test(sql)
    }

    /** Runs a statement at once; throws what better-sqlite3 throws. */
    const execute = (statement: Database.Statement, params: ReadonlyArray<unknown>, mode: Mode): unknown => {
      if (!statement.reader) {
        const result = statement.run(...params)
        // `raw` answers better-sqlite3's run result (changes, last row id), as the stock client does.
        return mode === "raw" ? result : []
      }
      if (mode !== "values") return statement.all(...params)
      statement.raw(true)
      try {
        return statement.all(...params)
      } finally {
        statement.raw(false)
      }
    }

    const runNow = (
      sql: string,
      params: ReadonlyArray<unknown>,
      mode: Mode
    ): Effect.Effect<ReadonlyArray<object>, SqlError> => {
      try {
        return Effect.succeed(
          execute(mode === "unprepared" ? db.prepare(sql) : prepare(sql), params, mode) as ReadonlyArray<object>
        )
      } catch (cause) {
        return Effect.fail(failure(cause))
      }
    }

    /** A query on the read-only connection; undefined for anything else (writes, pragmas), which needs the writer. */
    const runOnReader = (
      sql: string,
      params: ReadonlyArray<unknown>,
      mode: Mode
    ): Effect.Effect<ReadonlyArray<object>, SqlError> | undefined => {
      if (prepareRead === undefined) return undefined
      try {
        if (!isQuery(sql, mode)) return undefined
        return Effect.succeed(execute(prepareRead(sql), params, mode) as ReadonlyArray<object>)
      } catch (cause) {
        return Effect.fail(failure(cause))
      }
    }

    const semaphore = yield* Effect.makeSemaphore(1)
    const releasePermit = semaphore.release(1)
    // A transaction holds the permit.
    let held = false
    // The grouped transaction holding the writer: the statements it runs are recorded.
    let current: Member | undefined
    // The open physical transaction's finished members, awaiting its COMMIT; undefined when none is open.
    let group: Array<Member> | undefined
    // Done when the open group has ended (committed, or its members settled): queries outside wait for it.
    let groupEnded: Deferred.Deferred<void> | undefined
    let flushQueued = false
    // Why the open group's transaction cannot be committed as it stands (SQLite rolled it back, or
    // a failed member's work could not be undone); its members are then retried alone.
    let broken: { readonly cause: unknown } | undefined
    // The writer is in a transaction nobody owns (a ROLLBACK threw): it is rolled back before the next use.
    let dirty = false
    const maxGroupSize = Math.max(1, config.maxGroupSize ?? 64)

    const exec = (sql: string) => {
      prepare(sql).run()
    }
    /** Runs a statement of the driver's own; answers what it threw, undefined if it succeeded. */
    const attempt = (sql: string): { readonly cause: unknown } | undefined => {
      try {
        exec(sql)
        return undefined
      } catch (cause) {
        return { cause }
      }
    }
    /** Leaves the writer outside any transaction, rolling back what is open; false if the ROLLBACK failed. */
    const discard = (): boolean => {
      if (db.inTransaction) attempt("ROLLBACK")
      dirty = db.inTransaction
      return !dirty
    }

    /** A statement of a transaction: on the writer, recorded if it belongs to a grouped transaction. */
    const runInside = (
      sql: string,
      params: ReadonlyArray<unknown>,
      mode: Mode
    ): Effect.Effect<ReadonlyArray<object>, SqlError> => {
      const member = current
      if (member === undefined) return runNow(sql, params, mode)
      // SQLite ended the transaction: anything run now would commit on its own, outside the group.
      if (broken !== undefined) {
        member.steps.push({ sql, params, mode, failed: true, result: refused })
        return Effect.fail(failure(broken.cause))
      }
      try {
        const result = execute(mode === "unprepared" ? db.prepare(sql) : prepare(sql), params, mode)
        member.steps.push({ sql, params, mode, failed: false, result })
        return Effect.succeed(result as ReadonlyArray<object>)
      } catch (cause) {
        member.steps.push({ sql, params, mode, failed: true, result: codeOf(cause) })
        // A full disk or an I/O error can roll the whole transaction back, every member's work with it.
        if (!db.inTransaction) broken = { cause }
        return Effect.fail(failure(cause))
      }
    }

    /** A savepoint statement of a grouped transaction's nested transaction, recorded as its statements are. */
    const execInside = (sql: string) => {
      const member = current
      if (member === undefined) {
        exec(sql)
        return
      }
      if (broken !== undefined) throw broken.cause
      try {
        exec(sql)
        member.steps.push({ sql, params: [], mode: "exec", failed: false, result: undefined })
      } catch (cause) {
        member.steps.push({ sql, params: [], mode: "exec", failed: true, result: codeOf(cause) })
        if (!db.inTransaction) broken = { cause }
        throw cause
      }
    }

    /**
     * Runs a member's recorded statements again, alone in its own transaction, and commits only if
     * every statement answers what it answered the first time: then its code, run now, would have
     * done exactly this, so its result stands. Answers why not, undefined once committed.
     */
    const replay = (member: Member): { readonly cause: unknown } | undefined => {
      const begun = attempt("BEGIN IMMEDIATE")
      if (begun !== undefined) return begun
      for (const step of member.steps) {
        let failed = false
        let result: unknown
        try {
          if (step.mode === "exec") exec(step.sql)
          else
            result = execute(
              step.mode === "unprepared" ? db.prepare(step.sql) : prepare(step.sql),
              step.params,
              step.mode
            )
        } catch (cause) {
          failed = true
          result = codeOf(cause)
        }
        if (failed !== step.failed || !same(result, step.result) || !db.inTransaction) {
          discard()
          return { cause: new Error(`retried alone, "${step.sql}" did not answer as it did in the group`) }
        }
      }
      const committed = attempt("COMMIT")
      if (committed !== undefined) discard()
      return committed
    }

    const commitFailure = (cause: unknown) => new SqlError({ cause, message: "Failed to commit the transaction" })

    /** Closes the open group; its members are settled by the caller. */
    const closeGroup = (): { readonly members: Array<Member>; readonly ended: Deferred.Deferred<void> | undefined } => {
      const closed = { members: group ?? [], ended: groupEnded }
      group = undefined
      groupEnded = undefined
      flushQueued = false
      broken = undefined
      return closed
    }

    /** Every member still waiting learns it failed, and queries waiting for the group go on. */
    const settleRest = (closed: ReturnType<typeof closeGroup>, cause: unknown) => {
      const exit = Exit.fail(commitFailure(cause))
      for (const member of closed.members) Deferred.unsafeDone(member.ack, exit)
      if (closed.ended !== undefined) Deferred.unsafeDone(closed.ended, Exit.void)
    }

    /**
     * The group's COMMIT failed, or its transaction cannot be committed: none of its members may be
     * acknowledged on it. It is rolled back and each member retried alone, in order (see `replay`);
     * each is acknowledged or failed by its own retry.
     */
    const retryAlone = (closed: ReturnType<typeof closeGroup>, cause: unknown) => {
      try {
        discard()
        for (const member of closed.members) {
          const retried = dirty && !discard() ? { cause } : replay(member)
          Deferred.unsafeDone(member.ack, retried === undefined ? Exit.void : Exit.fail(commitFailure(retried.cause)))
        }
      } finally {
        settleRest(closed, cause)
      }
    }

    /** Ends the open group, if any, with its COMMIT. Holding the permit. Settles every member, whatever happens. */
    const flush = (): void => {
      if (group === undefined) return
      const lost = broken
      const closed = closeGroup()
      let settled = false
      try {
        const failed = lost ?? attempt("COMMIT")
        if (failed === undefined) {
          for (const member of closed.members) Deferred.unsafeDone(member.ack, Exit.void)
          if (closed.ended !== undefined) Deferred.unsafeDone(closed.ended, Exit.void)
        } else {
          retryAlone(closed, failed.cause)
        }
        settled = true
      } finally {
        if (!settled) settleRest(closed, "the group's COMMIT did not complete")
      }
    }

    /** The open group's transaction cannot be committed as it stands: its members are retried alone. */
    const recover = () => {
      if (group === undefined) broken = undefined
      else if (broken !== undefined) flush()
    }

    /** Ends the open group first (taking the writer from any transaction), then runs the statement. */
    const runAfterCommit = (sql: string, params: ReadonlyArray<unknown>, mode: Mode) =>
      semaphore.withPermits(1)(
        Effect.suspend(() => {
          flush()
          if (dirty && !discard()) return Effect.fail(failure("a transaction could not be rolled back"))
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
      mode: Mode,
      insideTransaction: boolean,
      waited = false
    ): Effect.Effect<ReadonlyArray<object>, SqlError> => {
      if (insideTransaction) return runInside(sql, params, mode)
      if (!held && group === undefined && !dirty) return runNow(sql, params, mode)
      if (held) return runOnReader(sql, params, mode) ?? runAfterCommit(sql, params, mode)
      if (!waited && groupEnded !== undefined) {
        let query: boolean
        try {
          query = isQuery(sql, mode)
        } catch (cause) {
          return Effect.fail(failure(cause))
        }
        if (query)
          return Effect.zipRight(
            Deferred.await(groupEnded),
            Effect.suspend(() => runWhenFree(sql, params, mode, false, true))
          )
      }
      return runAfterCommit(sql, params, mode)
    }

    const connection = (insideTransaction: boolean): Connection => {
      const run = (sql: string, params: ReadonlyArray<unknown>, mode: Mode) =>
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

    // The group's COMMIT waits one turn of the event loop, so requests whose input has arrived
    // reach their transactions and join the group, and then behind the transactions queued by then.
    const nextTurn = Effect.async<void>((resume) => {
      const handle = setImmediate(() => resume(Effect.void))
      return Effect.sync(() => clearImmediate(handle))
    })
    const flusher = Effect.zipRight(nextTurn, semaphore.withPermits(1)(Effect.sync(flush)))

    /** The transaction lets the writer go: a group that is full commits now, else one flusher per group is queued. */
    const endLease = (lease: Lease): Effect.Effect<void> => {
      held = false
      current = undefined
      let queueFlush = false
      if (group === undefined) {
        // The client's own transactions (and `reserve`) may leave one open, after a failed COMMIT say.
        if (db.inTransaction) discard()
      } else if (lease.grouped) {
        if (group.length >= maxGroupSize) flush()
        else if (!flushQueued) {
          flushQueued = true
          queueFlush = true
        }
      }
      return queueFlush ? Effect.asVoid(Effect.forkDaemon(flusher)) : Effect.void
    }

    /** A member that joined a group waits, without the connection, until its group's COMMIT (or its retry) decides. */
    const awaitCommit = (lease: Lease): Effect.Effect<void> =>
      lease.committed && lease.member !== undefined
        ? // A failed COMMIT is a defect, as the client reports its own COMMIT failures.
          Effect.orDie(Deferred.await(lease.member.ack))
        : Effect.void

    /**
     * Takes the connection for a transaction; `grouped` ones may join the open group, others end it
     * first. The permit is given back by the scope's finalizer, whatever else throws; the member's
     * wait for its COMMIT comes after.
     */
    const acquire = (grouped: boolean) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(
          restore(semaphore.take(1)),
          Effect.flatMap(Effect.scope, (scope) => {
            const lease: Lease = { grouped, savepoint: false, member: undefined, committed: false }
            const leased: Connection = { ...inside }
            leases.set(leased, lease)
            const release = Effect.suspend(() => endLease(lease)).pipe(
              Effect.ensuring(releasePermit),
              Effect.ensuring(Effect.suspend(() => awaitCommit(lease)))
            )
            return Effect.zipRight(
              Scope.addFinalizer(scope, release),
              Effect.sync(() => {
                held = true
                if (!grouped) {
                  flush()
                  if (dirty) discard()
                }
                return leased
              })
            )
          })
        )
      )

    // Closing with a group open (its flusher not yet run) commits it, so no member waits forever.
    yield* Effect.addFinalizer(() => semaphore.withPermits(1)(Effect.sync(flush)))

    const transactionAcquirer = acquire(false)

    const leaseOf = (connection: Connection): Lease => {
      const lease = leases.get(connection)
      if (lease === undefined) throw new Error("a grouped transaction on a connection it did not lease")
      return lease
    }

    const transaction = SqlClient.makeWithTransaction({
      transactionTag: SqlClient.TransactionConnection,
      spanAttributes: [["db.system.name", "sqlite"]],
      // The scope is closed here if acquiring fails after the permit was taken: it holds the permit's release.
      acquireConnection: Effect.flatMap(Scope.make(), (scope) =>
        Scope.extend(acquire(true), scope).pipe(
          Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause))),
          Effect.map((connection) => [scope, connection] as const)
        )
      ),
      begin: (connection) =>
        Effect.try({
          try: () => {
            const lease = leaseOf(connection)
            if (group !== undefined && broken === undefined && !db.inTransaction) {
              broken = { cause: "the group's transaction ended unexpectedly" }
            }
            recover()
            if (group === undefined) {
              if (dirty && !discard()) throw new Error("a transaction could not be rolled back")
              exec("BEGIN IMMEDIATE")
              group = []
              groupEnded = Deferred.unsafeMake<void>(FiberId.none)
            }
            exec("SAVEPOINT taskdesk_group")
            lease.savepoint = true
            lease.member = { steps: [], ack: Deferred.unsafeMake<void, SqlError>(FiberId.none) }
            current = lease.member
          },
          catch: failure
        }),
      savepoint: (_, id) => Effect.try({ try: () => execInside(`SAVEPOINT taskdesk_${id}`), catch: failure }),
      // Never fails: a member that cannot be released into the group makes the group retry alone, itself too.
      commit: (connection) =>
        Effect.sync(() => {
          const lease = leaseOf(connection)
          current = undefined
          const member = lease.member!
          lease.committed = true
          if (group === undefined) {
            Deferred.unsafeDone(member.ack, Exit.fail(commitFailure("the group ended before the transaction")))
            return
          }
          if (broken === undefined) broken = attempt("RELEASE taskdesk_group")
          group.push(member)
          recover()
        }),
      // Never fails: a member whose work cannot be undone alone takes the group's transaction with it;
      // the others are retried alone. The member fails with its own error either way.
      rollback: (connection) =>
        Effect.sync(() => {
          const lease = leaseOf(connection)
          current = undefined
          if (!lease.savepoint) return
          if (broken === undefined && !db.inTransaction) broken = { cause: "SQLite rolled the transaction back" }
          if (broken === undefined) broken = attempt("ROLLBACK TO taskdesk_group") ?? attempt("RELEASE taskdesk_group")
          recover()
        }),
      rollbackSavepoint: (_, id) =>
        Effect.try({ try: () => execInside(`ROLLBACK TO SAVEPOINT taskdesk_${id}`), catch: failure })
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
