import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Either, Layer, Option, TestClock } from "effect"
import { Actor } from "../src/Actor.js"
import { IdGenerator } from "../src/IdGenerator.js"
import { UserId } from "../src/Ids.js"
import { traced } from "../src/Operation.js"
import { compareKeys, decodeCursor, encodeCursor } from "../src/Page.js"
import { defaultRules, Policy, type Rules } from "../src/Policy.js"
import { fromLegacyName } from "../src/Role.js"
import { CreateTask } from "../src/Task.js"
import { decodeUnknown } from "../src/Validation.js"

describe("IdGenerator", () => {
  it.effect("makes ULIDs that sort in creation order, also within one millisecond", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake("2026-03-02T09:00:00Z")))
      const ids = yield* IdGenerator
      const made: Array<string> = []
      for (let i = 0; i < 50; i++) {
        made.push(yield* ids.next)
        if (i % 10 === 0) yield* TestClock.adjust("1 millis")
      }
      assert.strictEqual(new Set(made).size, 50)
      assert.deepStrictEqual([...made].sort(), made)
      assert.isTrue(made.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)))
    }).pipe(Effect.provide(IdGenerator.layer))
  )

  it.effect("test ids are counters", () =>
    Effect.gen(function* () {
      const ids = yield* IdGenerator
      assert.deepStrictEqual([yield* ids.next, yield* ids.next], ["00000001", "00000002"])
    }).pipe(Effect.provide(IdGenerator.layerTest))
  )
})

describe("Policy", () => {
  const worker = new Actor({ id: UserId.make("w"), role: "worker" })

  it("grants by relation", () => {
    const policy = Policy.fromRules(defaultRules)
    assert.isTrue(policy.allows(worker, "task.read", new Set(["assignee"])))
    assert.isFalse(policy.allows(worker, "task.read", new Set(["creator"])))
    assert.isFalse(policy.allows(worker, "user.manage", new Set(["any"])))
  })

  it.effect("a host application replaces the rules with its own layer", () =>
    Effect.gen(function* () {
      const policy = yield* Policy
      assert.isTrue(policy.allows(worker, "task.create", new Set()))
      assert.isFalse(policy.allows(worker, "task.read", new Set(["assignee"])))
    }).pipe(Effect.provide(Policy.layer({ ...defaultRules, worker: { "task.create": ["any"] } } as Rules)))
  )
})

describe("Role", () => {
  it("maps the seeds' role names", () => {
    assert.strictEqual(fromLegacyName("Boss"), "manager")
    assert.strictEqual(fromLegacyName("Мастер"), "worker")
    assert.strictEqual(fromLegacyName("technician"), "worker")
    assert.strictEqual(fromLegacyName("Клиент"), "client")
    assert.strictEqual(fromLegacyName("员工"), "worker")
    assert.strictEqual(fromLegacyName("Партнёр"), "partner")
    assert.isUndefined(fromLegacyName("janitor"))
  })
})

describe("Page", () => {
  it("cursors round-trip for their own sort only", () => {
    const cursor = encodeCursor("task:due:asc", [0, 1234, "abc"])
    assert.deepStrictEqual(Either.getOrThrow(decodeCursor("task:due:asc", cursor)), [0, 1234, "abc"])
    assert.isTrue(Either.isLeft(decodeCursor("task:due:desc", cursor)))
    assert.isTrue(Either.isLeft(decodeCursor("task:due:asc", "!!!")))
    assert.isTrue(Either.isLeft(decodeCursor("task:due:asc", encodeCursor("x", []).slice(3))))
  })

  it("compares keys per direction", () => {
    assert.isBelow(compareKeys([1, "a"], [1, "b"], [1, 1]), 0)
    assert.isAbove(compareKeys([1, "a"], [1, "b"], [1, -1]), 0)
    assert.strictEqual(compareKeys([2, "a"], [2, "a"], [1, 1]), 0)
  })
})

describe("Validation", () => {
  it.effect("decodes untrusted input, refusing unknown fields with their path", () =>
    Effect.gen(function* () {
      const ok = yield* decodeUnknown(CreateTask)({ title: "  Trim me  ", dueAt: "2026-03-02T09:00:00Z" })
      assert.strictEqual(ok.title, "Trim me")
      const error = yield* decodeUnknown(CreateTask)({ title: "x", bogus: 1 }).pipe(Effect.flip)
      assert.deepStrictEqual(
        error.issues.map((i) => i.path),
        [["bogus"]]
      )
    })
  )
})

describe("traced", () => {
  const op = traced("Test.op")(function* (n: number) {
    const span = yield* Effect.option(Effect.currentSpan)
    return { n, span: Option.map(span, (s) => s.name) }
  })

  it.effect("names a span while a tracer is on, and makes none while it is off", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* op(1), { n: 1, span: Option.some("Test.op") })
      const off = yield* op(2).pipe(Effect.provide(Layer.setTracerEnabled(false)))
      assert.deepStrictEqual(off, { n: 2, span: Option.none() })
    })
  )
})

describe("test equality", () => {
  it("tells Effect's Option, Either and DateTime values apart, also nested", () => {
    assert.throws(() => assert.deepStrictEqual(Option.some(1), Option.none()))
    assert.throws(() => assert.deepStrictEqual({ at: [Option.some(1)] }, { at: [Option.some(2)] }))
    assert.throws(() => assert.deepStrictEqual<Either.Either<number, number>>(Either.right(1), Either.left(1)))
    assert.throws(() =>
      assert.deepStrictEqual(DateTime.unsafeMake("2026-01-01T00:00:00Z"), DateTime.unsafeMake("2026-01-02T00:00:00Z"))
    )
    assert.deepStrictEqual({ due: Option.some(DateTime.unsafeMake(0)) }, { due: Option.some(DateTime.unsafeMake(0)) })
  })
})
