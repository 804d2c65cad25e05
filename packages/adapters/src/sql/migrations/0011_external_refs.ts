import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/**
 * Other systems' ids of the things taskdesk imported (`ExternalRefs`), so a re-import finds them.
 * Plain portable DDL: a composite primary key, no upsert clause anywhere. Frozen once released.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  yield* sql.unsafe(`CREATE TABLE external_refs (
    namespace ${t.key} NOT NULL,
    external_id ${t.key} NOT NULL,
    internal_id ${t.text} NOT NULL,
    PRIMARY KEY (namespace, external_id)
  )`)
})
