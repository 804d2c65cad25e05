import { SqlClient } from "@effect/sql"
import { assert, describe, layer } from "@effect/vitest"
import { UserRepo } from "@taskdesk/core"
import { makeUser, storageConformance } from "@taskdesk/core/testing"
import { ConfigProvider, Effect, Layer } from "effect"
import * as SqlStorage from "../src/sql/SqlStorage.js"
import { describePg, freshSchema, layerPgFresh, pgUrl } from "../testing/Postgres.js"
import { commitOrderTest } from "./commitOrder.js"

describePg("PostgreSQL", () => {
  // Each group of the suite gets a schema of its own, created for the run and dropped after it.
  storageConformance("PostgreSQL", layerPgFresh("conformance"))

  describe("PostgreSQL event log and settings", () => {
    layer(layerPgFresh("order"))((it) => {
      commitOrderTest(it)
    })

    layer(
      Layer.unwrapScoped(
        Effect.map(freshSchema("timeout"), (schema) =>
          SqlStorage.clientPg({ url: pgUrl, schema, statementTimeout: "200 millis" })
        )
      )
    )((it) => {
      it.effect("cancels a statement that runs past the statement timeout", () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const error = yield* Effect.flip(sql`SELECT pg_sleep(2)`)
          // 57014: query_canceled, here by statement_timeout.
          assert.strictEqual((error.cause as { readonly code?: string }).code, "57014")
        })
      )
    })
  })

  describe("SqlStorage.layerConfig with a PostgreSQL URL", () => {
    layer(Layer.empty)((it) => {
      it.effect("stores in PostgreSQL, in the configured schema", () =>
        Effect.scoped(
          Effect.gen(function* () {
            const schema = yield* freshSchema("config")
            const provider = ConfigProvider.fromMap(
              new Map([
                ["TASKDESK_DATABASE_URL", pgUrl],
                ["TASKDESK_PG_POOL_SIZE", "3"],
                ["TASKDESK_PG_STATEMENT_TIMEOUT", "5 seconds"],
                ["TASKDESK_PG_SCHEMA", schema]
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
              SqlStorage.clientPg({ url: pgUrl, schema })
            )
            assert.strictEqual(rows.length, 1)
          })
        )
      )
    })
  })
})
