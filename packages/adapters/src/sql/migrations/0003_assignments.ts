import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/** Assignments: one task offered to one person. They go with their task. Frozen once released. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  yield* sql.unsafe(`CREATE TABLE assignments (
    id ${t.key} PRIMARY KEY NOT NULL,
    task_id ${t.key} NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    assignee_id ${t.key} NOT NULL,
    assigned_by ${t.key} NOT NULL,
    status ${t.key} NOT NULL,
    due_at ${t.bigint},
    rejection_reason ${t.text},
    created_at ${t.bigint} NOT NULL,
    responded_at ${t.bigint},
    completed_at ${t.bigint},
    updated_at ${t.bigint} NOT NULL,
    version ${t.integer} NOT NULL
  )`)
  // Lists are newest first: every index ends in (created_at, id).
  for (const statement of [
    `CREATE INDEX assignments_by_created ON assignments (created_at, id)`,
    `CREATE INDEX assignments_by_assignee ON assignments (assignee_id, created_at, id)`,
    `CREATE INDEX assignments_by_assigner ON assignments (assigned_by, created_at, id)`,
    `CREATE INDEX assignments_by_task ON assignments (task_id, created_at, id)`,
    `CREATE INDEX assignments_by_status ON assignments (status, created_at, id)`,
    `CREATE INDEX assignments_by_responded ON assignments (responded_at, status, assignee_id)`
  ]) {
    yield* sql.unsafe(statement)
  }
})
