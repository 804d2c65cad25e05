import { HttpApi } from "@effect/platform"
import { assert, describe, it, layer } from "@effect/vitest"
import { TaskdeskApi } from "@taskdesk/http/Api.js"
import { maxJsonDepth, nestsDeeperThan } from "@taskdesk/http/JsonDepth.js"
import { Effect } from "effect"
import { person, raw, serverLayer } from "./support.js"

/** Every endpoint that takes a body, from the API definition: a new one is covered as it is added. */
const withBody: ReadonlyArray<{ readonly key: string; readonly method: string; readonly path: string }> = (() => {
  const out: Array<{ key: string; method: string; path: string }> = []
  HttpApi.reflect(TaskdeskApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, group }) => {
      if (endpoint.payloadSchema._tag === "None") return
      if (endpoint.method !== "POST" && endpoint.method !== "PATCH" && endpoint.method !== "PUT") return
      out.push({
        key: `${group.identifier}.${endpoint.name}`,
        method: endpoint.method,
        path: endpoint.path.replace(/:(\w+)/g, "00000000000000000000000000")
      })
    }
  })
  return out
})()

/** About 3,000 levels in 6 KB: valid JSON, whose schema failure once overflowed the stack while formatted. */
const nestedArrays = `${"[".repeat(3_000)}${"]".repeat(3_000)}`
const nestedInField = `{"title":${"[".repeat(3_000)}${"]".repeat(3_000)}}`
const nestedObjects = `${'{"a":'.repeat(2_000)}1${"}".repeat(2_000)}`
const unclosed = "[".repeat(20_000)

describe("nesting depth", () => {
  it("counts arrays and objects, not brackets inside strings", () => {
    assert.isFalse(nestsDeeperThan(`${"[".repeat(maxJsonDepth)}${"]".repeat(maxJsonDepth)}`, maxJsonDepth))
    assert.isTrue(nestsDeeperThan(`${"[".repeat(maxJsonDepth + 1)}${"]".repeat(maxJsonDepth + 1)}`, maxJsonDepth))
    assert.isTrue(nestsDeeperThan(nestedObjects, maxJsonDepth))
    assert.isFalse(nestsDeeperThan(JSON.stringify({ text: "[".repeat(1_000) }), maxJsonDepth))
    assert.isFalse(nestsDeeperThan(JSON.stringify({ text: `\\"${"{".repeat(1_000)}` }), maxJsonDepth))
    assert.isFalse(nestsDeeperThan(JSON.stringify({ a: [{ b: [{ c: [1, 2, { d: "]]]}}}" }] }] }] }), 8))
  })
})

describe("deeply nested bodies", () => {
  layer(serverLayer(), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect(
      "every endpoint with a body answers a deeply nested one with 400 before any schema work, and the server goes on",
      () =>
        Effect.gen(function* () {
          assert.isAbove(withBody.length, 20)
          const admin = yield* person("admin")
          const wrong: Array<string> = []
          for (const target of withBody) {
            for (const [label, body] of [
              ["arrays", nestedArrays],
              ["in a field", nestedInField],
              ["objects", nestedObjects],
              ["unclosed", unclosed]
            ] as const) {
              const r = yield* raw(target.path, { method: target.method, token: admin.token, body })
              if (
                r.status !== 400 ||
                r.headers.get("content-type") !== "application/problem+json" ||
                r.body?.type !== "urn:taskdesk:problem:malformed-request"
              ) {
                wrong.push(`${target.key} (${label}): ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`)
              }
            }
          }
          assert.deepStrictEqual(wrong, [])
          // Without signing in, as the first thing a stranger may try.
          const anonymous = yield* raw("/api/auth/login", { method: "POST", body: nestedArrays })
          assert.strictEqual(anonymous.status, 400)
          assert.strictEqual(anonymous.body.type, "urn:taskdesk:problem:malformed-request")
          assert.include(anonymous.body.detail, `deeper than ${maxJsonDepth} levels`)
          // The server still serves, and a body at the limit's side is read as usual.
          const health = yield* raw("/api/health")
          assert.strictEqual(health.status, 200)
          const created = yield* raw("/api/tasks", {
            method: "POST",
            token: admin.token,
            body: JSON.stringify({ title: "still here", tags: ["a"] })
          })
          assert.strictEqual(created.status, 201)
        })
    )
  })

  layer(
    serverLayer({
      security: { telegram_bot_token: "123456:test-bot-token" },
      telegram: { webhook_secret: "deep-body-secret" }
    }),
    { excludeTestServices: true }
  )((it) => {
    it.effect("a route the platform's router serves (the Telegram webhook) refuses it the same way", () =>
      Effect.gen(function* () {
        const r = yield* raw("/telegram/webhook", {
          method: "POST",
          body: nestedArrays,
          headers: { "x-telegram-bot-api-secret-token": "deep-body-secret" }
        })
        assert.strictEqual(r.status, 400)
        assert.strictEqual(r.headers.get("content-type"), "application/problem+json")
        assert.strictEqual(r.body.type, "urn:taskdesk:problem:malformed-request")
      })
    )
  })
})
