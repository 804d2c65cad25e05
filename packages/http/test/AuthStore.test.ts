import { assert, describe, layer } from "@effect/vitest"
import { SqlStorage } from "@taskdesk/adapters"
import { describeMysql, freshDatabase, mysqlUrl } from "@taskdesk/adapters/testing/mysql"
import { describePg, freshSchema, pgUrl } from "@taskdesk/adapters/testing/postgres"
import { type Ids, Role } from "@taskdesk/core"
import { Effect, Layer, Option } from "effect"
import { AuthStore, type StoredToken } from "../src/auth/AuthStore.js"
import * as SqlAuthStore from "../src/auth/SqlAuthStore.js"

let n = 0
const run = Math.random().toString(36).slice(2, 8)
const fresh = (prefix: string) => `${prefix}-${run}-${++n}`
const userId = () => fresh("user") as Ids.UserId

const token = (overrides: Partial<StoredToken> = {}): StoredToken => ({
  hash: fresh("hash"),
  id: fresh("id"),
  kind: "access",
  userId: userId(),
  role: "worker",
  sessionId: null,
  name: null,
  csrf: null,
  createdAt: 1_000,
  expiresAt: null,
  usedAt: null,
  revokedAt: null,
  lastUsedAt: null,
  ...overrides
})

const found = (hash: string) => Effect.flatMap(AuthStore, (s) => Effect.map(s.findToken(hash), Option.getOrThrow))

