import { HttpServerRequest } from "@effect/platform"
import { assert, describe, it, layer } from "@effect/vitest"
import { Actor, Users } from "@taskdesk/core"
import { Accounts } from "@taskdesk/http/auth/Accounts.js"
import * as ClientAddress from "@taskdesk/http/auth/ClientAddress.js"
import { Effect, Either, Redacted } from "effect"
import * as Config from "../src/Config.js"
import { password, raw, serverLayer, uniqueName } from "./support.js"

const limits = (attempts: number, perAccountAndAddress: number, perAccount: number) => ({
  requests_per_minute: 0,
  login_attempts_per_minute: attempts,
  login_failures_per_minute: perAccountAndAddress,
  account_failures_per_minute: perAccount
})

/** A sign-in through the test server as if from behind a proxy that reported `forwardedFor`. */
const signIn = (username: string, secret: string, forwardedFor?: string) =>
  Effect.map(
    raw("/api/auth/login", {
      method: "POST",
      body: JSON.stringify({ username, password: secret }),
      ...(forwardedFor === undefined ? {} : { headers: { "x-forwarded-for": forwardedFor } })
    }),
    (response) => response.status
  )

const someone = Effect.gen(function* () {
  const users = yield* Users.Users
  const accounts = yield* Accounts
  const user = yield* users
    .create({ name: "Victim", username: uniqueName("victim"), role: "worker" })
    .pipe(Actor.asSystem, Effect.orDie)
  yield* accounts.setPassword(user, Redacted.make(password)).pipe(Effect.orDie)
  return user.username
})

const statuses = <R>(count: number, attempt: (i: number) => Effect.Effect<number, never, R>) =>
  Effect.gen(function* () {
    const out: Array<number> = []
    for (let i = 0; i < count; i++) out.push(yield* attempt(i))
    return out
  })

describe("sign-in limits", () => {
  layer(
    serverLayer({
      server: { trusted_proxies: ["127.0.0.1", "10.0.0.0/8"] },
      security: { rate_limiting: limits(3, 0, 0) }
    }),
    { excludeTestServices: true }
  )("behind a trusted proxy", (it) => {
    it.effect("each client address has its own allowance, read right to left from X-Forwarded-For", () =>
      Effect.gen(function* () {
        const burst = yield* statuses(4, () => signIn("nobody_here", "wrong wrong wrong", "203.0.113.1"))
        assert.deepStrictEqual(burst, [401, 401, 401, 429])
        // The left of the header is the client's own writing: naming another address there does not help.
        assert.strictEqual(yield* signIn("nobody_here", "wrong wrong wrong", "198.51.100.2, 203.0.113.1"), 429)
        // Another proxy of ours in between is skipped.
        assert.strictEqual(yield* signIn("nobody_here", "wrong wrong wrong", "203.0.113.1, 10.1.2.3"), 429)
        // Someone else behind the same proxy is unaffected.
        assert.strictEqual(yield* signIn("nobody_here", "wrong wrong wrong", "198.51.100.2"), 401)
      })
    )
  })

  layer(serverLayer({ server: { trusted_proxies: ["10.0.0.0/8"] }, security: { rate_limiting: limits(3, 0, 0) } }), {
    excludeTestServices: true
  })("from a peer that is not a trusted proxy", (it) => {
    it.effect("X-Forwarded-For is ignored: every request counts against the peer", () =>
      Effect.gen(function* () {
        const burst = yield* statuses(4, (i) => signIn("nobody_here", "wrong wrong wrong", `203.0.113.${i + 1}`))
        assert.deepStrictEqual(burst, [401, 401, 401, 429])
      })
    )
  })

  layer(
    serverLayer({ server: { trusted_proxies: ["127.0.0.1"] }, security: { rate_limiting: limits(1_000, 5, 30) } }),
    { excludeTestServices: true }
  )("per account", (it) => {
    it.effect("one address guessing an account's password is stopped, and its owner still signs in", () =>
      Effect.gen(function* () {
        const victim = yield* someone
        const guesses = yield* statuses(8, () => signIn(victim, "not the password", "203.0.113.7"))
        assert.deepStrictEqual(guesses, [401, 401, 401, 401, 401, 429, 429, 429])
        // Not even the right password is checked from there until the minute is over.
        assert.strictEqual(yield* signIn(victim, password, "203.0.113.7"), 429)
        assert.strictEqual(yield* signIn(victim.toUpperCase(), "not the password", "203.0.113.7"), 429)
        assert.strictEqual(yield* signIn(victim, password, "198.51.100.9"), 200)
      })
    )

    it.effect("guesses spread over many addresses stop at the account's limit", () =>
      Effect.gen(function* () {
        const victim = yield* someone
        const guesses = yield* statuses(32, (i) => signIn(victim, "not the password", `192.0.2.${i + 1}`))
        assert.deepStrictEqual(guesses, [...Array<number>(30).fill(401), 429, 429])
        assert.strictEqual(yield* signIn(victim, password, "192.0.2.200"), 429)
      })
    )

    it.effect("successful sign-ins do not count", () =>
      Effect.gen(function* () {
        const owner = yield* someone
        const ok = yield* statuses(8, () => signIn(owner, password, "198.51.100.20"))
        assert.deepStrictEqual(ok, Array<number>(8).fill(200))
        const guesses = yield* statuses(6, () => signIn(owner, "not the password", "198.51.100.20"))
        assert.deepStrictEqual(guesses, [401, 401, 401, 401, 401, 429])
      })
    )
  })
})

