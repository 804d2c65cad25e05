import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Layer } from "effect"
import { Dialect, layerSqlite } from "../src/sql/Dialect.js"
import * as SqliteDriver from "../src/sql/SqliteDriver.js"
import Database from "../src/sql/SqliteEngine.js"
import * as SqliteFile from "./fixtures/sqliteFile.js"

// Transactions that queue while one runs share its COMMIT: each must still stand or fall alone.
const client = (filename: string, maxGroupSize?: number) =>
  Layer.provideMerge(layerSqlite, SqliteDriver.layer({ filename, maxGroupSize }))

const withFile = SqliteFile.withFile("group")

const setup = SqliteFile.createItems

const ids = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(sql<{ id: number }>`SELECT id FROM items ORDER BY id`, (rows) => rows.map((r) => r.id))
)

/** Transaction `i` writes row `i` (and `i + 1000` in a savepoint it may roll back), then answers or fails. */
const member = (i: number, fails: (i: number) => boolean, nestedFails: (i: number) => boolean) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    return yield* dialect.transaction(
      Effect.gen(function* () {
        yield* sql`INSERT INTO items (id, label) VALUES (${i}, ${`item ${i}`})`
        yield* sql
          .withTransaction(
            Effect.zipRight(
              sql`INSERT INTO items (id, label) VALUES (${i + 1000}, 'nested')`,
              nestedFails(i) ? Effect.fail("nested refused" as const) : Effect.void
            )
          )
          .pipe(Effect.ignore)
        // A yield between statements lets the others queue behind this one.
        yield* Effect.yieldNow()
        if (fails(i)) return yield* Effect.fail(`refused ${i}` as const)
        return i
      })
    )
  })

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

