import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import type { Connection } from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import * as Statement from "@effect/sql/Statement"
import Database from "better-sqlite3"
import { Context, Effect, Layer, Scope } from "effect"

/**
 * A `SqlClient` over one better-sqlite3 connection: `@effect/sql`'s own client and SQLite compiler
 * (what `@effect/sql-sqlite-node` builds on), with a leaner connection. The stock client takes a
 * semaphore permit and looks the prepared statement up in an Effect `Cache` for every statement,
 * about 6 µs each, a third of a point read; measured in docs/performance.md.
 *
 * One connection serves the process. better-sqlite3 runs each statement synchronously, so a
 * statement outside a transaction runs at once unless a transaction holds the connection, and then
 * waits for it; transactions take the connection one at a time.
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
  }
>() {}

export interface SqliteDriverConfig {
  /** A file path, or `:memory:`. */
  readonly filename: string
  /** How many prepared statements to keep, least recently prepared dropped first. Default 500. */
  readonly preparedStatements?: number | undefined
}

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

    const capacity = config.preparedStatements ?? 500
    const prepared = new Map<string, Database.Statement>()
    const prepare = (sql: string): Database.Statement => {
      let statement = prepared.get(sql)
      if (statement === undefined) {
        statement = db.prepare(sql)
        prepared.set(sql, statement)
        if (prepared.size > capacity) prepared.delete(prepared.keys().next().value!)
      }
      return statement
    }

    const runNow = (
      sql: string,
      params: ReadonlyArray<unknown>,
      mode: "rows" | "raw" | "values" | "unprepared"
    ): Effect.Effect<ReadonlyArray<object>, SqlError> => {
      try {
        const statement = mode === "unprepared" ? db.prepare(sql) : prepare(sql)
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
      } catch (cause) {
        return Effect.fail(failure(cause))
      }
    }

    const semaphore = yield* Effect.makeSemaphore(1)
    let transactionOpen = false

    const runWhenFree = (
      sql: string,
      params: ReadonlyArray<unknown>,
      mode: "rows" | "raw" | "values" | "unprepared",
      insideTransaction: boolean
    ) =>
      insideTransaction || !transactionOpen
        ? runNow(sql, params, mode)
        : semaphore.withPermits(1)(Effect.suspend(() => runNow(sql, params, mode)))

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
    const transactionAcquirer = Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(
        restore(semaphore.take(1)),
        Effect.flatMap(Effect.scope, (scope) => {
          transactionOpen = true
          return Effect.as(
            Scope.addFinalizer(
              scope,
              Effect.zipRight(
                Effect.sync(() => {
                  transactionOpen = false
                }),
                semaphore.release(1)
              )
            ),
            inside
          )
        })
      )
    )

    const client = yield* SqlClient.make({
      acquirer: Effect.succeed(outside),
      transactionAcquirer,
      compiler: Statement.makeCompilerSqlite(),
      spanAttributes: [["db.system.name", "sqlite"]]
    })
    const driver: SqliteDriver["Type"] = {
      run: (sql, params, insideTransaction) => Effect.suspend(() => runWhenFree(sql, params, "rows", insideTransaction))
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
