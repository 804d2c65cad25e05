import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/**
 * A heartbeat on each run: the instance running it refreshes `heartbeat_at`, and a running run
 * whose heartbeat went quiet is abandoned without waiting for its timeout. Rows from before have
 * none (they are judged by their timeout alone). Frozen once released.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  yield* sql.unsafe(`ALTER TABLE job_runs ADD COLUMN heartbeat_at ${t.bigint}`)
})
