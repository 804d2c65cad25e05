import { FetchHttpClient } from "@effect/platform"
import { assert, describe, layer } from "@effect/vitest"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import { HealthProbe } from "@taskdesk/http/health/HealthProbe.js"
import { Readiness } from "@taskdesk/http/health/Readiness.js"
import * as NodeServe from "@taskdesk/http/serve/NodeServe.js"
import { Effect, Layer } from "effect"
import * as Server from "../src/Server.js"
import { person, raw, serverLayer, settingsFor } from "./support.js"

const expectSecurityHeaders = (headers: Headers) => {
  assert.strictEqual(headers.get("x-content-type-options"), "nosniff")
  assert.strictEqual(headers.get("x-frame-options"), "DENY")
  assert.strictEqual(headers.get("referrer-policy"), "no-referrer")
  assert.match(headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/)
  assert.match(headers.get("x-request-id") ?? "", /^[A-Za-z0-9._:-]+$/)
}

describe("HTTP behaviour", () => {
  layer(serverLayer({ server: { cors_origins: ["https://app.example.com"] } }), { excludeTestServices: true })((it) => {
    it.effect("security headers and a request id on every response, errors included", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        for (const response of [
          yield* raw("/api/health"),
          yield* raw("/api/tasks", { token: manager.token }),
          yield* raw("/api/tasks"),
          yield* raw("/api/no-such-route"),
          yield* raw("/api/tasks", { method: "POST", token: manager.token, body: "{" })
        ]) {
          expectSecurityHeaders(response.headers)
          assert.notInclude(JSON.stringify(response.body ?? ""), "    at ")
        }
        assert.strictEqual((yield* raw("/api/no-such-route")).status, 404)
        assert.strictEqual(
          (yield* raw("/api/tasks", { token: manager.token })).headers.get("cache-control"),
          "no-store"
        )
      })
    )

    it.effect("a valid X-Request-Id is echoed, an invalid one replaced", () =>
      Effect.gen(function* () {
        const echoed = yield* raw("/api/health", { headers: { "x-request-id": "trace-123.abc" } })
        assert.strictEqual(echoed.headers.get("x-request-id"), "trace-123.abc")
        const replaced = yield* raw("/api/health", { headers: { "x-request-id": "no spaces <please>" } })
        assert.notStrictEqual(replaced.headers.get("x-request-id"), "no spaces <please>")
        assert.notStrictEqual(
          (yield* raw("/api/health")).headers.get("x-request-id"),
          (yield* raw("/api/health")).headers.get("x-request-id")
        )
      })
    )

    it.effect("CORS answers configured origins only", () =>
      Effect.gen(function* () {
        const preflight = yield* raw("/api/tasks", {
          method: "OPTIONS",
          headers: {
            origin: "https://app.example.com",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type, idempotency-key"
          }
        })
        assert.strictEqual(preflight.status, 204)
        assert.strictEqual(preflight.headers.get("access-control-allow-origin"), "https://app.example.com")
        assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /Idempotency-Key/)
        const allowed = yield* raw("/api/health", { headers: { origin: "https://app.example.com" } })
        assert.strictEqual(allowed.headers.get("access-control-allow-origin"), "https://app.example.com")
        assert.match(allowed.headers.get("access-control-expose-headers") ?? "", /ETag/)
        const foreign = yield* raw("/api/health", { headers: { origin: "https://evil.example.net" } })
        assert.strictEqual(foreign.headers.get("access-control-allow-origin"), null)
        const foreignPreflight = yield* raw("/api/tasks", {
          method: "OPTIONS",
          headers: { origin: "https://evil.example.net", "access-control-request-method": "POST" }
        })
        assert.strictEqual(foreignPreflight.headers.get("access-control-allow-origin"), null)
      })
    )

    it.effect("Idempotency-Key: a retry gets the first answer, another body is refused, other callers are apart", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        const other = yield* person("manager")
        const body = JSON.stringify({ title: "Exactly once" })
        const headers = { "idempotency-key": "create-1" }
        const first = yield* raw("/api/tasks", { method: "POST", token: manager.token, body, headers })
        assert.strictEqual(first.status, 201)
        assert.strictEqual(first.headers.get("idempotent-replayed"), null)
        const retry = yield* raw("/api/tasks", { method: "POST", token: manager.token, body, headers })
        assert.strictEqual(retry.status, 201)
        assert.strictEqual(retry.headers.get("idempotent-replayed"), "true")
        assert.deepStrictEqual(retry.body, first.body)
        assert.strictEqual(retry.headers.get("content-type"), "application/json")
        expectSecurityHeaders(retry.headers)
        const listed = yield* raw(`/api/tasks?text=${encodeURIComponent("Exactly once")}`, { token: manager.token })
        assert.strictEqual(listed.body.items.length, 1)
        const changed = yield* raw("/api/tasks", {
          method: "POST",
          token: manager.token,
          body: JSON.stringify({ title: "Something else" }),
          headers
        })
        assert.strictEqual(changed.status, 422)
        assert.strictEqual(changed.body.type, "urn:taskdesk:problem:idempotency-key-reused")
        const theirs = yield* raw("/api/tasks", { method: "POST", token: other.token, body, headers })
        assert.strictEqual(theirs.status, 201)
        assert.notStrictEqual(theirs.body.id, first.body.id)
        const bad = yield* raw("/api/tasks", {
          method: "POST",
          token: manager.token,
          body,
          headers: { "idempotency-key": "x".repeat(300) }
        })
        assert.strictEqual(bad.status, 400)
      })
    )

    it.effect("state changes by POST are idempotent too: a retried accept answers like the first", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        const worker = yield* person("worker")
        const task = yield* manager.api.tasks.create({ payload: { title: "Accept me" } })
        const [assignment] = yield* manager.api.assignments.batch({
          payload: { items: [{ taskId: task.id, assigneeId: worker.user.id }] }
        })
        const path = `/api/assignments/${assignment!.id}/accept`
        const headers = { "idempotency-key": "accept-1" }
        const first = yield* raw(path, { method: "POST", token: worker.token, headers })
        const retry = yield* raw(path, { method: "POST", token: worker.token, headers })
        assert.strictEqual(first.status, 200)
        assert.strictEqual(retry.status, 200)
        assert.deepStrictEqual(retry.body, first.body)
        const unkeyed = yield* raw(path, { method: "POST", token: worker.token })
        assert.strictEqual(unkeyed.status, 409)
      })
    )
  })

  const dyingProbe = Layer.succeed(HealthProbe, {
    kind: "memory",
    ping: Effect.die(new Error("the disk caught fire")),
    counts: Effect.die(new Error("the disk caught fire"))
  })
  const brokenServer = Server.HttpLive.pipe(
    Layer.provide(dyingProbe),
    Layer.provideMerge(NodeServe.layerServer({ host: "127.0.0.1", port: 0 })),
    Layer.provideMerge(
      Server.layerServices(settingsFor({ logging: { level: "none" } }), {
        hasher: PasswordHasher.layerInsecureForTests
      })
    ),
    Layer.provideMerge(FetchHttpClient.layer)
  )

  layer(brokenServer, { excludeTestServices: true })((it) => {
    it.effect("a defect answers 500 with only the request id", () =>
      Effect.gen(function* () {
        const response = yield* raw("/api/health", { headers: { "x-request-id": "quote-me" } })
        assert.strictEqual(response.status, 500)
        assert.strictEqual(response.headers.get("content-type"), "application/problem+json")
        assert.deepStrictEqual(response.body, {
          type: "urn:taskdesk:problem:internal",
          title: "Internal error",
          status: 500,
          detail: "something went wrong on our side; quote request id quote-me",
          requestId: "quote-me"
        })
        expectSecurityHeaders(response.headers)
      })
    )
  })

  const silentStorage = Server.HttpLive.pipe(
    Layer.provide(Layer.succeed(HealthProbe, { kind: "sqlite", ping: Effect.succeed(false), counts: Effect.never })),
    Layer.provideMerge(NodeServe.layerServer({ host: "127.0.0.1", port: 0 })),
    Layer.provideMerge(
      Server.layerServices(settingsFor({ logging: { level: "none" } }), {
        hasher: PasswordHasher.layerInsecureForTests
      })
    ),
    // Started but never marked ready, as while migrations and seeding run.
    Layer.provideMerge(Readiness.layerStarting),
    Layer.provideMerge(FetchHttpClient.layer)
  )

  layer(silentStorage, { excludeTestServices: true })((it) => {
    it.effect("health answers 503 unavailable when storage does not answer; readiness 503 until started", () =>
      Effect.gen(function* () {
        const health = yield* raw("/api/health")
        assert.strictEqual(health.status, 503)
        assert.strictEqual(health.headers.get("content-type"), "application/problem+json")
        assert.strictEqual(health.body.type, "urn:taskdesk:problem:unavailable")
        assert.strictEqual(health.body.reason, "the storage does not answer")
        const ready = yield* raw("/api/ready")
        assert.strictEqual(ready.status, 503)
        assert.match(ready.body.reason, /^starting/)
        yield* Effect.flatMap(Readiness, (r) => Effect.sync(r.markReady))
        const stillDown = yield* raw("/api/ready")
        assert.strictEqual(stillDown.status, 503)
        assert.strictEqual(stillDown.body.reason, "the storage does not answer")
      })
    )
  })

  const hangingServer = Server.HttpLive.pipe(
    Layer.provide(Layer.succeed(HealthProbe, { kind: "memory", ping: Effect.never, counts: Effect.never })),
    Layer.provideMerge(NodeServe.layerServer({ host: "127.0.0.1", port: 0 })),
    Layer.provideMerge(
      Server.layerServices(settingsFor({ server: { request_timeout: 0.3 } }), {
        hasher: PasswordHasher.layerInsecureForTests
      })
    ),
    Layer.provideMerge(FetchHttpClient.layer)
  )

  layer(hangingServer, { excludeTestServices: true })((it) => {
    it.effect("a request past the timeout answers 503 with a problem document", () =>
      Effect.gen(function* () {
        const started = Date.now()
        const response = yield* raw("/api/health")
        assert.strictEqual(response.status, 503)
        assert.strictEqual(response.body.type, "urn:taskdesk:problem:timeout")
        assert.isBelow(Date.now() - started, 3_000)
        expectSecurityHeaders(response.headers)
        // The server is none the worse for it.
        assert.strictEqual((yield* raw("/api/no-such-route")).status, 404)
      })
    )
  })

  layer(serverLayer({ database_url: "sqlite::memory:" }), { excludeTestServices: true })((it) => {
    it.effect("odd unicode survives SQLite: stored as sent, or refused, never a 500", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        for (const title of ["Ремонт холодильника", "修理冰箱", "🙂👩‍👩‍👧 emoji", "e\u0301\u0301", "עברית\u200fטקסט"]) {
          const made = yield* raw("/api/tasks", {
            method: "POST",
            token: manager.token,
            body: JSON.stringify({ title })
          })
          assert.strictEqual(made.status, 201, title)
          const read = yield* raw(`/api/tasks/${made.body.id}`, { token: manager.token })
          assert.strictEqual(read.body.title, title.trim())
        }
        // Control and bidi override characters are refused in a title (a one-line field), naming it.
        for (const title of ["\u202eright-to-left", "tab\tand\u0000nul"]) {
          const refused = yield* raw("/api/tasks", {
            method: "POST",
            token: manager.token,
            body: JSON.stringify({ title })
          })
          assert.strictEqual(refused.status, 400, title)
          assert.deepStrictEqual(refused.body.issues[0].path, ["title"])
        }
        const lone = yield* raw("/api/tasks", {
          method: "POST",
          token: manager.token,
          body: '{"title":"\\ud800 alone"}'
        })
        assert.isTrue(lone.status < 500, `lone surrogate answered ${lone.status}`)
      })
    )
  })
})
