import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, layer } from "@effect/vitest"
import { freshSchema, pgUrl, requirePg } from "@taskdesk/adapters/testing/postgres"
import { Actor, Users } from "@taskdesk/core"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import { Context, DateTime, Duration, Effect, Layer, Option } from "effect"
import * as Server from "../src/Server.js"
import * as ServerStorage from "../src/Storage.js"
import { client, person, raw, serverLayer, settingsFor } from "./support.js"

const storages = [
  { name: "memory", database_url: "memory", storage: undefined },
  { name: "SQLite", database_url: "sqlite::memory:", storage: undefined },
  ...(requirePg()
    ? [
        {
          name: "PostgreSQL",
          database_url: "memory",
          storage: Layer.unwrapScoped(
            Effect.map(freshSchema("http_credentials"), (schema) => ServerStorage.layerPg({ url: pgUrl, schema }))
          )
        }
      ]
    : [])
] as const

/** A change made through the core's `Users`, as an embedder or the CLI would, not through the users endpoint. */
const changeUser = (id: Parameters<Users.Users["update"]>[0], patch: Parameters<Users.Users["update"]>[1]) =>
  Effect.flatMap(Users.Users, (users) => users.update(id, patch).pipe(Actor.asSystem, Effect.orDie))

const apiToken = (token: string, body: Record<string, unknown>) =>
  raw("/api/tokens", { method: "POST", token, body: JSON.stringify(body) })

for (const storage of storages) {
  describe(`credentials on ${storage.name}`, () => {
    layer(serverLayer({ database_url: storage.database_url }, { storage: storage.storage }), {
      excludeTestServices: true,
      timeout: "30 seconds"
    })((it) => {
      it.effect("a role changed through the core reaches the user's API token and session at the next request", () =>
        Effect.gen(function* () {
          const supervisor = yield* person("supervisor")
          const { token } = yield* supervisor.api.tokens.create({ payload: { name: "reports" } })
          // Both credentials were just used, so any cache of them is warm.
          assert.strictEqual((yield* raw("/api/events", { token })).status, 200)
          assert.strictEqual((yield* raw("/api/events", { token: supervisor.token })).status, 200)
          yield* changeUser(supervisor.user.id, { role: "worker" })
          assert.strictEqual((yield* raw("/api/events", { token })).status, 403)
          assert.strictEqual((yield* raw("/api/events", { token: supervisor.token })).status, 403)
          yield* changeUser(supervisor.user.id, { role: "supervisor" })
          assert.strictEqual((yield* raw("/api/events", { token })).status, 200)
        })
      )

      it.effect("deactivating through the core ends the user's API token, session and refresh token", () =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const { token } = yield* worker.api.tokens.create({ payload: { name: "bot" } })
          assert.strictEqual((yield* raw("/api/auth/me", { token })).status, 200)
          assert.strictEqual((yield* raw("/api/auth/me", { token: worker.token })).status, 200)
          yield* Effect.flatMap(Users.Users, (users) =>
            users.deactivate(worker.user.id).pipe(Actor.asSystem, Effect.orDie)
          )
          const refused = yield* raw("/api/auth/me", { token })
          assert.strictEqual(refused.status, 401)
          assert.strictEqual(refused.body.type, "urn:taskdesk:problem:unauthorized")
          assert.strictEqual((yield* raw("/api/auth/me", { token: worker.token })).status, 401)
          const renewed = yield* (yield* client()).auth
            .refresh({ payload: { refreshToken: worker.refreshToken } })
            .pipe(Effect.flip)
          assert.strictEqual(renewed._tag, "Unauthorized")
          // Coming back does not bring the old credentials back.
          yield* changeUser(worker.user.id, { active: true })
          assert.strictEqual((yield* raw("/api/auth/me", { token })).status, 401)
          assert.strictEqual((yield* raw("/api/auth/me", { token: worker.token })).status, 401)
        })
      )

      it.effect("an API token given expiresAt answers 401 from then on", () =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const expiresAt = DateTime.add(yield* DateTime.now, { millis: 1_500 })
          const created = yield* apiToken(worker.token, { name: "short", expiresAt: DateTime.formatIso(expiresAt) })
          assert.strictEqual(created.status, 201)
          assert.strictEqual(created.body.expiresAt, DateTime.formatIso(expiresAt))
          assert.strictEqual((yield* raw("/api/auth/me", { token: created.body.token })).status, 200)
          yield* Effect.sleep(Duration.millis(DateTime.distance(yield* DateTime.now, expiresAt) + 50))
          const expired = yield* raw("/api/auth/me", { token: created.body.token })
          assert.strictEqual(expired.status, 401)
          assert.match(expired.body.detail, /expired/)
          assert.isFalse((yield* worker.api.tokens.list()).some((t) => t.id === created.body.id))
        })
      )

      it.effect("expiresAt must lie ahead, within ten years, and not beside expiresInDays", () =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const now = yield* DateTime.now
          const past = yield* apiToken(worker.token, {
            name: "late",
            expiresAt: DateTime.formatIso(DateTime.subtract(now, { minutes: 1 }))
          })
          assert.strictEqual(past.status, 400)
          assert.deepStrictEqual(past.body.issues[0].path, ["expiresAt"])
          const far = yield* apiToken(worker.token, {
            name: "far",
            expiresAt: DateTime.formatIso(DateTime.add(now, { days: 3_651 }))
          })
          assert.strictEqual(far.status, 400)
          const both = yield* apiToken(worker.token, {
            name: "both",
            expiresInDays: 3,
            expiresAt: DateTime.formatIso(DateTime.add(now, { days: 1 }))
          })
          assert.strictEqual(both.status, 400)
          assert.strictEqual((yield* worker.api.tokens.list()).length, 0)
        })
      )

      it.effect("an API token's last use is recorded", () =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const { id, token } = yield* worker.api.tokens.create({ payload: { name: "cron" } })
          const before = (yield* worker.api.tokens.list()).find((t) => t.id === id)!
          assert.isTrue(Option.isNone(before.lastUsedAt))
          const start = yield* DateTime.now
          assert.strictEqual((yield* raw("/api/auth/me", { token })).status, 200)
          const after = (yield* worker.api.tokens.list()).find((t) => t.id === id)!
          assert.isTrue(Option.isSome(after.lastUsedAt))
          assert.isTrue(DateTime.greaterThanOrEqualTo(Option.getOrThrow(after.lastUsedAt), start))
        })
      )
    })
  })
}