/** The contract every AuthStore keeps; the same suite runs on memory, SQLite and PostgreSQL. */
const authStoreSuite = <E>(name: string, store: Layer.Layer<AuthStore, E>) =>
  layer(store, { timeout: "30 seconds" })(`AuthStore on ${name}`, (it) => {
    it.effect("passwords: none, set, replaced", () =>
      Effect.gen(function* () {
        const s = yield* AuthStore
        const id = userId()
        assert.isTrue(Option.isNone(yield* s.getPassword(id)))
        yield* s.setPassword(id, "hash-1", 1)
        yield* s.setPassword(id, "hash-2", 2)
        assert.strictEqual(Option.getOrThrow(yield* s.getPassword(id)), "hash-2")
      })
    )

    it.effect("tokens round-trip every field; unknown hashes are none", () =>
      Effect.gen(function* () {
        const s = yield* AuthStore
        const t = token({ kind: "api", name: "CI", csrf: "c", expiresAt: 9_000_000_000_000, role: "partner" })
        yield* s.insertTokens([t])
        assert.deepStrictEqual(yield* found(t.hash), t)
        assert.isTrue(Option.isNone(yield* s.findToken(fresh("missing"))))
      })
    )

    it.effect("a refresh token is used once; a revoked one not at all", () =>
      Effect.gen(function* () {
        const s = yield* AuthStore
        const t = token({ kind: "refresh", sessionId: fresh("s") })
        yield* s.insertTokens([t])
        assert.isTrue(yield* s.useRefresh(t.hash, 5))
        assert.isFalse(yield* s.useRefresh(t.hash, 6))
        assert.strictEqual((yield* found(t.hash)).usedAt, 5)
        const revoked = token({ kind: "refresh", revokedAt: 1 })
        yield* s.insertTokens([revoked])
        assert.isFalse(yield* s.useRefresh(revoked.hash, 7))
        const access = token({ kind: "access" })
        yield* s.insertTokens([access])
        assert.isFalse(yield* s.useRefresh(access.hash, 7))
      })
    )

    it.effect("revoking a session revokes its family only", () =>
      Effect.gen(function* () {
        const s = yield* AuthStore
        const user = userId()
        const family = fresh("s")
        const a = token({ userId: user, sessionId: family })
        const b = token({ userId: user, sessionId: family, kind: "refresh" })
        const other = token({ userId: user, sessionId: fresh("s") })
        yield* s.insertTokens([a, b, other])
        yield* s.revokeSession(family, 50)
        assert.strictEqual((yield* found(a.hash)).revokedAt, 50)
        assert.strictEqual((yield* found(b.hash)).revokedAt, 50)
        assert.strictEqual((yield* found(other.hash)).revokedAt, null)
      })
    )

    it.effect("revoking a user: all, all but one session, or sessions only", () =>
      Effect.gen(function* () {
        const s = yield* AuthStore
        const user = userId()
        const kept = fresh("s")
        const current = token({ userId: user, sessionId: kept })
        const old = token({ userId: user, sessionId: fresh("s") })
        const api = token({ userId: user, kind: "api" })
        const stranger = token()
        yield* s.insertTokens([current, old, api, stranger])
        yield* s.revokeUser(user, 10, { exceptSession: kept, keepApiTokens: true })
        assert.strictEqual((yield* found(current.hash)).revokedAt, null)
        assert.strictEqual((yield* found(old.hash)).revokedAt, 10)
        assert.strictEqual((yield* found(api.hash)).revokedAt, null)
        yield* s.revokeUser(user, 20)
        assert.strictEqual((yield* found(current.hash)).revokedAt, 20)
        assert.strictEqual((yield* found(api.hash)).revokedAt, 20)
        assert.strictEqual((yield* found(old.hash)).revokedAt, 10)
        assert.strictEqual((yield* found(stranger.hash)).revokedAt, null)
      })
    )

    it.effect("API tokens: listed live and newest first, revoked by their owner only, touched, re-roled", () =>
      Effect.gen(function* () {
        const s = yield* AuthStore
        const user = userId()
        const older = token({ userId: user, kind: "api", name: "a", createdAt: 1 })
        const newer = token({ userId: user, kind: "api", name: "b", createdAt: 2 })
        const expired = token({ userId: user, kind: "api", name: "c", createdAt: 3, expiresAt: 100 })
        const session = token({ userId: user, kind: "access" })
        yield* s.insertTokens([older, newer, expired, session])
        assert.deepStrictEqual(
          (yield* s.listApiTokens(user, 200)).map((t) => t.name),
          ["b", "a"]
        )
        assert.isFalse(yield* s.revokeApiToken(userId(), older.id, 5))
        assert.isFalse(yield* s.revokeApiToken(user, session.id, 5))
        assert.isTrue(yield* s.revokeApiToken(user, older.id, 5))
        assert.isFalse(yield* s.revokeApiToken(user, older.id, 6))
        assert.deepStrictEqual(
          (yield* s.listApiTokens(user, 200)).map((t) => t.name),
          ["b"]
        )
        yield* s.touchApiToken(newer.hash, 77)
        assert.strictEqual((yield* found(newer.hash)).lastUsedAt, 77)
        yield* s.setRole(user, Role.roles[1]!)
        assert.strictEqual((yield* found(newer.hash)).role, Role.roles[1])
        assert.strictEqual((yield* found(session.hash)).role, Role.roles[1])
      })
    )

    it.effect("idempotency keys: claimed once, completed, released, expired, apart per scope", () =>
      Effect.gen(function* () {
        const s = yield* AuthStore
        const scope = fresh("scope")
        const record = { scope, key: "k", fingerprint: "f1", createdAt: 1_000, expiresAt: 2_000 }
        assert.isTrue(Option.isNone(yield* s.claimIdempotency(record)))
        const running = Option.getOrThrow(yield* s.claimIdempotency({ ...record, fingerprint: "f2", createdAt: 1_001 }))
        assert.strictEqual(running.fingerprint, "f1")
        assert.isTrue(Option.isNone(running.response))
        const response = {
          status: 201,
          headers: { etag: '"1"', "content-type": "application/json" },
          body: '{"a":"é"}'
        }
        yield* s.completeIdempotency(scope, "k", response)
        const done = Option.getOrThrow(yield* s.claimIdempotency({ ...record, createdAt: 1_002 }))
        assert.deepStrictEqual(Option.getOrThrow(done.response), response)
        assert.isTrue(Option.isNone(yield* s.claimIdempotency({ ...record, scope: fresh("scope") })))
        // Past its expiry a key starts afresh.
        assert.isTrue(
          Option.isNone(yield* s.claimIdempotency({ ...record, fingerprint: "f3", createdAt: 2_000, expiresAt: 3_000 }))
        )
        yield* s.releaseIdempotency(scope, "k")
        assert.isTrue(Option.isNone(yield* s.claimIdempotency({ ...record, createdAt: 2_500, expiresAt: 3_000 })))
      })
    )

    it.effect("WebSocket tickets: taken once, not when expired; purging drops expired ones", () =>
      Effect.gen(function* () {
        const s = yield* AuthStore
        const ticket = { hash: fresh("ticket"), credentialHash: fresh("credential"), expiresAt: 1_000 }
        yield* s.insertTicket(ticket)
        assert.deepStrictEqual(yield* s.takeTicket(ticket.hash, 999), Option.some(ticket.credentialHash))
        assert.isTrue(Option.isNone(yield* s.takeTicket(ticket.hash, 999)), "used")
        assert.isTrue(Option.isNone(yield* s.takeTicket(fresh("ticket"), 0)), "unknown")
        const late = { ...ticket, hash: fresh("ticket") }
        yield* s.insertTicket(late)
        assert.isTrue(Option.isNone(yield* s.takeTicket(late.hash, 1_000)), "expired")
        const purged = { ...ticket, hash: fresh("ticket") }
        const kept = { ...ticket, hash: fresh("ticket"), expiresAt: 5_000 }
        yield* s.insertTicket(purged)
        yield* s.insertTicket(kept)
        yield* s.purgeExpired(2_000)
        assert.isTrue(Option.isNone(yield* s.takeTicket(purged.hash, 0)), "purged")
        assert.isTrue(Option.isSome(yield* s.takeTicket(kept.hash, 2_000)), "kept")
      })
    )

    it.effect("purging drops expired tokens and keys, keeps live ones", () =>
      Effect.gen(function* () {
        const s = yield* AuthStore
        const expired = token({ expiresAt: 10 })
        const live = token({ expiresAt: 9_000_000_000_000 })
        yield* s.insertTokens([expired, live])
        const scope = fresh("scope")
        yield* s.claimIdempotency({ scope, key: "old", fingerprint: "f", createdAt: 1, expiresAt: 10 })
        yield* s.purgeExpired(100)
        assert.isTrue(Option.isNone(yield* s.findToken(expired.hash)))
        assert.isTrue(Option.isSome(yield* s.findToken(live.hash)))
        assert.isTrue(
          Option.isNone(
            yield* s.claimIdempotency({ scope, key: "old", fingerprint: "g", createdAt: 5, expiresAt: 500 })
          )
        )
      })
    )
  })

