import { assert, describe, it, layer } from "@effect/vitest"
import { Actor, Users } from "@taskdesk/core"
import { Accounts } from "@taskdesk/http/auth/Accounts.js"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import * as Telegram from "@taskdesk/http/auth/Telegram.js"
import { Effect, Redacted } from "effect"
import * as Argon2 from "../src/Argon2.js"
import { client, password, person, raw, serverLayer, uniqueName } from "./support.js"

const botToken = "123456:test-bot-token"

describe("auth", () => {
  layer(serverLayer({ security: { telegram_bot_token: botToken } }), { excludeTestServices: true })(
    "sessions",
    (it) => {
      it.effect("login answers tokens and the user; /auth/me is that user", () =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const me = yield* worker.api.account.me()
          assert.strictEqual(me.id, worker.user.id)
          const session = yield* (yield* client()).auth.login({
            payload: { username: worker.user.username, password }
          })
          assert.match(session.accessToken, /^tda_/)
          assert.match(session.refreshToken, /^tdr_/)
          assert.strictEqual(session.expiresIn, 3600)
          assert.strictEqual(session.refreshExpiresIn, 7 * 86400)
          assert.strictEqual(session.user.username, worker.user.username)
        })
      )

      it.effect("a wrong password, an unknown user and a missing token are 401 problems", () =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const api = yield* client()
          const wrong = yield* api.auth
            .login({ payload: { username: worker.user.username, password: "nope-nope-nope" } })
            .pipe(Effect.flip)
          assert.strictEqual(wrong._tag, "Unauthorized")
          const unknown = yield* api.auth.login({ payload: { username: "nobody_at_all", password } }).pipe(Effect.flip)
          assert.strictEqual(unknown._tag, "Unauthorized")
          const anonymous = yield* raw("/api/auth/me")
          assert.strictEqual(anonymous.status, 401)
          assert.strictEqual(anonymous.headers.get("content-type"), "application/problem+json")
          assert.strictEqual(anonymous.body.type, "urn:taskdesk:problem:unauthorized")
          assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Bearer/)
          const garbage = yield* raw("/api/auth/me", { token: "tda_garbage" })
          assert.strictEqual(garbage.status, 401)
          const basic = yield* raw("/api/auth/me", { headers: { authorization: "Basic Zm9vOmJhcg==" } })
          assert.strictEqual(basic.status, 401)
        })
      )

      it.effect("refresh rotates; reusing a refresh token revokes the whole family", () =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const api = yield* client()
          const second = yield* api.auth.refresh({ payload: { refreshToken: worker.refreshToken } })
          assert.notStrictEqual(second.refreshToken, worker.refreshToken)
          const third = yield* api.auth.refresh({ payload: { refreshToken: second.refreshToken } })
          // The first token again: a thief or a replay. Everything of that session dies.
          const reuse = yield* api.auth.refresh({ payload: { refreshToken: worker.refreshToken } }).pipe(Effect.flip)
          assert.strictEqual(reuse._tag, "Unauthorized")
          const latest = yield* api.auth.refresh({ payload: { refreshToken: third.refreshToken } }).pipe(Effect.flip)
          assert.strictEqual(latest._tag, "Unauthorized")
          assert.strictEqual((yield* raw("/api/auth/me", { token: third.accessToken })).status, 401)
          assert.strictEqual((yield* raw("/api/auth/me", { token: worker.token })).status, 401)
        })
      )

      it.effect("logout ends the session but not other sessions", () =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const other = yield* (yield* client()).auth.login({ payload: { username: worker.user.username, password } })
          yield* worker.api.account.logout()
          assert.strictEqual((yield* raw("/api/auth/me", { token: worker.token })).status, 401)
          const refresh = yield* (yield* client()).auth
            .refresh({ payload: { refreshToken: worker.refreshToken } })
            .pipe(Effect.flip)
          assert.strictEqual(refresh._tag, "Unauthorized")
          assert.strictEqual((yield* raw("/api/auth/me", { token: other.accessToken })).status, 200)
        })
      )

      it.effect("changing the password needs the current one, applies the policy and ends other sessions", () =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const other = yield* (yield* client()).auth.login({ payload: { username: worker.user.username, password } })
          const wrong = yield* worker.api.account
            .changePassword({ payload: { currentPassword: "not-it-at-all", newPassword: "a brand new secret" } })
            .pipe(Effect.flip)
          assert.strictEqual(wrong._tag, "InvalidInput")
          for (const weak of ["short", "password123", "12345678", "aaaaaaaaaaaa", worker.user.username]) {
            const refused = yield* worker.api.account
              .changePassword({ payload: { currentPassword: password, newPassword: weak } })
              .pipe(Effect.flip)
            assert.strictEqual(refused._tag, "InvalidInput", weak)
            if (refused._tag === "InvalidInput") assert.deepStrictEqual(refused.issues[0]?.path, ["newPassword"])
          }
          yield* worker.api.account.changePassword({
            payload: { currentPassword: password, newPassword: "a brand new secret" }
          })
          assert.strictEqual((yield* raw("/api/auth/me", { token: worker.token })).status, 200)
          assert.strictEqual((yield* raw("/api/auth/me", { token: other.accessToken })).status, 401)
          const relogin = yield* (yield* client()).auth.login({
            payload: { username: worker.user.username, password: "a brand new secret" }
          })
          assert.strictEqual(relogin.user.id, worker.user.id)
        })
      )

      it.effect("API tokens act as their owner until revoked; others cannot see or revoke them", () =>
        Effect.gen(function* () {
          const manager = yield* person("manager")
          const other = yield* person("manager")
          const created = yield* manager.api.tokens.create({ payload: { name: "CI", expiresInDays: 30 } })
          assert.match(created.token, /^tdk_/)
          const me = yield* raw("/api/auth/me", { token: created.token })
          assert.strictEqual(me.status, 200)
          assert.strictEqual(me.body.id, manager.user.id)
          const listed = yield* manager.api.tokens.list()
          assert.deepStrictEqual(
            listed.map((t) => t.name),
            ["CI"]
          )
          assert.strictEqual(JSON.stringify(listed).includes(created.token), false)
          assert.strictEqual((yield* other.api.tokens.list()).length, 0)
          const foreign = yield* other.api.tokens.revoke({ path: { id: created.id } }).pipe(Effect.flip)
          assert.strictEqual(foreign._tag, "NotFound")
          yield* manager.api.tokens.revoke({ path: { id: created.id } })
          assert.strictEqual((yield* raw("/api/auth/me", { token: created.token })).status, 401)
        })
      )

      it.effect("deactivating a user ends their sessions and API tokens; a role change reaches live tokens", () =>
        Effect.gen(function* () {
          const admin = yield* person("admin")
          const worker = yield* person("worker")
          const token = yield* worker.api.tokens.create({ payload: { name: "bot" } })
          const promoted = yield* admin.api.users.update({
            path: { id: worker.user.id },
            headers: {},
            payload: { role: "manager" }
          })
          assert.strictEqual(promoted.role, "manager")
          // As a manager they may now list every user.
          assert.strictEqual((yield* raw("/api/users", { token: worker.token })).status, 200)
          yield* admin.api.users.deactivate({ path: { id: worker.user.id } })
          assert.strictEqual((yield* raw("/api/auth/me", { token: worker.token })).status, 401)
          assert.strictEqual((yield* raw("/api/auth/me", { token: token.token })).status, 401)
          const login = yield* (yield* client()).auth
            .login({ payload: { username: worker.user.username, password } })
            .pipe(Effect.flip)
          assert.strictEqual(login._tag, "Unauthorized")
        })
      )

      it.effect("Telegram sign-in checks the signature and the age, and needs a linked user", () =>
        Effect.gen(function* () {
          const users = yield* Users.Users
          const telegramId = 100_000 + Math.floor(Math.random() * 1_000_000)
          const linked = yield* users
            .create({ name: "Telegram user", username: uniqueName("tg"), role: "worker", telegramId })
            .pipe(Actor.asSystem)
          const now = Math.floor(Date.now() / 1000)
          const fields = { id: telegramId, first_name: "Иван", username: "ivan_tg", auth_date: now }
          const signed = { ...fields, hash: Telegram.sign(fields, botToken) }
          const api = yield* client()
          const session = yield* api.auth.telegram({ payload: signed, urlParams: {} })
          assert.strictEqual(session.user.id, linked.id)
          // Fields Telegram adds later are covered by the signature too.
          const extended = { ...fields, allows_write_to_pm: "true" }
          const withExtra = yield* api.auth.telegram({
            payload: { ...extended, hash: Telegram.sign(extended, botToken) },
            urlParams: {}
          })
          assert.strictEqual(withExtra.user.id, linked.id)
          const tampered = yield* api.auth
            .telegram({ payload: { ...signed, first_name: "Mallory" }, urlParams: {} })
            .pipe(Effect.flip)
          assert.strictEqual(tampered._tag, "Unauthorized")
          const oldFields = { ...fields, auth_date: now - 2 * 86_400 }
          const stale = yield* api.auth
            .telegram({ payload: { ...oldFields, hash: Telegram.sign(oldFields, botToken) }, urlParams: {} })
            .pipe(Effect.flip)
          assert.strictEqual(stale._tag, "Unauthorized")
          const strangerFields = { ...fields, id: telegramId + 1 }
          const stranger = yield* api.auth
            .telegram({ payload: { ...strangerFields, hash: Telegram.sign(strangerFields, botToken) }, urlParams: {} })
            .pipe(Effect.flip)
          assert.strictEqual(stranger._tag, "Unauthorized")
        })
      )

      it.effect("a cookie session reads freely but writes only with the CSRF token", () =>
        Effect.gen(function* () {
          const manager = yield* person("manager")
          const login = yield* raw("/api/auth/login", {
            method: "POST",
            body: JSON.stringify({ username: manager.user.username, password, cookie: true })
          })
          assert.strictEqual(login.status, 200)
          const cookies = login.headers.getSetCookie()
          const session = cookies.find((c) => c.startsWith("taskdesk_session="))!
          assert.match(session, /HttpOnly/i)
          assert.match(session, /SameSite=Strict/i)
          const cookie = cookies.map((c) => c.split(";")[0]).join("; ")
          const csrf = login.body.csrfToken as string
          assert.strictEqual((yield* raw("/api/auth/me", { headers: { cookie } })).status, 200)
          const body = JSON.stringify({ title: "From a browser" })
          const forged = yield* raw("/api/tasks", { method: "POST", body, headers: { cookie } })
          assert.strictEqual(forged.status, 403)
          assert.strictEqual(forged.body.type, "urn:taskdesk:problem:forbidden")
          const made = yield* raw("/api/tasks", { method: "POST", body, headers: { cookie, "x-csrf-token": csrf } })
          assert.strictEqual(made.status, 201)
        })
      )

      it.effect("a cookie session's refresh renews the cookie and its CSRF token; a bearer session's sets none", () =>
        Effect.gen(function* () {
          const manager = yield* person("manager")
          const signIn = (cookie: boolean) =>
            raw("/api/auth/login", {
              method: "POST",
              body: JSON.stringify({ username: manager.user.username, password, cookie })
            })
          const refresh = (refreshToken: string) =>
            raw("/api/auth/refresh", { method: "POST", body: JSON.stringify({ refreshToken }) })
          const renewed = yield* refresh((yield* signIn(true)).body.refreshToken as string)
          assert.strictEqual(renewed.status, 200)
          const cookies = renewed.headers.getSetCookie()
          const session = cookies.find((c) => c.startsWith("taskdesk_session="))
          assert.isDefined(session)
          assert.match(session!, /HttpOnly/i)
          assert.isString(renewed.body.csrfToken)
          const cookie = cookies.map((c) => c.split(";")[0]).join("; ")
          assert.strictEqual((yield* raw("/api/auth/me", { headers: { cookie } })).status, 200)
          const bearer = yield* refresh((yield* signIn(false)).body.refreshToken as string)
          assert.strictEqual(bearer.status, 200)
          assert.deepStrictEqual(bearer.headers.getSetCookie(), [])
          assert.isUndefined(bearer.body.csrfToken)
        })
      )
    }
  )

  layer(serverLayer({ security: { rate_limiting: { requests_per_minute: 5, login_attempts_per_minute: 3 } } }), {
    excludeTestServices: true
  })("rate limits", (it) => {
    it.effect("a user past the limit gets 429 with Retry-After; others are unaffected", () =>
      Effect.gen(function* () {
        const accounts = yield* Accounts
        const users = yield* Users.Users
        // Made without the login endpoint, whose own limit this test does not exercise.
        const make = Effect.gen(function* () {
          const user = yield* users
            .create({ name: "x", username: uniqueName("rl"), role: "worker" })
            .pipe(Actor.asSystem)
          yield* accounts.setPassword(user, Redacted.make(password))
          const { token } = yield* accounts.createApiToken(new Actor.Actor({ id: user.id, role: user.role }), {
            name: "t"
          })
          return token
        })
        const busy = yield* make
        const calm = yield* make
        const statuses: Array<number> = []
        for (let i = 0; i < 7; i++) statuses.push((yield* raw("/api/auth/me", { token: busy })).status)
        assert.deepStrictEqual(statuses, [200, 200, 200, 200, 200, 429, 429])
        const limited = yield* raw("/api/auth/me", { token: busy })
        assert.strictEqual(limited.body.type, "urn:taskdesk:problem:too-many-requests")
        const retryAfter = Number(limited.headers.get("retry-after"))
        assert.isTrue(retryAfter >= 1 && retryAfter <= 60)
        assert.strictEqual((yield* raw("/api/auth/me", { token: calm })).status, 200)
      })
    )

    it.effect("sign-in attempts are limited per address", () =>
      Effect.gen(function* () {
        const statuses: Array<number> = []
        for (let i = 0; i < 5; i++) {
          const body = JSON.stringify({ username: "nobody_here", password: "wrong wrong wrong" })
          statuses.push((yield* raw("/api/auth/login", { method: "POST", body })).status)
        }
        assert.deepStrictEqual(statuses, [401, 401, 401, 429, 429])
      })
    )
  })
})

describe("password hashing", () => {
  it.effect("Argon2id hashes verify and refuse wrong passwords and foreign hashes", () =>
    Effect.gen(function* () {
      const hasher = yield* PasswordHasher
      const hash = yield* hasher.hash(Redacted.make("correct horse"))
      assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
      assert.isTrue(yield* hasher.verify(hash, Redacted.make("correct horse")))
      assert.isFalse(yield* hasher.verify(hash, Redacted.make("wrong horse")))
      assert.isFalse(yield* hasher.verify("insecure-test$00$00", Redacted.make("correct horse")))
    }).pipe(Effect.provide(Argon2.layer))
  )
})
