import { assert, describe, it } from "@effect/vitest"
import { Task } from "@taskdesk/core"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { decodeTaskRow, encodeTaskRow, TaskRow } from "../src/sql/SqlTaskRow.js"

// The hand-written codec must give exactly what the schema gives; the schema is the contract.
const tasks = Arbitrary.make(Task.Task)
const encode = Schema.encodeSync(TaskRow)
const decode = Schema.decodeUnknownEither(TaskRow)

/** Column values a row might hold, well-formed or not: every field of a real row, and near misses. */
const cell = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.string({ maxLength: 70 }),
  fc.constantFrom("", " x", "x ", "todo", "done", "urgent", "low", "a".repeat(65), "[]", '["x"]', '[" x "]', "[1]"),
  fc.constantFrom('["a","b"]', `[${Array(51).fill('"t"').join(",")}]`, '{"a":1}', "not json", '["", "y"]'),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, 8.64e15, 1.5, -1, 2 ** 53)
)

describe("the tasks row codec", () => {
  it("encodes every task as the schema does", () => {
    fc.assert(
      fc.property(tasks, (task) => {
        assert.deepStrictEqual(encodeTaskRow(task), encode(task))
      })
    )
  })

  it("decodes every row the schema accepts to the same task", () => {
    fc.assert(
      fc.property(tasks, (task) => {
        const row = encode(task)
        const fast = decodeTaskRow(row)
        assert.isDefined(fast)
        assert.deepStrictEqual(fast, Either.getOrThrow(decode(row)))
        assert.instanceOf(fast, Task.Task)
      })
    )
  })

  it("vouches only for rows the schema accepts, and then agrees with it", () => {
    const columns = Object.keys(encode(fc.sample(tasks, 1)[0]!))
    fc.assert(
      fc.property(tasks, fc.dictionary(fc.constantFrom(...columns), cell, { maxKeys: 3 }), (task, changes) => {
        const row = { ...encode(task), ...changes }
        const fast = decodeTaskRow(row)
        const slow = decode(row)
        if (fast !== undefined) assert.deepStrictEqual(fast, Either.getOrThrow(slow))
        // A row the schema refuses is never decoded by hand, so its error still names the column.
        if (Either.isLeft(slow)) assert.isUndefined(fast)
      }),
      { numRuns: 2_000 }
    )
  })

  it("trims titles and tags as the schema does", () => {
    const row = { ...encode(fc.sample(tasks, 1)[0]!), title: "  padded  ", tags: '[" a ", "b"]' }
    const fast = decodeTaskRow(row)
    assert.strictEqual(fast?.title, "padded")
    assert.deepStrictEqual(fast?.tags, ["a", "b"])
    assert.deepStrictEqual(fast, Either.getOrThrow(decode(row)))
  })
})
