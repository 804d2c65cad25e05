import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Layer } from "effect"
import { Dialect, layerSqlite } from "../src/sql/Dialect.js"
import * as SqliteDriver from "../src/sql/SqliteDriver.js"
import Database from "../src/sql/SqliteEngine.js"
import * as FaultySqlite from "./FaultySqlite.js"
import * as SqliteFile from "./fixtures/sqliteFile.js"

// Faults thrown by the connection where SQLite raises them, while transactions commit in groups:
// every transaction is answered, what is acknowledged is on disk (read by a connection of its
// own), what failed left nothing, and the driver serves on.

const withFile = SqliteFile.withFile("faults")

const client = (file: string, faults: FaultySqlite.Faults, maxGroupSize?: number) =>
  Layer.provideMerge(layerSqlite, SqliteDriver.layer({ filename: file, maxGroupSize, open: faults.open }))

/** The ids committed to the file, read by an independent connection. */
const onDisk = (file: string, table = "items"): Array<number> => {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare(`SELECT id FROM ${table} ORDER BY id`).all() as Array<{ id: number }>).map((r) => r.id)
  } finally {
    db.close()
  }
}

/** A hang is a failure: every transaction must be answered (disconnected, as a hung one cannot be interrupted). */
const answered = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(Effect.disconnect(effect), {
    duration: "10 seconds",
    onTimeout: () => "a transaction was never answered" as const
  })

const setup = SqliteFile.createItems

/** Transaction `i` writes item `i`, lets the others queue behind it, then answers `i` or fails. */
const write = (i: number, fails = false) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    return yield* dialect.transaction(
      Effect.gen(function* () {
        yield* sql`INSERT INTO items (id, label) VALUES (${i}, ${`item ${i}`})`
        yield* Effect.yieldNow()
        if (fails) return yield* Effect.fail(`refused ${i}` as const)
        return i
      })
    )
  })

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** Transactions writing each of `ids` at once (those `fails` picks refuse), each answered with its exit. */
const writeAll = (ids: ReadonlyArray<number>, fails: (i: number) => boolean = () => false) =>
  answered(Effect.forEach(ids, (i) => Effect.exit(write(i, fails(i))), { concurrency: "unbounded" }))

/** A test on a file of its own, through a driver whose connection throws the faults it is told to. */
const withFaults = <A, E>(
  body: (file: string, faults: FaultySqlite.Faults) => Effect.Effect<A, E, SqlClient.SqlClient | Dialect>,
  maxGroupSize?: number
) =>
  withFile((file) => {
    const faults = FaultySqlite.make()
    return body(file, faults).pipe(Effect.provide(client(file, faults, maxGroupSize)))
  })

const acknowledged = <A, E>(exits: ReadonlyArray<Exit.Exit<A, E>>): Array<A> =>
  exits.flatMap((exit) => (Exit.isSuccess(exit) ? [exit.value] : []))

/** After a fault: new transactions commit, and a statement outside one runs. */
const servesOn = (file: string, ids: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const exits = yield* writeAll(ids)
    assert.deepStrictEqual(acknowledged(exits), [...ids])
    yield* sql`INSERT INTO items (id, label) VALUES (${10_000}, 'outside')`
    const stored = onDisk(file)
    for (const id of [...ids, 10_000]) assert.include(stored, id)
  })

