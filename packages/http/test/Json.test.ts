import { assert, describe, it } from "@effect/vitest"
import { Task } from "@taskdesk/core"
import { Arbitrary, FastCheck, Option, Schema } from "effect"
import { TaskPage } from "../src/tasks/Api.js"
import * as Json from "../src/tasks/Json.js"

describe("hand-written JSON", () => {
  it.prop("a task's JSON is what its schema encodes", [Arbitrary.make(Task.Task)], ([task]) => {
    assert.deepStrictEqual(Json.task(task), Schema.encodeSync(Task.Task)(task) as unknown as Record<string, unknown>)
  })

  it.prop(
    "a page's JSON is what the page schema encodes",
    [FastCheck.array(Arbitrary.make(Task.Task), { maxLength: 5 }), FastCheck.option(FastCheck.string())],
    ([items, cursor]) => {
      const page = { items, nextCursor: Option.fromNullable(cursor) }
      assert.deepStrictEqual(Json.page(page), Schema.encodeSync(TaskPage)(page) as unknown as Record<string, unknown>)
    }
  )
})