describe("client address", () => {
  const request = (peer: string, forwardedFor?: string) =>
    HttpServerRequest.fromWeb(
      new Request(
        "http://localhost/",
        forwardedFor === undefined ? {} : { headers: { "x-forwarded-for": forwardedFor } }
      )
    ).modify({ remoteAddress: peer })

  it("is the peer unless the peer is a trusted proxy", () => {
    const none = ClientAddress.make([])
    assert.strictEqual(none(request("127.0.0.1", "203.0.113.1")), "127.0.0.1")
    const behind = ClientAddress.make(["127.0.0.1", "10.0.0.0/8", "fd00::/8"])
    assert.strictEqual(behind(request("192.0.2.1", "203.0.113.1")), "192.0.2.1")
    assert.strictEqual(behind(request("::ffff:192.0.2.1")), "192.0.2.1")
  })

  it("is the right-most forwarded address that is not a trusted proxy", () => {
    const behind = ClientAddress.make(["::ffff:127.0.0.1", "10.0.0.0/8", "fd00::/8"])
    assert.strictEqual(behind(request("127.0.0.1", "203.0.113.1")), "203.0.113.1")
    assert.strictEqual(behind(request("::ffff:127.0.0.1", "198.51.100.1, 203.0.113.1")), "203.0.113.1")
    assert.strictEqual(behind(request("127.0.0.1", "203.0.113.1, 10.9.8.7, fd00::1")), "203.0.113.1")
    assert.strictEqual(behind(request("127.0.0.1", "2001:db8::5")), "2001:db8::5")
    // Nothing but proxies: the farthest one.
    assert.strictEqual(behind(request("127.0.0.1", "10.0.0.2, 10.0.0.1")), "10.0.0.2")
    // A hop that is no address ends the walk at the proxy that reported it.
    assert.strictEqual(behind(request("127.0.0.1", "203.0.113.1, bogus, 10.0.0.1")), "10.0.0.1")
    assert.strictEqual(behind(request("127.0.0.1", "unknown")), "127.0.0.1")
  })

  it("accepts addresses and CIDR blocks as trusted proxies, nothing else", () => {
    for (const good of ["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "0.0.0.0/0"]) {
      assert.isTrue(ClientAddress.isAddressOrCidr(good), good)
    }
    for (const bad of ["localhost", "10.0.0.0/33", "::/129", "10.0.0.0/8/1", "10.0.0.0/", "1.2.3"]) {
      assert.isFalse(ClientAddress.isAddressOrCidr(bad), bad)
    }
  })
})

describe("sign-in settings", () => {
  const load = (env: Record<string, string>, overrides?: Record<string, unknown>) =>
    Either.match(Config.load({ env, file: false, overrides }), {
      onLeft: (e) => e.message,
      onRight: (settings) => settings
    })

  it("trusted proxies come from TASKDESK_TRUSTED_PROXIES or server.trusted_proxies; none by default", () => {
    const none = load({})
    assert.deepStrictEqual(typeof none === "string" ? none : none.server.trustedProxies, [])
    const listed = load({ TASKDESK_TRUSTED_PROXIES: "10.0.0.1, 172.16.0.0/12,fd00::/8" })
    assert.deepStrictEqual(typeof listed === "string" ? listed : listed.server.trustedProxies, [
      "10.0.0.1",
      "172.16.0.0/12",
      "fd00::/8"
    ])
    assert.strictEqual(
      load({ TASKDESK_TRUSTED_PROXIES: "10.0.0.1,proxy.local" }),
      "invalid configuration: TASKDESK_TRUSTED_PROXIES (server.trusted_proxies.1): an IP address or a CIDR block such as 10.0.0.0/8"
    )
  })

  it("the per-account limit must stay above the per-account-and-address one", () => {
    const defaults = load({})
    assert.deepStrictEqual(typeof defaults === "string" ? defaults : defaults.security.rateLimiting, {
      requestsPerMinute: 100,
      loginAttemptsPerMinute: 20,
      loginFailuresPerMinute: 5,
      accountFailuresPerMinute: 30
    })
    const refused = load({ TASKDESK_LOGIN_FAILURE_LIMIT: "10", TASKDESK_ACCOUNT_FAILURE_LIMIT: "10" })
    assert.match(
      String(refused),
      /^invalid configuration: TASKDESK_ACCOUNT_FAILURE_LIMIT \(security.rate_limiting.account_failures_per_minute\): must be above login_failures_per_minute/
    )
    const off = load({ TASKDESK_LOGIN_FAILURE_LIMIT: "0", TASKDESK_ACCOUNT_FAILURE_LIMIT: "0" })
    assert.notStrictEqual(typeof off, "string")
  })
})
