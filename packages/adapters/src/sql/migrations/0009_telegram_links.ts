import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/** One-time Telegram link codes. Frozen once released. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  for (const statement of [
    `CREATE TABLE telegram_links (
      code ${t.key} PRIMARY KEY NOT NULL,
      user_id ${t.key} NOT NULL,
      expires_at ${t.bigint} NOT NULL,
      created_at ${t.bigint} NOT NULL
    )`,
    // Unique: a new code replaces the user's earlier one in a single upsert, so racing issues leave one.
    `CREATE UNIQUE INDEX telegram_links_by_user ON telegram_links (user_id)`
  ]) {
    yield* sql.unsafe(statement)
  }
})
