import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/**
 * Repair requests and their comments. The rating is JSON on the row, its score repeated in a
 * column for the statistics; the *_search columns hold the searched texts lowercased in
 * TypeScript. Frozen once released.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  for (const statement of [
    `CREATE TABLE repair_requests (
      id ${t.key} PRIMARY KEY NOT NULL,
      number ${t.bigint} NOT NULL UNIQUE,
      client_id ${t.key} NOT NULL,
      technician_id ${t.key},
      device_type ${t.key} NOT NULL,
      device_model ${t.text} NOT NULL,
      serial_number ${t.text},
      problem_description ${t.text} NOT NULL,
      category ${t.key},
      status ${t.key} NOT NULL,
      deadline ${t.bigint},
      created_by ${t.key} NOT NULL,
      created_at ${t.bigint} NOT NULL,
      updated_at ${t.bigint} NOT NULL,
      started_at ${t.bigint},
      completed_at ${t.bigint},
      completion_note ${t.text},
      hold_reason ${t.text},
      cancel_reason ${t.text},
      rating ${t.text},
      rating_score ${t.integer},
      version ${t.integer} NOT NULL,
      problem_search ${t.text} NOT NULL,
      device_type_search ${t.text} NOT NULL,
      device_model_search ${t.text} NOT NULL,
      serial_search ${t.text}
    )`,
    // One index per sort (value, then id) and one per filter, led by the filtered column.
    `CREATE INDEX repair_requests_by_created ON repair_requests (created_at, id)`,
    `CREATE INDEX repair_requests_by_updated ON repair_requests (updated_at, id)`,
    `CREATE INDEX repair_requests_by_deadline ON repair_requests (deadline, id)`,
    `CREATE INDEX repair_requests_by_status ON repair_requests (status, created_at, id)`,
    `CREATE INDEX repair_requests_by_client ON repair_requests (client_id, created_at, id)`,
    `CREATE INDEX repair_requests_by_technician ON repair_requests (technician_id, created_at, id)`,
    `CREATE INDEX repair_requests_by_creator ON repair_requests (created_by, created_at, id)`,
    `CREATE INDEX repair_requests_by_device_type ON repair_requests (device_type, created_at, id)`,
    `CREATE INDEX repair_requests_by_category ON repair_requests (category, created_at, id)`,
    `CREATE TABLE repair_comments (
      id ${t.key} PRIMARY KEY NOT NULL,
      request_id ${t.key} NOT NULL REFERENCES repair_requests (id) ON DELETE CASCADE,
      author_id ${t.text} NOT NULL,
      body ${t.text} NOT NULL,
      created_at ${t.bigint} NOT NULL
    )`,
    `CREATE INDEX repair_comments_by_request ON repair_comments (request_id, created_at, id)`
  ]) {
    yield* sql.unsafe(statement)
  }
})
