// `pnpm example repair-shop`: the day on PostgreSQL when DATABASE_URL is set, else on a SQLite file.
import { rmSync } from "node:fs"
import { SqlClient } from "@effect/sql"
import { SqlStorage } from "@taskdesk/adapters"
import { Effect, Layer } from "effect"
import { run } from "./RepairShop.js"

const url = process.env.DATABASE_URL
const schema = "repair_shop"

// Each run starts from empty storage, so the day's figures are the day's alone; what it leaves
// stays for you to look at (data/repair-shop/taskdesk.db, or the schema repair_shop).
const freshPg = (url: string) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
      yield* sql`CREATE SCHEMA ${sql(schema)}`
      return SqlStorage.layerPg({ url, schema })
    }).pipe(Effect.provide(SqlStorage.clientPg({ url })))
  )

const freshSqlite = () => {
  rmSync("data/repair-shop", { recursive: true, force: true })
  return SqlStorage.layerSqlite({ filename: "data/repair-shop/taskdesk.db" })
}

const stats = await run(url === undefined ? freshSqlite() : freshPg(url))
console.log(`storage: ${url === undefined ? "SQLite, data/repair-shop/taskdesk.db" : `PostgreSQL, schema ${schema}`}`)
console.log(JSON.stringify(stats, null, 2))
