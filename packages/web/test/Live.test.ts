import { assert, describe, it } from "@effect/vitest"
import { about, kindOf } from "../src/live.js"

describe("which live events a page refetches on", () => {
  it("reads the type from `type`, from the audit log's `payload._tag`, or from the subject", () => {
    assert.strictEqual(kindOf({ type: "task.updated" }), "task.updated")
    assert.strictEqual(kindOf({ payload: { _tag: "assignment.accepted" } }), "assignment.accepted")
    assert.strictEqual(kindOf({ subject: { kind: "repair", id: "r1" } }), "repair.")
    assert.strictEqual(kindOf({ subject: "task:01ABC" }), "task.")
    assert.strictEqual(kindOf({}), "")
  })

  it("matches whole kinds only: a board listens to tasks and assignments, not to repairs or users", () => {
    const board = about("task", "assignment")
    assert.isTrue(board({ type: "task.status_changed" }))
    assert.isTrue(board({ payload: { _tag: "assignment.accepted" } }))
    assert.isFalse(board({ type: "repair.updated" }))
    assert.isFalse(board({ type: "tasks-export.finished" }))
    assert.isFalse(board({}))
  })
})