describe("AuthStore", () => {
  authStoreSuite("memory", AuthStore.layerMemory)

  authStoreSuite(
    "SQLite",
    SqlAuthStore.layer.pipe(
      Layer.provideMerge(Layer.effectDiscard(SqlAuthStore.migrate)),
      Layer.provide(SqlStorage.clientSqlite({ filename: ":memory:" }))
    )
  )

  describePg("PostgreSQL", () => {
    authStoreSuite(
      "PostgreSQL",
      Layer.unwrapScoped(
        Effect.map(freshSchema("http_auth"), (schema) =>
          SqlAuthStore.layer.pipe(
            Layer.provideMerge(Layer.effectDiscard(SqlAuthStore.migrate)),
            Layer.provide(SqlStorage.clientPg({ url: pgUrl, schema }))
          )
        )
      )
    )
  })

  describeMysql("MySQL", () => {
    authStoreSuite(
      "MySQL",
      Layer.unwrapScoped(
        Effect.map(freshDatabase("http_auth"), (database) =>
          SqlAuthStore.layer.pipe(
            Layer.provideMerge(Layer.effectDiscard(SqlAuthStore.migrate)),
            Layer.provide(SqlStorage.clientMysql({ url: mysqlUrl(database) }))
          )
        )
      )
    )
  })
})
