import { assert, describe, it } from "@effect/vitest"
import { Analysis, TaskAnalysis } from "@taskdesk/core"
import { Chunk, Effect, Either, Fiber, Redacted, TestClock } from "effect"
import { analysisJsonSchema, repairAnalysisJsonSchema } from "../../src/llm/AnalysisSchema.js"
import * as OpenAiAnalysis from "../../src/llm/OpenAiAnalysis.js"
import * as FakeOpenAi from "../../testing/FakeOpenAi.js"

const tick = (ms = 5) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Waits in real time until `predicate` holds (a request reached the fake, a fiber sleeps…). */
const until = (predicate: Effect.Effect<boolean>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2_000; i++) {
      if (yield* predicate) return
      yield* tick()
    }
    return yield* Effect.dieMessage("the awaited condition never held")
  })

/** Waits until some fiber sleeps on the test clock until `delayMillis` from now: a back-off has begun. */
const untilBackingOff = (delayMillis: number) =>
  until(
    Effect.gen(function* () {
      const now = yield* TestClock.currentTimeMillis
      return Chunk.some(yield* TestClock.sleeps(), (at) => at === now + delayMillis)
    })
  )

const brief = new Analysis.TaskBrief({
  title: "Replace the boiler in building C",
  description: "The old one leaks; the new one is in the store room.",
  status: "todo",
  priority: "normal",
  tags: ["facilities"]
})

const providerFor = (fake: FakeOpenAi.FakeOpenAi, overrides: Partial<OpenAiAnalysis.OpenAiConfig> = {}) =>
  OpenAiAnalysis.make({
    apiKey: Redacted.make("sk-test-secret"),
    baseUrl: fake.url,
    model: "fake-model",
    timeout: "10 seconds",
    retryBase: "1 second",
    ...overrides
  })

