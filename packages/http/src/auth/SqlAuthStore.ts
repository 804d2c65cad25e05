import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { Fragment } from "@effect/sql/Statement"
import type { Ids, Role } from "@taskdesk/core"
import { Effect, Layer, Option } from "effect"
import { AuthStore, type IdempotencyRecord, type StoredToken, type TokenKind } from "./AuthStore.js"

/** The migrations table of the server's own tables, apart from the storage adapter's. */
export const migrationsTable = "taskdesk_http_migrations"

const bigint = (sql: SqlClient.SqlClient) =>
  sql.onDialectOrElse({ pg: () => "bigint", mysql: () => "BIGINT", orElse: () => "INTEGER" })

/** Text a key or an index covers: MySQL cannot index unbounded TEXT (see the adapter's `typesOf`). */
const keyText = (sql: SqlClient.SqlClient) =>
  sql.onDialectOrElse({ mysql: () => "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", orElse: () => "TEXT" })

/** Unbounded text; binary collation on MySQL, so comparisons are exact as in the other dialects. */
const longText = (sql: SqlClient.SqlClient) =>
  sql.onDialectOrElse({ mysql: () => "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", orElse: () => "TEXT" })

const init = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const big = bigint(sql)
  const key = keyText(sql)
  const text = longText(sql)
  yield* sql.unsafe(`CREATE TABLE http_passwords (
    user_id ${key} PRIMARY KEY NOT NULL,
    hash ${text} NOT NULL,
    updated_at ${big} NOT NULL
  )`)
  yield* sql.unsafe(`CREATE TABLE http_tokens (
    hash ${key} PRIMARY KEY NOT NULL,
    id ${key} NOT NULL,
    kind ${text} NOT NULL,
    user_id ${key} NOT NULL,
    role ${text} NOT NULL,
    session_id ${key},
    name ${text},
    csrf ${text},
    created_at ${big} NOT NULL,
    expires_at ${big},
    used_at ${big},
    revoked_at ${big},
    last_used_at ${big}
  )`)
  yield* sql.unsafe("CREATE INDEX http_tokens_user ON http_tokens (user_id)")
  yield* sql.unsafe("CREATE INDEX http_tokens_session ON http_tokens (session_id)")
  yield* sql.unsafe(`CREATE TABLE http_idempotency (
    scope ${key} NOT NULL,
    idempotency_key ${key} NOT NULL,
    fingerprint ${text} NOT NULL,
    created_at ${big} NOT NULL,
    expires_at ${big} NOT NULL,
    status INTEGER,
    headers ${text},
    body ${text},
    PRIMARY KEY (scope, idempotency_key)
  )`)
})

// WebSocket tickets, here so a ticket asked of one instance opens a socket on any other.
const wsTickets = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`CREATE TABLE http_ws_tickets (
    hash ${keyText(sql)} PRIMARY KEY NOT NULL,
    credential_hash ${keyText(sql)} NOT NULL,
    expires_at ${bigint(sql)} NOT NULL
  )`)
})

const loader = Migrator.fromRecord({ "0001_auth": init, "0002_ws_tickets": wsTickets })

/** Creates or updates the server's tables (tokens, passwords, idempotency keys, WebSocket tickets). */
export const migrate: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const run = Migrator.make({})({ loader, table: migrationsTable })
  // Serialised across processes starting at once, as the storage adapter's migrations are. The
  // table is made here, under the lock: the migrator's own probe for it would abort the transaction.
  return yield* sql.onDialectOrElse({
    pg: () =>
      sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`SELECT pg_advisory_xact_lock(74617368747470)`
          yield* sql.unsafe(`CREATE TABLE IF NOT EXISTS ${migrationsTable} (
            migration_id integer PRIMARY KEY,
            created_at timestamp with time zone NOT NULL DEFAULT now(),
            name text NOT NULL
          )`)
          return yield* run
        })
      ),
    orElse: () => run
  })
})

/**
 * The rows an UPDATE or DELETE matched: `RETURNING` where there is one; on MySQL, which has none, the
 * affected-row count (the client reports rows found, not rows changed).
 */
const matched = (sql: SqlClient.SqlClient, statement: Fragment): Effect.Effect<number, SqlError> =>
  sql.onDialectOrElse({
    mysql: () =>
      Effect.map(sql`${statement}`.raw, (result) => Number((result as { affectedRows?: number }).affectedRows ?? 0)),
    orElse: () => Effect.map(sql`${statement} RETURNING 1 AS one`, (rows) => rows.length)
  })

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value))

interface TokenRow {
  readonly hash: string
  readonly id: string
  readonly kind: string
  readonly userId: string
  readonly role: string
  readonly sessionId: string | null
  readonly name: string | null
  readonly csrf: string | null
  readonly createdAt: unknown
  readonly expiresAt: unknown
  readonly usedAt: unknown
  readonly revokedAt: unknown
  readonly lastUsedAt: unknown
}

