import { SqlClient } from "@effect/sql"
import { assert, describe, layer } from "@effect/vitest"
import { AuditEvent, EventLog, Ids, Transaction, UserRepo } from "@taskdesk/core"
import { at, makeUser, storageConformance, uniqueId } from "@taskdesk/core/testing"
import { ConfigProvider, Deferred, Effect, Fiber, Layer, Option } from "effect"
import * as SqlStorage from "../src/sql/SqlStorage.js"
import { describeMysql, freshDatabase, layerMysqlFresh, mysqlUrl } from "../testing/Mysql.js"

/** Real time, for waiting on the database (the test clock does not move it). */
const pause = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

describeMysql("MySQL", () => {
  // Each group of the suite gets a database of its own, created for the run and dropped after it.
  storageConformance("MySQL", layerMysqlFresh("conformance"))

  describe("MySQL event log", () => {
    layer(layerMysqlFresh("order"))((it) => {
      it.effect("hands out sequences in commit order: an append waits for an earlier transaction's commit", () =>
        Effect.gen(function* () {
          const tx = yield* Transaction.Transaction
          const log = yield* EventLog.EventLog
          const subject = new AuditEvent.Subject({ kind: "task", id: uniqueId("task") })
          const append = log.append({
            at: at("2026-03-01T00:00:00Z"),
            actorId: Ids.UserId.make("someone"),
            subject,
            parent: Option.none(),
            payload: { _tag: "task.deleted" }
          })
          const appended = yield* Deferred.make<AuditEvent.AuditEvent>()
          const release = yield* Deferred.make<void>()
          const first = yield* tx
            .run(Effect.tap(append, (e) => Effect.zipRight(Deferred.succeed(appended, e), Deferred.await(release))))
            .pipe(Effect.fork)
          const earlier = yield* Deferred.await(appended)
          const second = yield* tx.run(append).pipe(Effect.fork)
          yield* pause(300)
          // The later append waits on the lock row while the earlier transaction is open...
          assert.isTrue(Option.isNone(yield* Fiber.poll(second)))
          // ...and a reader sees neither, so it can never resume past an event that commits later.
          assert.deepStrictEqual(yield* log.list({ after: Option.none(), about: Option.some(subject), limit: 10 }), [])
          yield* Deferred.succeed(release, undefined)
          yield* Fiber.join(first)
          const later = yield* Fiber.join(second)
          assert.isTrue(earlier.sequence < later.sequence)
          const read = yield* log.list({ after: Option.none(), about: Option.some(subject), limit: 10 })
          assert.deepStrictEqual(
            read.map((e) => e.sequence),
            [earlier.sequence, later.sequence]
          )
        })
      )
    })
  })

  describe("SqlStorage.layerConfig with a MySQL URL", () => {
    layer(Layer.empty)((it) => {
      it.effect("stores in MySQL, in the URL's database", () =>
        Effect.scoped(
          Effect.gen(function* () {
            const url = mysqlUrl(yield* freshDatabase("config"))
            const provider = ConfigProvider.fromMap(
              new Map([
                ["TASKDESK_DATABASE_URL", url.replace(/^mysql:/, "mariadb:")],
                ["TASKDESK_MYSQL_POOL_SIZE", "3"]
              ]),
              { pathDelim: "_" }
            )
            const user = makeUser()
            yield* Effect.provide(
              Effect.flatMap(UserRepo.UserRepo, (users) => users.insert(user)),
              SqlStorage.layerConfig.pipe(Layer.provide(Layer.setConfigProvider(provider)))
            )
            const rows = yield* Effect.provide(
              Effect.flatMap(SqlClient.SqlClient, (sql) => sql`SELECT id FROM users WHERE id = ${user.id}`),
              SqlStorage.clientMysql({ url })
            )
            assert.strictEqual(rows.length, 1)
          })
        )
      )
    })
  })
})