describe("SQLite driver under faults", () => {
  it.live("a COMMIT and then a ROLLBACK that throw: every member is retried alone and answered", () =>
    withFaults((file, faults) =>
      Effect.gen(function* () {
        yield* setup
        faults.fail("COMMIT")
        faults.fail("ROLLBACK")
        const exits = yield* writeAll(range(1, 8))
        assert.strictEqual(faults.thrown(), 2)
        // Nobody was acknowledged on the failed COMMIT; each member's retry alone committed it.
        assert.deepStrictEqual(acknowledged(exits), range(1, 8))
        assert.deepStrictEqual(onDisk(file), range(1, 8))
        yield* servesOn(file, range(20, 27))
      })
    )
  )

  it.live("a COMMIT that fails and a ROLLBACK that keeps failing: members fail, none is acknowledged", () =>
    withFaults((file, faults) =>
      Effect.gen(function* () {
        yield* setup
        faults.fail("COMMIT")
        faults.fail("ROLLBACK", { times: 20 })
        const exits = yield* writeAll(range(1, 8))
        assert.isTrue(exits.every((exit) => Exit.isFailure(exit) && Cause.isDie(exit.cause)))
        assert.deepStrictEqual(onDisk(file), [])
        faults.clear()
        yield* servesOn(file, range(20, 27))
        // The transaction left open by the failed ROLLBACK was rolled back, not committed later.
        assert.deepStrictEqual(onDisk(file), [...range(20, 27), 10_000])
      })
    )
  )

  it.live("a failing member whose ROLLBACK TO throws leaves nothing, and the others commit", () =>
    withFaults((file, faults) =>
      Effect.gen(function* () {
        yield* setup
        faults.fail("ROLLBACK TO taskdesk_group")
        const exits = yield* writeAll(range(1, 8), (i) => i === 4)
        assert.strictEqual(faults.thrown(), 1)
        assert.deepStrictEqual(exits[3], Exit.fail("refused 4" as const))
        const others = range(1, 8).filter((i) => i !== 4)
        assert.deepStrictEqual(acknowledged(exits), others)
        assert.deepStrictEqual(onDisk(file), others)
        yield* servesOn(file, range(20, 27))
      })
    )
  )

  it.live("a COMMIT and ROLLBACK that throw while a transaction of the client's own takes the connection", () =>
    withFaults((file, faults) =>
      Effect.gen(function* () {
        yield* setup
        const sql = yield* SqlClient.SqlClient
        const dialect = yield* Dialect
        const inside = yield* Deferred.make<void>()
        const proceed = yield* Deferred.make<void>()
        const grouped = yield* Effect.fork(
          dialect.transaction(
            Effect.gen(function* () {
              yield* sql`INSERT INTO items (id, label) VALUES (1, 'grouped')`
              yield* Deferred.succeed(inside, undefined)
              yield* Deferred.await(proceed)
            })
          )
        )
        yield* Deferred.await(inside)
        // `withTransaction` is not grouped: taking the connection, it ends the open group first.
        const own = yield* Effect.fork(sql.withTransaction(sql`INSERT INTO items (id, label) VALUES (2, 'own')`))
        yield* Effect.yieldNow()
        faults.fail("COMMIT")
        faults.fail("ROLLBACK")
        yield* Deferred.succeed(proceed, undefined)
        const exits = yield* answered(Effect.all([Fiber.await(grouped), Fiber.await(own)]))
        assert.strictEqual(faults.thrown(), 2)
        assert.isTrue(Exit.isSuccess(exits[0]))
        assert.isTrue(Exit.isSuccess(exits[1]))
        assert.deepStrictEqual(onDisk(file), [1, 2])
        yield* servesOn(file, range(20, 27))
      })
    )
  )

  it.live("a COMMIT and ROLLBACK that throw when a full group commits as its last member lets go", () =>
    withFaults(
      (file, faults) =>
        Effect.gen(function* () {
          yield* setup
          faults.fail("COMMIT")
          faults.fail("ROLLBACK")
          const exits = yield* writeAll(range(1, 6))
          assert.strictEqual(faults.thrown(), 2)
          assert.deepStrictEqual(acknowledged(exits), range(1, 6))
          assert.deepStrictEqual(onDisk(file), range(1, 6))
          yield* servesOn(file, range(20, 27))
        }),
      2
    )
  )

  it.live("a RELEASE that throws for a finished member: the group is retried alone, that member too", () =>
    withFaults((file, faults) =>
      Effect.gen(function* () {
        yield* setup
        faults.fail("RELEASE taskdesk_group")
        const exits = yield* writeAll(range(1, 8))
        assert.strictEqual(faults.thrown(), 1)
        assert.deepStrictEqual(acknowledged(exits), range(1, 8))
        assert.deepStrictEqual(onDisk(file), range(1, 8))
        yield* servesOn(file, range(20, 27))
      })
    )
  )

  it.live("a BEGIN that throws fails its transaction only", () =>
    withFaults((file, faults) =>
      Effect.gen(function* () {
        yield* setup
        faults.fail("BEGIN IMMEDIATE", { code: "SQLITE_BUSY" })
        const exits = yield* writeAll(range(1, 8))
        assert.strictEqual(faults.thrown(), 1)
        assert.isTrue(Exit.isFailure(exits[0]!))
        assert.deepStrictEqual(acknowledged(exits), range(2, 8))
        assert.deepStrictEqual(onDisk(file), range(2, 8))
        yield* servesOn(file, range(20, 27))
      })
    )
  )

  it.live(
    "a full disk: SQLite rolls the group back; the members waiting are retried alone, nothing half-written stays",
    () =>
      withFaults((file) =>
        Effect.gen(function* () {
          yield* setup
          const sql = yield* SqlClient.SqlClient
          const dialect = yield* Dialect
          yield* sql`CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`
          const [pages] = yield* sql<{ page_count: number }>`PRAGMA page_count`
          // No page may be added: small rows fit the pages there are, a large one needs new pages.
          yield* sql.unsafe(`PRAGMA max_page_count = ${pages!.page_count}`)
          const member = (i: number) =>
            dialect.transaction(
              Effect.gen(function* () {
                if (i === 6) {
                  // Its statement fails and SQLite rolls the transaction back; it carries on regardless.
                  yield* Effect.ignore(sql`INSERT INTO blobs (body) VALUES (zeroblob(100000))`)
                }
                yield* sql`INSERT INTO items (id, label) VALUES (${i}, ${`item ${i}`})`
                if (i === 4) yield* sql`INSERT INTO blobs (body) VALUES (zeroblob(100000))`
                yield* Effect.yieldNow()
                return i
              })
            )
          const exits = yield* answered(
            Effect.forEach(range(1, 8), (i) => Effect.exit(member(i)), { concurrency: "unbounded" })
          )
          assert.isTrue(Exit.isFailure(exits[3]!), "the member that filled the disk fails")
          assert.isTrue(Exit.isFailure(exits[5]!), "the member that carried on after the rollback fails")
          const others = range(1, 8).filter((i) => i !== 4 && i !== 6)
          assert.deepStrictEqual(acknowledged(exits), others)
          // Nothing of 4's or 6's: a statement after SQLite's rollback would have committed on its own.
          assert.deepStrictEqual(onDisk(file), others)
          yield* sql.unsafe("PRAGMA max_page_count = 1000000")
          yield* member(4)
          yield* servesOn(file, range(20, 27))
        })
      )
  )

  describe("a deferred foreign key that fails at COMMIT", () => {
    const schema = Effect.flatMap(SqlClient.SqlClient, (sql) =>
      Effect.all([
        sql`PRAGMA foreign_keys = ON`,
        sql`CREATE TABLE parents (id INTEGER PRIMARY KEY)`,
        sql`CREATE TABLE children (
          id INTEGER PRIMARY KEY,
          label TEXT NOT NULL,
          parent_id INTEGER NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED
        )`,
        sql`INSERT INTO parents (id) VALUES (1)`
      ])
    )

    it.live("fails only the member that broke it; the others are retried alone and commit", () =>
      withFaults((file) =>
        Effect.gen(function* () {
          yield* setup
          yield* schema
          const sql = yield* SqlClient.SqlClient
          const dialect = yield* Dialect
          const member = (i: number) =>
            dialect.transaction(
              Effect.gen(function* () {
                yield* sql`INSERT INTO children (id, label, parent_id) VALUES (${i}, 'child', ${i === 5 ? 99 : 1})`
                yield* Effect.yieldNow()
                return i
              })
            )
          const exits = yield* answered(
            Effect.forEach(range(1, 8), (i) => Effect.exit(member(i)), { concurrency: "unbounded" })
          )
          assert.isTrue(Exit.isFailure(exits[4]!) && Cause.isDie(exits[4].cause), "a failed COMMIT is a defect")
          const others = range(1, 8).filter((i) => i !== 5)
          assert.deepStrictEqual(acknowledged(exits), others)
          assert.deepStrictEqual(onDisk(file, "children"), others)
          yield* servesOn(file, range(20, 27))
        })
      )
    )

    it.live("a member after it that saw a generated id is not acknowledged with an id it would not get alone", () =>
      withFaults((file) =>
        Effect.gen(function* () {
          yield* setup
          yield* schema
          const sql = yield* SqlClient.SqlClient
          const dialect = yield* Dialect
          // Each answers the id SQLite chose for its row; retried alone after 3 is dropped, 4 would get 3's id.
          const member = (i: number) =>
            dialect.transaction(
              Effect.gen(function* () {
                const [row] = yield* sql<{ id: number }>`
                  INSERT INTO children (label, parent_id) VALUES (${`member ${i}`}, ${i === 3 ? 99 : 1}) RETURNING id`
                yield* Effect.yieldNow()
                return [i, row!.id] as const
              })
            )
          const exits = yield* answered(
            Effect.forEach(range(1, 6), (i) => Effect.exit(member(i)), { concurrency: "unbounded" })
          )
          const answers = acknowledged(exits)
          assert.deepStrictEqual(
            answers.map(([i]) => i),
            [1, 2]
          )
          // Every acknowledged id is the row its member wrote; nothing unacknowledged is stored.
          const db = new Database(file, { readonly: true })
          const rows = db.prepare("SELECT id, label FROM children ORDER BY id").all()
          db.close()
          assert.deepStrictEqual(
            rows,
            answers.map(([i, id]) => ({ id, label: `member ${i}` }))
          )
          yield* servesOn(file, range(20, 27))
        })
      )
    )
  })

  it.live("a query by its text that writes (WITH … INSERT … RETURNING) waits for the writer, not the reader", () =>
    withFaults((file) =>
      Effect.gen(function* () {
        yield* setup
        const sql = yield* SqlClient.SqlClient
        const dialect = yield* Dialect
        const inside = yield* Deferred.make<void>()
        const proceed = yield* Deferred.make<void>()
        const writer = yield* Effect.fork(
          dialect.transaction(
            Effect.zipRight(
              sql`INSERT INTO items (id, label) VALUES (1, 'pending')`,
              Effect.zipRight(Deferred.succeed(inside, undefined), Deferred.await(proceed))
            )
          )
        )
        yield* Deferred.await(inside)
        const cte = yield* Effect.fork(
          sql<{
            id: number
          }>`WITH next (id) AS (SELECT 2) INSERT INTO items (id, label) SELECT id, 'cte' FROM next RETURNING id`
        )
        yield* Effect.yieldNow()
        yield* Deferred.succeed(proceed, undefined)
        yield* answered(Fiber.join(writer))
        assert.deepStrictEqual(yield* answered(Fiber.join(cte)), [{ id: 2 }])
        assert.deepStrictEqual(onDisk(file), [1, 2])
      })
    )
  )
})
