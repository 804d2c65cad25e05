import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/**
 * The document register, and named counters: numbers handed out inside a transaction, given back
 * when it rolls back (a row updated in the transaction, not a database sequence). Frozen once released.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  yield* sql.unsafe(`CREATE TABLE documents (
    id ${t.key} PRIMARY KEY NOT NULL,
    project_id ${t.key} NOT NULL,
    kind ${t.text} NOT NULL,
    registration_number ${t.key} NOT NULL,
    title ${t.text} NOT NULL,
    date ${t.bigint} NOT NULL,
    body ${t.text} NOT NULL,
    author_id ${t.text} NOT NULL,
    parent_id ${t.key},
    task_id ${t.key},
    created_at ${t.bigint} NOT NULL,
    version ${t.integer} NOT NULL,
    UNIQUE (project_id, registration_number)
  )`)
  for (const statement of [
    `CREATE INDEX documents_by_project ON documents (project_id, created_at, id)`,
    `CREATE INDEX documents_by_task ON documents (task_id, created_at, id)`,
    `CREATE INDEX documents_by_parent ON documents (parent_id, created_at, id)`,
    `CREATE TABLE counters (
      name ${t.key} PRIMARY KEY NOT NULL,
      value ${t.bigint} NOT NULL
    )`
  ]) {
    yield* sql.unsafe(statement)
  }
})