describe("credentials across server instances", () => {
  const file = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-instances-")), "taskdesk.db")
  layer(serverLayer({ database_url: file }), { excludeTestServices: true, timeout: "30 seconds" })((it) => {
    it.effect("a change made on another instance reaches this one's cached tokens within 2 seconds", () =>
      Effect.gen(function* () {
        // A second server on the same database, with its own event bus, as another process would be.
        const other = yield* Layer.build(
          Server.layerServices(settingsFor({ database_url: file }), { hasher: PasswordHasher.layerInsecureForTests })
        )
        const elsewhere = <A, E>(effect: Effect.Effect<A, E, Users.Users>) =>
          effect.pipe(Effect.provideService(Users.Users, Context.get(other, Users.Users)))
        const supervisor = yield* person("supervisor")
        const { token } = yield* supervisor.api.tokens.create({ payload: { name: "reports" } })
        assert.strictEqual((yield* raw("/api/events", { token })).status, 200)
        yield* elsewhere(changeUser(supervisor.user.id, { role: "worker" }))
        yield* Effect.sleep("2100 millis")
        assert.strictEqual((yield* raw("/api/events", { token })).status, 403)
        assert.strictEqual((yield* raw("/api/auth/me", { token })).status, 200)
        yield* elsewhere(
          Effect.flatMap(Users.Users, (users) =>
            users.deactivate(supervisor.user.id).pipe(Actor.asSystem, Effect.orDie)
          )
        )
        yield* Effect.sleep("2100 millis")
        assert.strictEqual((yield* raw("/api/auth/me", { token })).status, 401)
        assert.strictEqual((yield* raw("/api/auth/me", { token: supervisor.token })).status, 401)
      }).pipe(Effect.scoped)
    )
  })
})
