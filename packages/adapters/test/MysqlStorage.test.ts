import { SqlClient } from "@effect/sql"
import { assert, describe, layer } from "@effect/vitest"
import { UserRepo } from "@taskdesk/core"
import { makeUser, storageConformance } from "@taskdesk/core/testing"
import { ConfigProvider, Effect, Layer } from "effect"
import * as SqlStorage from "../src/sql/SqlStorage.js"
import { describeMysql, freshDatabase, layerMysqlFresh, mysqlUrl } from "../testing/Mysql.js"
import { commitOrderTest } from "./commitOrder.js"

describeMysql("MySQL", () => {
  // Each group of the suite gets a database of its own, created for the run and dropped after it.
  storageConformance("MySQL", layerMysqlFresh("conformance"))

  describe("MySQL event log", () => {
    layer(layerMysqlFresh("order"))((it) => {
      commitOrderTest(it)
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