const toToken = (row: TokenRow): StoredToken => ({
  hash: row.hash,
  id: row.id,
  kind: row.kind as TokenKind,
  userId: row.userId as Ids.UserId,
  role: row.role as Role.Role,
  sessionId: row.sessionId,
  name: row.name,
  csrf: row.csrf,
  createdAt: Number(row.createdAt),
  expiresAt: num(row.expiresAt),
  usedAt: num(row.usedAt),
  revokedAt: num(row.revokedAt),
  lastUsedAt: num(row.lastUsedAt)
})

// Aliases are quoted camelCase so rows read the same whether or not the client renames columns.
const tokenColumns = `hash, id, kind, user_id AS "userId", role, session_id AS "sessionId", name, csrf,
  created_at AS "createdAt", expires_at AS "expiresAt", used_at AS "usedAt", revoked_at AS "revokedAt",
  last_used_at AS "lastUsedAt"`

/**
 * The auth store on the domain's database: tables `http_passwords`, `http_tokens`, `http_idempotency`
 * and `http_ws_tickets`, migrated under their own migrations table. SQL failures are defects here:
 * the server cannot answer anything sensible without its credentials.
 */
export const layer: Layer.Layer<AuthStore, never, SqlClient.SqlClient> = Layer.effect(
  AuthStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const orDie = <A>(effect: Effect.Effect<A, SqlError>) => Effect.orDie(effect)

    const findToken = (hash: string) =>
      orDie(sql<TokenRow>`SELECT ${sql.literal(tokenColumns)} FROM http_tokens WHERE hash = ${hash}`).pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toToken))
      )

    return AuthStore.of({
      getPassword: (userId) =>
        orDie(sql<{ hash: string }>`SELECT hash FROM http_passwords WHERE user_id = ${userId}`).pipe(
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (r) => r.hash))
        ),
      setPassword: (userId, hash, at) =>
        orDie(
          sql`INSERT INTO http_passwords (user_id, hash, updated_at) VALUES (${userId}, ${hash}, ${at})
            ${sql.onDialectOrElse({
              mysql: () => sql.literal("ON DUPLICATE KEY UPDATE"),
              orElse: () => sql.literal("ON CONFLICT (user_id) DO UPDATE SET")
            })} hash = ${hash}, updated_at = ${at}`
        ).pipe(Effect.asVoid),
      insertTokens: (tokens) =>
        orDie(
          Effect.forEach(
            tokens,
            (t) =>
              sql`INSERT INTO http_tokens (hash, id, kind, user_id, role, session_id, name, csrf, created_at, expires_at,
                used_at, revoked_at, last_used_at)
              VALUES (${t.hash}, ${t.id}, ${t.kind}, ${t.userId}, ${t.role}, ${t.sessionId}, ${t.name}, ${t.csrf},
                ${t.createdAt}, ${t.expiresAt}, ${t.usedAt}, ${t.revokedAt}, ${t.lastUsedAt})`,
            { discard: true }
          ).pipe(sql.withTransaction)
        ),
      findToken,
      useRefresh: (hash, at) =>
        orDie(
          matched(
            sql,
            sql`UPDATE http_tokens SET used_at = ${at}
              WHERE hash = ${hash} AND kind = 'refresh' AND used_at IS NULL AND revoked_at IS NULL`
          )
        ).pipe(Effect.map((n) => n === 1)),
      revokeSession: (sessionId, at) =>
        orDie(
          sql`UPDATE http_tokens SET revoked_at = ${at} WHERE session_id = ${sessionId} AND revoked_at IS NULL`
        ).pipe(Effect.asVoid),
      revokeUser: (userId, at, options = {}) =>
        orDie(
          sql`UPDATE http_tokens SET revoked_at = ${at}
            WHERE user_id = ${userId} AND revoked_at IS NULL
            ${options.keepApiTokens ? sql.literal("AND kind <> 'api'") : sql.literal("")}
            ${options.exceptSession !== undefined ? sql`AND (session_id IS NULL OR session_id <> ${options.exceptSession})` : sql.literal("")}`
        ).pipe(Effect.asVoid),
      revokeApiToken: (userId, id, at) =>
        orDie(
          matched(
            sql,
            sql`UPDATE http_tokens SET revoked_at = ${at}
              WHERE kind = 'api' AND id = ${id} AND user_id = ${userId} AND revoked_at IS NULL`
          )
        ).pipe(Effect.map((n) => n > 0)),
      listApiTokens: (userId, now) =>
        orDie(
          sql<TokenRow>`SELECT ${sql.literal(tokenColumns)} FROM http_tokens
            WHERE kind = 'api' AND user_id = ${userId} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${now})
            ORDER BY created_at DESC, id`
        ).pipe(Effect.map((rows) => rows.map(toToken))),
      touchApiToken: (hash, at) =>
        orDie(sql`UPDATE http_tokens SET last_used_at = ${at} WHERE hash = ${hash}`).pipe(Effect.asVoid),
      setRole: (userId, role) =>
        orDie(sql`UPDATE http_tokens SET role = ${role} WHERE user_id = ${userId}`).pipe(Effect.asVoid),
      claimIdempotency: (record) =>
        orDie(
          Effect.gen(function* () {
            // An expired record is replaced; a live one is reported back.
            yield* sql`DELETE FROM http_idempotency
              WHERE scope = ${record.scope} AND idempotency_key = ${record.key} AND expires_at <= ${record.createdAt}`
            const values = sql`(scope, idempotency_key, fingerprint, created_at, expires_at)
              VALUES (${record.scope}, ${record.key}, ${record.fingerprint}, ${record.createdAt}, ${record.expiresAt})`
            // MySQL: IGNORE skips the duplicate (the table has no foreign key whose failure it would hide).
            const inserted = yield* sql.onDialectOrElse({
              mysql: () =>
                Effect.map(sql`INSERT IGNORE INTO http_idempotency ${values}`.raw, (result) =>
                  Number((result as { affectedRows?: number }).affectedRows ?? 0)
                ),
              orElse: () =>
                Effect.map(
                  sql`INSERT INTO http_idempotency ${values} ON CONFLICT (scope, idempotency_key) DO NOTHING RETURNING scope`,
                  (rows) => rows.length
                )
            })
            if (inserted === 1) return Option.none<IdempotencyRecord>()
            const rows = yield* sql<{
              fingerprint: string
              createdAt: unknown
              expiresAt: unknown
              status: unknown
              headers: string | null
              body: string | null
            }>`SELECT fingerprint, created_at AS "createdAt", expires_at AS "expiresAt", status, headers, body
              FROM http_idempotency WHERE scope = ${record.scope} AND idempotency_key = ${record.key}`
            const row = rows[0]
            if (row === undefined) return Option.none<IdempotencyRecord>()
            return Option.some<IdempotencyRecord>({
              scope: record.scope,
              key: record.key,
              fingerprint: row.fingerprint,
              createdAt: Number(row.createdAt),
              expiresAt: Number(row.expiresAt),
              response:
                row.status === null || row.status === undefined
                  ? Option.none()
                  : Option.some({
                      status: Number(row.status),
                      headers: JSON.parse(row.headers ?? "{}") as Record<string, string>,
                      body: row.body ?? ""
                    })
            })
          })
        ),
      completeIdempotency: (scope, key, response) =>
        orDie(
          sql`UPDATE http_idempotency SET status = ${response.status}, headers = ${JSON.stringify(response.headers)},
            body = ${response.body} WHERE scope = ${scope} AND idempotency_key = ${key}`
        ).pipe(Effect.asVoid),
      releaseIdempotency: (scope, key) =>
        orDie(sql`DELETE FROM http_idempotency WHERE scope = ${scope} AND idempotency_key = ${key}`).pipe(
          Effect.asVoid
        ),
      insertTicket: (ticket) =>
        orDie(
          sql`INSERT INTO http_ws_tickets (hash, credential_hash, expires_at)
            VALUES (${ticket.hash}, ${ticket.credentialHash}, ${ticket.expiresAt})`
        ).pipe(Effect.asVoid),
      takeTicket: (hash, now) =>
        orDie(
          Effect.gen(function* () {
            const rows = yield* sql<{ readonly credentialHash: string; readonly expiresAt: unknown }>`
              SELECT credential_hash AS "credentialHash", expires_at AS "expiresAt" FROM http_ws_tickets WHERE hash = ${hash}`
            const row = rows[0]
            if (row === undefined) return Option.none<string>()
            // Whoever deletes the row has used the ticket: a second instance reading it meanwhile deletes nothing.
            const taken = yield* matched(sql, sql`DELETE FROM http_ws_tickets WHERE hash = ${hash}`)
            return taken === 1 && Number(row.expiresAt) > now ? Option.some(row.credentialHash) : Option.none<string>()
          })
        ),
      purgeExpired: (now) =>
        orDie(
          Effect.all([
            sql`DELETE FROM http_ws_tickets WHERE expires_at <= ${now}`,
            sql`DELETE FROM http_tokens WHERE (expires_at IS NOT NULL AND expires_at <= ${now})
              OR (revoked_at IS NOT NULL AND revoked_at <= ${now - 86_400_000})`,
            sql`DELETE FROM http_idempotency WHERE expires_at <= ${now}`
          ])
        ).pipe(Effect.asVoid)
    })
  })
)
