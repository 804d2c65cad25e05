import { assert, describe, it } from "@effect/vitest"
import { FakeOpenAi } from "@taskdesk/adapters/testing"
import { Effect, Either, Redacted } from "effect"
import { describe as describeSettings, load } from "../src/Config.js"
import { person, raw, serverLayer } from "./support.js"

const key = "sk-test-do-not-leak"

/** A server whose LLM is the fake (or none), then `body` with a manager and a task they created. */
const withServer = <A, E, R>(
  fake: FakeOpenAi.FakeOpenAi | undefined,
  llm: Record<string, unknown>,
  body: (context: {
    readonly manager: Effect.Effect.Success<ReturnType<typeof person>>
    readonly taskId: string
  }) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function* () {
    const manager = yield* person("manager")
    const created = yield* raw("/api/tasks", {
      method: "POST",
      token: manager.token,
      body: JSON.stringify({ title: "Replace the boiler", description: "It leaks.", tags: ["facilities"] })
    })
    assert.strictEqual(created.status, 201)
    return yield* body({ manager, taskId: created.body.id })
  }).pipe(
    Effect.provide(
      serverLayer({
        llm: fake === undefined ? llm : { api_key: key, base_url: fake.url, model: "fake-model", ...llm }
      })
    )
  )

const analyse = (taskId: string, token: string) => raw(`/api/tasks/${taskId}/analysis`, { method: "POST", token })

