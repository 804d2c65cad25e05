import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/** Task comments. They go with their task. Frozen once released. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  yield* sql.unsafe(`CREATE TABLE comments (
    id ${t.key} PRIMARY KEY NOT NULL,
    task_id ${t.key} NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    author_id ${t.text} NOT NULL,
    body ${t.text} NOT NULL,
    created_at ${t.bigint} NOT NULL
  )`)
  yield* sql.unsafe(`CREATE INDEX comments_by_task ON comments (task_id, created_at, id)`)
})