describe("OpenAiAnalysis", () => {
  it.scoped("sends the brief with a strict JSON schema through the openai client and decodes the answer", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      const analysis = yield* providerFor(fake, { maxTokens: 800 }).analyseTask(brief)
      assert.instanceOf(analysis, Analysis.Analysis)
      assert.strictEqual(analysis.summary, "Replace the boiler in building C: a task to plan, do and check.")
      assert.strictEqual(analysis.suggestedPriority.priority, "normal")
      assert.strictEqual(analysis.estimateHours, 4)
      assert.strictEqual(fake.received.length, 1)
      const request = fake.received[0]!
      assert.strictEqual(request.headers.authorization, "Bearer sk-test-secret")
      assert.strictEqual(request.body.model, "fake-model")
      assert.strictEqual(request.body.max_completion_tokens, 800)
      assert.deepStrictEqual(request.body.response_format, {
        type: "json_schema",
        json_schema: { name: "task_analysis", strict: true, schema: analysisJsonSchema }
      })
      // The brief and nothing else: no ids of the task, its people or its project.
      assert.deepStrictEqual(request.brief, {
        title: brief.title,
        description: brief.description,
        status: "todo",
        priority: "normal",
        tags: ["facilities"]
      })
    })
  )

  it.scoped("asks about a repair request with its own schema, and decodes likely causes and parts to bring", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      const repair = new Analysis.RepairBrief({
        deviceType: "Washing machine",
        deviceModel: "Bosch WAN28",
        problemDescription: "Leaks water during the spin cycle",
        status: "new"
      })
      const analysis = yield* providerFor(fake).analyseRepair(repair)
      assert.instanceOf(analysis, Analysis.RepairAnalysis)
      assert.deepStrictEqual(analysis.partsToBring, ["seal kit", "multimeter"])
      const request = fake.received[0]!
      assert.deepStrictEqual(request.body.response_format, {
        type: "json_schema",
        json_schema: { name: "repair_analysis", strict: true, schema: repairAnalysisJsonSchema }
      })
      assert.deepStrictEqual(request.brief, {
        deviceType: "Washing machine",
        deviceModel: "Bosch WAN28",
        problemDescription: "Leaks water during the spin cycle",
        status: "new"
      })
      // A task's analysis is no answer to a repair question.
      fake.answerNext({ _tag: "analysis", analysis: FakeOpenAi.analysisOf(brief) })
      const error = yield* Effect.flip(providerFor(fake).analyseRepair(repair))
      assert.instanceOf(error, TaskAnalysis.AnalysisMalformed)
    })
  )

  it("derives the schema it asks for from Analysis, in the form strict structured outputs accept", () => {
    const schema = analysisJsonSchema as {
      type: string
      required: Array<string>
      additionalProperties: boolean
      properties: Record<string, unknown>
    }
    assert.strictEqual(schema.type, "object")
    assert.deepStrictEqual([...schema.required].sort(), Object.keys(Analysis.Analysis.fields).sort())
    assert.isFalse(schema.additionalProperties)
    const text = JSON.stringify(schema)
    assert.notInclude(text, "maxLength")
    assert.notInclude(text, "$schema")
    assert.include(text, '"enum":["low","normal","high","urgent"]')
  })

  it.scoped("refuses an answer that is not JSON, does not match the schema, or was cut short", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      const provider = providerFor(fake)
      const reasons: Array<string> = []
      for (const behaviour of [
        { _tag: "content", content: '{"summary": "cut' },
        { _tag: "analysis", analysis: { ...FakeOpenAi.analysisOf(brief), estimateHours: -2 } },
        { _tag: "analysis", analysis: { ...FakeOpenAi.analysisOf(brief), suggestedPriority: { priority: "asap" } } },
        { _tag: "analysis", analysis: { ...FakeOpenAi.analysisOf(brief), extra: true } },
        { _tag: "content", content: "", finishReason: "stop" },
        { _tag: "content", content: '{"summary": "a', finishReason: "length" }
      ] as const) {
        fake.answerNext(behaviour)
        const error = yield* Effect.flip(provider.analyseTask(brief))
        assert.instanceOf(error, TaskAnalysis.AnalysisMalformed)
        reasons.push((error as TaskAnalysis.AnalysisMalformed).reason)
      }
      assert.strictEqual(reasons[0], "the model's answer is not JSON")
      assert.include(reasons[1], "estimateHours")
      assert.include(reasons[2], "suggestedPriority")
      assert.include(reasons[3], "extra")
      assert.strictEqual(reasons[4], "the model's answer is empty")
      assert.strictEqual(reasons[5], "the model's answer was cut off at the token limit")
      // A malformed answer is final: nothing is asked twice.
      assert.strictEqual(fake.received.length, 6)
    })
  )

  it.scoped("accepts JSON in a code fence, as local models answer without structured outputs", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      fake.answerNext({
        _tag: "content",
        content: `\`\`\`json\n${JSON.stringify(FakeOpenAi.analysisOf(brief))}\n\`\`\``
      })
      const analysis = yield* providerFor(fake).analyseTask(brief)
      assert.strictEqual(analysis.subtasks.length, 3)
    })
  )

  it.live("gives up after the timeout, aborting the request, and does not retry it", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make({ behaviour: { _tag: "delay", ms: 5_000 } })
      const error = yield* Effect.flip(providerFor(fake, { timeout: "200 millis" }).analyseTask(brief))
      assert.deepStrictEqual(error, new TaskAnalysis.AnalysisTimedOut({ seconds: 0.2 }))
      yield* tick(100)
      assert.strictEqual(fake.received.length, 1)
    }).pipe(Effect.scoped)
  )

  it.scoped("retries a 429 after an exponential back-off, then answers", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      fake.answerNext({ _tag: "status", status: 429 }, 2)
      const fiber = yield* Effect.fork(providerFor(fake).analyseTask(brief))
      yield* until(Effect.sync(() => fake.received.length === 1))
      yield* untilBackingOff(1_000)
      yield* TestClock.adjust("999 millis")
      yield* tick(50)
      assert.strictEqual(fake.received.length, 1, "no retry before the back-off is over")
      yield* TestClock.adjust("1 millis")
      yield* until(Effect.sync(() => fake.received.length === 2))
      // Doubled the second time.
      yield* untilBackingOff(2_000)
      yield* TestClock.adjust("2 seconds")
      const analysis = yield* Fiber.join(fiber)
      assert.strictEqual(analysis.estimateHours, 4)
      assert.strictEqual(fake.received.length, 3)
    })
  )

  it.scoped("waits as long as Retry-After asks when that is longer than the back-off", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      fake.answerNext({ _tag: "status", status: 429, headers: { "retry-after": "5" } })
      const fiber = yield* Effect.fork(providerFor(fake).analyseTask(brief))
      yield* untilBackingOff(5_000)
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(fiber)
      assert.strictEqual(fake.received.length, 2)
    })
  )

  it.scoped("retries 5xx answers a bounded number of times, then fails naming the status", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make({ behaviour: { _tag: "status", status: 503 } })
      const fiber = yield* Effect.fork(Effect.either(providerFor(fake, { retries: 2 }).analyseTask(brief)))
      yield* untilBackingOff(1_000)
      yield* TestClock.adjust("1 second")
      yield* untilBackingOff(2_000)
      yield* TestClock.adjust("2 seconds")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(Either.isLeft(result))
      const error = (result as Either.Left<TaskAnalysis.AnalysisError, unknown>).left
      assert.instanceOf(error, TaskAnalysis.AnalysisProviderFailed)
      assert.strictEqual((error as TaskAnalysis.AnalysisProviderFailed).providerStatus, 503)
      assert.strictEqual((error as TaskAnalysis.AnalysisProviderFailed).attempts, 3)
      assert.strictEqual(fake.received.length, 3)
    })
  )

  it.scoped("does not retry other errors: a refused key is final at once", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      for (const status of [400, 401, 404]) {
        fake.answerNext({ _tag: "status", status })
        const error = yield* Effect.flip(providerFor(fake).analyseTask(brief))
        assert.deepInclude(error, { _tag: "AnalysisProviderFailed", providerStatus: status, attempts: 1 })
        assert.notInclude(JSON.stringify(error), "sk-test-secret")
      }
      assert.strictEqual(fake.received.length, 3)
    })
  )

  it.scoped("takes the key out of a provider's error message before anyone records or answers it", () =>
    Effect.gen(function* () {
      const fake = yield* FakeOpenAi.make()
      fake.answerNext({
        _tag: "status",
        status: 401,
        message: "Incorrect API key provided: sk-test-secret. Masked: sk-proj-ab12****wxyz."
      })
      const error = yield* Effect.flip(providerFor(fake).analyseTask(brief))
      assert.instanceOf(error, TaskAnalysis.AnalysisProviderFailed)
      const message = (error as TaskAnalysis.AnalysisProviderFailed).message
      assert.notInclude(message, "sk-")
      assert.include(message, "Incorrect API key provided: [key]. Masked: [key].")
    })
  )

  it.live("reports a provider it cannot reach, without retrying", () =>
    Effect.gen(function* () {
      const fake = yield* Effect.promise(() => FakeOpenAi.start())
      const url = fake.url
      yield* Effect.promise(() => fake.close())
      const error = yield* Effect.flip(
        OpenAiAnalysis.make({
          apiKey: Redacted.make("k"),
          baseUrl: url,
          model: "m",
          timeout: "5 seconds"
        }).analyseTask(brief)
      )
      assert.deepInclude(error, { _tag: "AnalysisProviderFailed", attempts: 1 })
      assert.isUndefined((error as TaskAnalysis.AnalysisProviderFailed).providerStatus)
    })
  )
})