describe("POST /api/tasks/:id/analysis over HTTP with the openai client against a fake provider", () => {
  it.live("answers a typed analysis, reuses it for the same version, analyses a changed task afresh", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      yield* withServer(fake, {}, ({ manager, taskId }) =>
        Effect.gen(function* () {
          const first = yield* analyse(taskId, manager.token)
          assert.strictEqual(first.status, 200)
          assert.deepInclude(first.body, { taskId, taskVersion: 1, model: "fake-model", cached: false })
          assert.deepStrictEqual(
            first.body.analysis,
            FakeOpenAi.analysisOf({ title: "Replace the boiler", priority: "normal" })
          )
          assert.notInclude(JSON.stringify(first.body), key)
          const request = fake.received[0]!
          assert.strictEqual(request.headers.authorization, `Bearer ${key}`)
          // Only the task's own words and state: no ids of it, its creator or assignees.
          assert.deepStrictEqual(request.brief, {
            title: "Replace the boiler",
            description: "It leaks.",
            status: "todo",
            priority: "normal",
            tags: ["facilities"]
          })
          assert.notInclude(JSON.stringify(request.body), manager.user.id)

          const again = yield* analyse(taskId, manager.token)
          assert.strictEqual(again.status, 200)
          assert.isTrue(again.body.cached)
          assert.strictEqual(fake.received.length, 1)

          const patched = yield* raw(`/api/tasks/${taskId}`, {
            method: "PATCH",
            token: manager.token,
            body: JSON.stringify({ priority: "high" })
          })
          assert.strictEqual(patched.status, 200)
          const fresh = yield* analyse(taskId, manager.token)
          assert.deepInclude(fresh.body, { taskVersion: 2, cached: false })
          assert.strictEqual(fake.received.length, 2)
          assert.strictEqual((fake.received[1]!.brief as { priority: string }).priority, "high")

          // Both calls are in the task's history, with what was sent and answered, without the key.
          const history = yield* raw(`/api/tasks/${taskId}/history`, { token: manager.token })
          const analysed = (history.body as Array<{ payload: { _tag: string; model?: string } }>).filter(
            (e) => e.payload._tag === "task.analysed"
          )
          assert.strictEqual(analysed.length, 2)
          assert.deepInclude(analysed[0]!.payload, { model: "fake-model" })
          assert.notInclude(JSON.stringify(history.body), key)
        })
      )
    }).pipe(Effect.scoped)
  )

  it.live("a malformed model answer is a 502 problem; nothing is cached, the call is recorded as failed", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      fake.answerNext({ _tag: "content", content: '{"summary": "cut sh' })
      fake.answerNext({ _tag: "analysis", analysis: { summary: "no other fields" } })
      yield* withServer(fake, {}, ({ manager, taskId }) =>
        Effect.gen(function* () {
          const broken = yield* analyse(taskId, manager.token)
          assert.strictEqual(broken.status, 502)
          assert.strictEqual(broken.headers.get("content-type"), "application/problem+json")
          assert.deepInclude(broken.body, {
            type: "urn:taskdesk:problem:analysis-malformed",
            reason: "the model's answer is not JSON"
          })
          const partial = yield* analyse(taskId, manager.token)
          assert.strictEqual(partial.status, 502)
          assert.include(partial.body.detail, "does not match the schema")
          const good = yield* analyse(taskId, manager.token)
          assert.strictEqual(good.status, 200)
          assert.isFalse(good.body.cached)
          assert.strictEqual(fake.received.length, 3)
          const history = yield* raw(`/api/tasks/${taskId}/history`, { token: manager.token })
          const payloads = (history.body as Array<{ payload: Record<string, unknown> }>)
            .map((e) => e.payload)
            .filter((p) => p._tag === "task.analysed")
          assert.deepStrictEqual(
            payloads.map((p) => [p.analysis !== undefined, (p.failure as { error?: string } | undefined)?.error]),
            [
              [false, "AnalysisMalformed"],
              [false, "AnalysisMalformed"],
              [true, undefined]
            ]
          )
        })
      )
    }).pipe(Effect.scoped)
  )

  it.live("an analysis may take its own timeout, longer than the server's request timeout", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make({ behaviour: { _tag: "delay", ms: 2_000 } })
      const server = serverLayer({
        server: { request_timeout: 1 },
        llm: { api_key: key, base_url: fake.url, model: "fake-model", timeout_seconds: 10 }
      })
      yield* Effect.gen(function* () {
        const manager = yield* person("manager")
        const created = yield* raw("/api/tasks", {
          method: "POST",
          token: manager.token,
          body: JSON.stringify({ title: "Replace the boiler" })
        })
        const answered = yield* analyse(created.body.id, manager.token)
        assert.strictEqual(answered.status, 200)
        assert.strictEqual(fake.received.length, 1)
      }).pipe(Effect.provide(server))
    }).pipe(Effect.scoped)
  )

  it.live("a provider slower than the timeout is a 504 problem", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make({ behaviour: { _tag: "delay", ms: 10_000 } })
      yield* withServer(fake, { timeout_seconds: 0.3 }, ({ manager, taskId }) =>
        Effect.gen(function* () {
          const late = yield* analyse(taskId, manager.token)
          assert.strictEqual(late.status, 504)
          assert.deepInclude(late.body, { type: "urn:taskdesk:problem:analysis-timed-out", seconds: 0.3 })
        })
      )
    }).pipe(Effect.scoped)
  )

  it.live("a 429 from the provider is retried after its Retry-After, then answers", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      fake.answerNext({ _tag: "status", status: 429, headers: { "retry-after-ms": "200" } })
      yield* withServer(fake, {}, ({ manager, taskId }) =>
        Effect.gen(function* () {
          const answered = yield* analyse(taskId, manager.token)
          assert.strictEqual(answered.status, 200)
          assert.strictEqual(fake.received.length, 2)
        })
      )
    }).pipe(Effect.scoped)
  )

  it.live("a spent daily allowance is a 429 with Retry-After until UTC midnight; a cached answer stays free", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      yield* withServer(fake, { daily_limit: 1 }, ({ manager, taskId }) =>
        Effect.gen(function* () {
          assert.strictEqual((yield* analyse(taskId, manager.token)).status, 200)
          assert.isTrue((yield* analyse(taskId, manager.token)).body.cached)
          yield* raw(`/api/tasks/${taskId}`, {
            method: "PATCH",
            token: manager.token,
            body: JSON.stringify({ title: "Replace the boiler in C" })
          })
          const refused = yield* analyse(taskId, manager.token)
          assert.strictEqual(refused.status, 429)
          assert.deepInclude(refused.body, { type: "urn:taskdesk:problem:analysis-quota-exceeded", limit: 1 })
          const retryAfter = Number(refused.headers.get("retry-after"))
          const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000)
          assert.isAtLeast(retryAfter, 1)
          assert.isAtMost(retryAfter, untilMidnight + 1)
          assert.isAtLeast(retryAfter, untilMidnight - 60)
          assert.strictEqual(fake.received.length, 1)
          // Another person has an allowance of their own.
          const admin = yield* person("admin")
          assert.strictEqual((yield* analyse(taskId, admin.token)).status, 200)
        })
      )
    }).pipe(Effect.scoped)
  )

  it.live("a caller who may not see the task gets 404 and nothing is sent", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      yield* withServer(fake, {}, ({ taskId }) =>
        Effect.gen(function* () {
          const worker = yield* person("worker")
          const hidden = yield* analyse(taskId, worker.token)
          assert.strictEqual(hidden.status, 404)
          assert.strictEqual(hidden.body.type, "urn:taskdesk:problem:not-found")
          assert.strictEqual((yield* analyse("no-such-task", worker.token)).status, 404)
          assert.strictEqual((yield* raw(`/api/tasks/${taskId}/analysis`, { method: "POST" })).status, 401)
          assert.strictEqual(fake.received.length, 0)
        })
      )
    }).pipe(Effect.scoped)
  )

  it.live("a repair request is analysed for whoever may see it: likely causes and parts to bring", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      yield* withServer(fake, {}, ({ manager }) =>
        Effect.gen(function* () {
          const client = yield* person("client")
          const filed = yield* raw("/api/repair-requests", {
            method: "POST",
            token: client.token,
            body: JSON.stringify({
              deviceType: "Oven",
              deviceModel: "Gorenje B",
              problemDescription: "The door does not close"
            })
          })
          assert.strictEqual(filed.status, 201)
          const other = yield* person("client")
          const hidden = yield* raw(`/api/repair-requests/${filed.body.id}/analysis`, {
            method: "POST",
            token: other.token
          })
          assert.strictEqual(hidden.status, 404)
          assert.strictEqual(fake.received.length, 0)
          const answered = yield* raw(`/api/repair-requests/${filed.body.id}/analysis`, {
            method: "POST",
            token: manager.token
          })
          assert.strictEqual(answered.status, 200)
          assert.deepInclude(answered.body, { requestId: filed.body.id, cached: false, model: "fake-model" })
          assert.deepStrictEqual(answered.body.analysis.partsToBring, ["seal kit", "multimeter"])
          assert.deepStrictEqual(fake.received[0]!.brief, {
            deviceType: "Oven",
            deviceModel: "Gorenje B",
            problemDescription: "The door does not close",
            status: "new"
          })
          const history = yield* raw(`/api/repair-requests/${filed.body.id}/history`, { token: manager.token })
          assert.isTrue(
            (history.body as Array<{ payload: { _tag: string } }>).some((e) => e.payload._tag === "repair.analysed")
          )
        })
      )
    }).pipe(Effect.scoped)
  )

  it.live("without a key the endpoint is a 503 saying how to enable it, and the rest works", () =>
    withServer(undefined, {}, ({ manager, taskId }) =>
      Effect.gen(function* () {
        const off = yield* analyse(taskId, manager.token)
        assert.strictEqual(off.status, 503)
        assert.strictEqual(off.body.type, "urn:taskdesk:problem:analysis-not-configured")
        assert.include(off.body.detail, "TASKDESK_LLM_API_KEY")
        assert.strictEqual((yield* raw(`/api/tasks/${taskId}`, { token: manager.token })).status, 200)
      })
    )
  )
})

