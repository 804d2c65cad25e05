import { SqlClient } from "@effect/sql"
import { ExternalRefs } from "@taskdesk/core"
import { Effect, Layer } from "effect"
import { Dialect } from "./Dialect.js"
import { orDie } from "./SqlErrors.js"

// SQLite binds at most 32,766 parameters a statement (999 before 3.32); MySQL and PostgreSQL more.
const chunkSize = 500

/**
 * `ExternalRefs` on the `external_refs` table. A put is a delete and an insert rather than an
 * upsert, whose syntax differs in every dialect; callers run it inside their transaction.
 */
export const layer: Layer.Layer<ExternalRefs.ExternalRefs, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  ExternalRefs.ExternalRefs,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const { query, atomically } = yield* Dialect
    return {
      resolve: (namespace, externalIds) =>
        Effect.gen(function* () {
          const out = new Map<string, string>()
          const unique = [...new Set(externalIds)]
          for (let i = 0; i < unique.length; i += chunkSize) {
            const rows = yield* query(
              sql<{ readonly external_id: string; readonly internal_id: string }>`SELECT external_id, internal_id
                FROM external_refs WHERE namespace = ${namespace} AND ${sql.in("external_id", unique.slice(i, i + chunkSize))}`
            )
            for (const row of rows) out.set(row.external_id, row.internal_id)
          }
          return out as ReadonlyMap<string, string>
        }).pipe(orDie),
      put: (namespace, externalId, internalId) =>
        atomically(
          Effect.zipRight(
            query(sql`DELETE FROM external_refs WHERE namespace = ${namespace} AND external_id = ${externalId}`),
            query(
              sql`INSERT INTO external_refs ${sql.insert({ namespace, external_id: externalId, internal_id: internalId })}`
            )
          )
        ).pipe(Effect.asVoid, orDie),
      putMany: (namespace, pairs) => {
        // The last pair of an external id counts, as a series of puts would leave it.
        const latest = new Map<string, string>()
        for (const [externalId, internalId] of pairs) latest.set(externalId, internalId)
        const entries = [...latest]
        if (entries.length === 0) return Effect.void
        return atomically(
          Effect.forEach(
            Array.from({ length: Math.ceil(entries.length / chunkSize) }, (_, i) =>
              entries.slice(i * chunkSize, (i + 1) * chunkSize)
            ),
            (chunk) =>
              Effect.zipRight(
                query(
                  sql`DELETE FROM external_refs WHERE namespace = ${namespace} AND ${sql.in(
                    "external_id",
                    chunk.map(([externalId]) => externalId)
                  )}`
                ),
                query(
                  sql`INSERT INTO external_refs ${sql.insert(
                    chunk.map(([externalId, internalId]) => ({
                      namespace,
                      external_id: externalId,
                      internal_id: internalId
                    }))
                  )}`
                )
              ),
            { discard: true }
          )
        ).pipe(orDie)
      }
    }
  })
)
