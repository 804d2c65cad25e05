import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/** The task library. Frozen once released. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  yield* sql.unsafe(`CREATE TABLE templates (
    id ${t.key} PRIMARY KEY NOT NULL,
    title ${t.key} NOT NULL,
    description ${t.text} NOT NULL,
    estimated_minutes ${t.integer},
    created_by ${t.text} NOT NULL,
    created_at ${t.bigint} NOT NULL,
    updated_at ${t.bigint} NOT NULL,
    version ${t.integer} NOT NULL,
    title_search ${t.text} NOT NULL,
    description_search ${t.text} NOT NULL
  )`)
  yield* sql.unsafe(`CREATE INDEX templates_by_title ON templates (title, id)`)
})