describe("SQLite group commit", () => {
  it.effect("commits every queued transaction, and a failed one changes nothing", () =>
    withFile((file) =>
      Effect.gen(function* () {
        yield* setup
        const exits = yield* Effect.forEach(
          range(40),
          (i) =>
            Effect.exit(
              member(
                i,
                (n) => n % 7 === 0,
                (n) => n % 5 === 0
              )
            ),
          { concurrency: "unbounded" }
        )
        for (const [index, exit] of exits.entries()) {
          const i = index + 1
          if (i % 7 === 0) assert.deepStrictEqual(exit, Exit.fail(`refused ${i}` as const))
          else assert.deepStrictEqual(exit, Exit.succeed(i))
        }
        const expected = range(40)
          .filter((i) => i % 7 !== 0)
          .flatMap((i) => (i % 5 === 0 ? [i] : [i, i + 1000]))
          .sort((a, b) => a - b)
        assert.deepStrictEqual(yield* ids, expected)
      }).pipe(Effect.provide(client(file)))
    )
  )

  it.effect("no transaction returns before its COMMIT: when it answers, an independent connection reads its rows", () =>
    withFile((file) =>
      Effect.gen(function* () {
        yield* setup
        // A connection of its own on the file sees only what has been committed to it.
        const independent = yield* Effect.acquireRelease(
          Effect.sync(() => new Database(file, { readonly: true })),
          (db) => Effect.sync(() => db.close())
        )
        const stored = independent.prepare("SELECT id FROM items WHERE id IN (?, ?) ORDER BY id")
        const fails = (n: number) => n % 7 === 0
        const nestedFails = (n: number) => n % 5 === 0
        const exits = yield* Effect.forEach(
          range(40),
          (i) =>
            Effect.tap(Effect.exit(member(i, fails, nestedFails)), (exit) => {
              // At the moment the transaction answers, not later.
              const ids = (stored.all(i, i + 1000) as Array<{ id: number }>).map((r) => r.id)
              if (Exit.isFailure(exit)) assert.deepStrictEqual(ids, [], `${i} failed: nothing of it is stored`)
              else assert.deepStrictEqual(ids, nestedFails(i) ? [i] : [i, i + 1000], `${i} answered: it is stored`)
            }),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(exits.filter(Exit.isFailure).length, 5)
        assert.isTrue(exits.every((exit, index) => Exit.isFailure(exit) === fails(index + 1)))
      }).pipe(Effect.provide(client(file)), Effect.scoped)
    )
  )

  it.effect("reads outside a transaction see only committed groups", () =>
    withFile((file) =>
      Effect.gen(function* () {
        yield* setup
        const sql = yield* SqlClient.SqlClient
        const seen: Array<number> = []
        yield* Effect.forEach(
          range(20),
          (i) =>
            i % 4 === 0
              ? Effect.map(sql<{ n: number }>`SELECT count(*) AS n FROM items`, ([row]) => {
                  seen.push(row!.n)
                })
              : Effect.ignore(
                  member(
                    i,
                    (n) => n % 3 === 0,
                    () => true
                  )
                ),
          { concurrency: "unbounded", discard: true }
        )
        // A count never goes down (a failed member's row is never seen), and the last comes after every write it raced.
        assert.deepStrictEqual(
          seen,
          [...seen].sort((a, b) => a - b)
        )
        assert.deepStrictEqual(
          yield* ids,
          range(20).filter((i) => i % 4 !== 0 && i % 3 !== 0)
        )
      }).pipe(Effect.provide(client(file)))
    )
  )

  it.effect("a query outside a running transaction reads the committed state at once; a write waits", () =>
    withFile((file) =>
      Effect.gen(function* () {
        yield* setup
        const sql = yield* SqlClient.SqlClient
        const dialect = yield* Dialect
        const count = Effect.map(sql<{ n: number }>`SELECT count(*) AS n FROM items`, ([row]) => row!.n)
        yield* sql`INSERT INTO items (id, label) VALUES (1, 'committed')`
        const inside = yield* Deferred.make<void>()
        const proceed = yield* Deferred.make<void>()
        const writer = yield* Effect.fork(
          dialect.transaction(
            Effect.gen(function* () {
              yield* sql`INSERT INTO items (id, label) VALUES (2, 'pending')`
              yield* Deferred.succeed(inside, undefined)
              yield* Deferred.await(proceed)
            })
          )
        )
        yield* Deferred.await(inside)
        // The transaction holds the writer: the query must not wait for it, nor see its row.
        assert.strictEqual(yield* count.pipe(Effect.timeout("2 seconds")), 1)
        const outsideWrite = yield* Effect.fork(sql`INSERT INTO items (id, label) VALUES (3, 'after')`)
        yield* Effect.yieldNow()
        assert.isNull(outsideWrite.unsafePoll(), "a write outside waits for the transaction")
        yield* Deferred.succeed(proceed, undefined)
        yield* Fiber.join(writer)
        yield* Fiber.join(outsideWrite)
        assert.strictEqual(yield* count, 3)
      }).pipe(Effect.provide(client(file)))
    )
  )

  it.effect("queued transactions share a COMMIT: far fewer WAL frames than one COMMIT each", () =>
    Effect.gen(function* () {
      // Each COMMIT appends the pages it changed to the write-ahead log; one COMMIT for many
      // single-row inserts appends the shared page once.
      const framesFor = (maxGroupSize: number, withQueries = false) =>
        withFile((file) =>
          Effect.gen(function* () {
            yield* setup
            const sql = yield* SqlClient.SqlClient
            yield* sql`PRAGMA wal_checkpoint(TRUNCATE)`
            yield* Effect.forEach(
              range(withQueries ? 100 : 50),
              (i) =>
                withQueries && i % 2 === 0
                  ? Effect.asVoid(sql`SELECT count(*) AS n FROM items`)
                  : Effect.asVoid(
                      member(
                        i,
                        () => false,
                        () => true
                      )
                    ),
              { concurrency: "unbounded", discard: true }
            )
            const [row] = yield* sql<{ log: number }>`PRAGMA wal_checkpoint(PASSIVE)`
            return row!.log
          }).pipe(Effect.provide(client(file, maxGroupSize)))
        )
      const grouped = yield* framesFor(64)
      const alone = yield* framesFor(1)
      assert.isAtLeast(alone, 50)
      assert.isBelow(grouped * 5, alone)
      // Queries between the transactions wait for the group's COMMIT instead of forcing one each.
      const amidQueries = yield* framesFor(64, true)
      assert.isBelow(amidQueries * 5, alone)
    })
  )

  it.effect("with groups of one, each transaction commits alone and alike", () =>
    Effect.gen(function* () {
      yield* setup
      const exits = yield* Effect.forEach(
        range(10),
        (i) =>
          Effect.exit(
            member(
              i,
              (n) => n === 3,
              () => false
            )
          ),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(exits.filter(Exit.isSuccess).length, 9)
      assert.deepStrictEqual(
        (yield* ids).filter((i) => i < 1000),
        range(10).filter((i) => i !== 3)
      )
    }).pipe(Effect.provide(client(":memory:", 1)))
  )

  it.effect("a defect in one member rolls back only that member", () =>
    Effect.gen(function* () {
      yield* setup
      const sql = yield* SqlClient.SqlClient
      const dialect = yield* Dialect
      const exits = yield* Effect.forEach(
        range(6),
        (i) =>
          Effect.exit(
            dialect.transaction(
              Effect.gen(function* () {
                yield* sql`INSERT INTO items (id, label) VALUES (${i}, 'x')`
                yield* Effect.yieldNow()
                if (i === 2) return yield* Effect.die("boom")
              })
            )
          ),
        { concurrency: "unbounded" }
      )
      assert.isTrue(Exit.isFailure(exits[1]!) && Cause.isDie(exits[1].cause))
      assert.deepStrictEqual(yield* ids, [1, 3, 4, 5, 6])
    }).pipe(Effect.provide(client(":memory:")))
  )
})
