import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/** The notification outbox. Frozen once released. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  for (const statement of [
    `CREATE TABLE notifications (
      id ${t.key} PRIMARY KEY NOT NULL,
      recipient_id ${t.key} NOT NULL,
      kind ${t.text} NOT NULL,
      subject ${t.text} NOT NULL,
      body ${t.text} NOT NULL,
      data ${t.text} NOT NULL,
      created_at ${t.bigint} NOT NULL,
      status ${t.key} NOT NULL,
      attempts ${t.integer} NOT NULL,
      last_error ${t.text},
      channel ${t.text},
      sent_at ${t.bigint},
      locked_until ${t.bigint}
    )`,
    // Dispatchers take the oldest pending ones; people read theirs newest first.
    `CREATE INDEX notifications_pending ON notifications (status, created_at, id)`,
    `CREATE INDEX notifications_by_recipient ON notifications (recipient_id, created_at, id)`
  ]) {
    yield* sql.unsafe(statement)
  }
})
