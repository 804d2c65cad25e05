import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { assert, describe, layer } from "@effect/vitest"
import { CommentRepo, Errors, Ids, TaskRepo, Transaction, UserRepo } from "@taskdesk/core"
import { makeComment, makeTask, makeUser } from "@taskdesk/core/testing"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { Dialect } from "../src/sql/Dialect.js"
import * as Migrations from "../src/sql/Migrations.js"
import * as SqlStorage from "../src/sql/SqlStorage.js"
import { describePg, freshSchema, pgUrl } from "../testing/Postgres.js"

/** The repositories together with their client and dialect, migrated. */
const withClient = (client: Layer.Layer<SqlClient.SqlClient | Dialect, unknown>) =>
  SqlStorage.repositories.pipe(Layer.provide(Layer.effectDiscard(Migrations.run)), Layer.provideMerge(client))

/** The defect an exit died with, if it died. */
const defectOf = <A, E>(exit: Exit.Exit<A, E>): Option.Option<unknown> =>
  Exit.isFailure(exit) ? Option.map(Cause.dieOption(exit.cause), (d) => d) : Option.none()

const suite = (name: string, client: () => Layer.Layer<SqlClient.SqlClient | Dialect, unknown>) =>
  describe(`typed errors: ${name}`, () => {
    layer(withClient(client()))((it) => {
      it.effect("names the violated constraint and its columns", () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const dialect = yield* Dialect
          const user = makeUser()
          yield* (yield* UserRepo.UserRepo).insert(user)
          const clash = yield* sql`INSERT INTO users ${sql.insert({
            id: `${user.id}-2`,
            name: "x",
            username: "x",
            username_key: user.username.toLowerCase(),
            role: "worker",
            language: "en",
            active: 1,
            created_at: 0,
            updated_at: 0
          })}`.pipe(Effect.flip)
          assert.instanceOf(clash, SqlError)
          assert.deepStrictEqual(dialect.violation(clash), Option.some({ _tag: "Unique", columns: ["username_key"] }))
          const orphan = yield* sql`INSERT INTO comments ${sql.insert({
            id: "orphan",
            task_id: "no-such-task",
            author_id: "a",
            body: "b",
            created_at: 0
          })}`.pipe(Effect.flip)
          assert.strictEqual(Option.getOrThrow(dialect.violation(orphan))._tag, "ForeignKey")
          const other = yield* sql`SELECT * FROM no_such_table`.pipe(Effect.flip)
          assert.isTrue(Option.isNone(dialect.violation(other)))
        })
      )

      it.effect("a write naming a missing row dies with the core's NotFound, not a driver error", () =>
        Effect.gen(function* () {
          const comments = yield* CommentRepo.CommentRepo
          const taskId = Ids.TaskId.make("no-such-task")
          const exit = yield* Effect.exit(comments.insert(makeComment({ taskId })))
          const defect = defectOf(exit)
          assert.isTrue(Option.isSome(defect))
          assert.instanceOf(Option.getOrThrow(defect), Errors.NotFound)
        })
      )

      it.effect("a broken database is a defect, never a typed failure", () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const tasks = yield* TaskRepo.TaskRepo
          const task = makeTask()
          yield* tasks.insert(task)
          // A row that does not decode: the store was written by something else.
          yield* sql`UPDATE tasks SET status = 'bogus' WHERE id = ${task.id}`
          const exit = yield* Effect.exit(tasks.findById(task.id))
          assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause) && !Cause.isFailType(exit.cause))
        })
      )

      it.effect("a transaction stays usable after a refused write, and commits the rest", () =>
        Effect.gen(function* () {
          const tx = yield* Transaction.Transaction
          const tasks = yield* TaskRepo.TaskRepo
          const users = yield* UserRepo.UserRepo
          const first = makeTask()
          const second = makeTask()
          const taken = makeUser()
          yield* users.insert(taken)
          const other = makeUser()
          yield* tx.run(
            Effect.gen(function* () {
              yield* tasks.insert(first)
              const again = yield* tasks.insert(first).pipe(Effect.flip)
              assert.strictEqual(again._tag, "DuplicateKey")
              const stale = yield* tasks.update(makeTask({ ...first, version: 3 }), 2).pipe(Effect.flip)
              assert.strictEqual(stale._tag, "VersionConflict")
              yield* users.insert(other)
              const clash = yield* users.update(makeUser({ ...other, username: taken.username })).pipe(Effect.flip)
              assert.strictEqual(clash._tag, "DuplicateKey")
              yield* tasks.insert(second)
            })
          )
          assert.isTrue(Option.isSome(yield* tasks.findById(first.id)))
          assert.isTrue(Option.isSome(yield* tasks.findById(second.id)))
          assert.strictEqual(Option.getOrThrow(yield* users.findById(other.id)).username, other.username)
        })
      )
    })
  })

suite("SQLite", () => SqlStorage.clientSqlite({ filename: ":memory:" }))

describePg("PostgreSQL", () => {
  suite("PostgreSQL", () =>
    Layer.unwrapScoped(Effect.map(freshSchema("errors"), (schema) => SqlStorage.clientPg({ url: pgUrl, schema }))))
})