describe("LLM settings", () => {
  const llmOf = (env: Record<string, string>, file: string | false = false) =>
    Either.getOrThrow(load({ env, file })).llm

  it("read TASKDESK_LLM_*, with seed 000's defaults", () => {
    const defaults = llmOf({})
    assert.deepInclude(defaults, { dailyLimit: 50, cacheMinutes: 60, timeoutSeconds: 60, enabled: true })
    assert.isUndefined(defaults.apiKey)
    const set = llmOf({
      TASKDESK_LLM_BASE_URL: "http://127.0.0.1:11434/v1",
      TASKDESK_LLM_MODEL: "llama3.2",
      TASKDESK_LLM_API_KEY: "ollama",
      TASKDESK_LLM_DAILY_LIMIT: "5",
      TASKDESK_LLM_CACHE_MINUTES: "0",
      TASKDESK_LLM_TIMEOUT_SECONDS: "120"
    })
    assert.deepInclude(set, {
      baseUrl: "http://127.0.0.1:11434/v1",
      model: "llama3.2",
      dailyLimit: 5,
      cacheMinutes: 0,
      timeoutSeconds: 120
    })
    assert.strictEqual(Redacted.value(set.apiKey!), "ollama")
  })

  it("fall back to OPENAI_API_KEY only when no key is configured, and never show the key", () => {
    assert.strictEqual(Redacted.value(llmOf({ OPENAI_API_KEY: "sk-openai" }).apiKey!), "sk-openai")
    assert.strictEqual(
      Redacted.value(llmOf({ OPENAI_API_KEY: "sk-openai", TASKDESK_LLM_API_KEY: "sk-taskdesk" }).apiKey!),
      "sk-taskdesk"
    )
    const settings = Either.getOrThrow(load({ env: { OPENAI_API_KEY: "sk-openai" }, file: false }))
    const described = describeSettings(settings)
    assert.include(described, "key set")
    assert.notInclude(described, "sk-openai")
    assert.notInclude(JSON.stringify(settings), "sk-openai")
    assert.notInclude(String(settings.llm.apiKey), "sk-openai")
  })

  it("take seed 000's api_key that names a variable as that variable's value", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: seed 000's file names the variable so
    const overrides = { llm: { api_key: "${OPENAI_API_KEY}", provider: "openai", max_tokens: 2000 } }
    const withKey = Either.getOrThrow(load({ env: { OPENAI_API_KEY: "sk-seed" }, file: false, overrides })).llm
    assert.strictEqual(Redacted.value(withKey.apiKey!), "sk-seed")
    assert.strictEqual(withKey.maxTokens, 2000)
    const without = Either.getOrThrow(load({ env: {}, file: false, overrides })).llm
    assert.isUndefined(without.apiKey)
  })

  it("refuse an empty or invalid value, naming the variable", () => {
    const refused = load({ env: { TASKDESK_LLM_DAILY_LIMIT: "0" }, file: false })
    assert.isTrue(Either.isLeft(refused))
    assert.include(
      Either.getLeft(refused).pipe((o) => (o._tag === "Some" ? o.value.message : "")),
      "TASKDESK_LLM_DAILY_LIMIT"
    )
    assert.isTrue(Either.isLeft(load({ env: { TASKDESK_LLM_BASE_URL: "localhost:11434" }, file: false })))
  })
})
