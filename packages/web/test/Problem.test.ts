import { assert, describe, it } from "@effect/vitest"
import { Assignments, Errors } from "@taskdesk/core"
import { ApiFailure } from "../src/api.js"
import ru from "../src/i18n/ru.js"
import zh from "../src/i18n/zh.js"
import { en, translator } from "../src/i18n.js"
import { describe as describeFailure, isSignedOut } from "../src/problem.js"

const t = translator(en)
const failure = (error: { _tag: string }) => new ApiFailure(error, error._tag)

describe("problem documents as messages a person can act on", () => {
  it("a version conflict and a stale If-Match both say to reload", () => {
    const conflict = new Errors.VersionConflict({ entity: "Task", id: "t1", expected: 3, actual: 4 })
    assert.strictEqual(
      describeFailure(failure(conflict), t),
      "Someone else changed this meanwhile; reload and try again."
    )
    assert.strictEqual(
      describeFailure(failure({ _tag: "PreconditionFailed" }), t),
      "Someone else changed this meanwhile; reload and try again."
    )
  })

  it("an illegal move names both states, a refused batch points at its rows, a rule says its reason", () => {
    const illegal = new Errors.IllegalTransition({ entity: "Task", id: "t1", from: "done", to: "cancelled" })
    assert.strictEqual(describeFailure(failure(illegal), t), "This move is not allowed: done → cancelled.")
    const batch = new Assignments.BatchRejected({ problems: [] })
    assert.strictEqual(describeFailure(failure(batch), t), "Nothing was assigned: fix the rows marked below.")
    const rule = new Errors.RuleViolation({ rule: "repair.rated", message: "the request is rated already" })
    assert.strictEqual(describeFailure(failure(rule), t), "Refused: the request is rated already")
  })

  it("invalid input names each field; anything unknown is still a sentence, never JSON", () => {
    const invalid = new Errors.InvalidInput({
      message: "invalid",
      issues: [new Errors.FieldIssue({ path: ["items", 1, "dueAt"], message: "not a date" })]
    })
    assert.strictEqual(
      describeFailure(failure(invalid), t),
      "Please check the highlighted fields: items.1.dueAt: not a date"
    )
    const other = describeFailure(failure({ _tag: "ResponseError" }), t)
    assert.strictEqual(other, "Something went wrong (ResponseError); try again.")
    assert.notInclude(other, "{")
  })

  it("a 401 means the session is over, and nothing else does", () => {
    assert.isTrue(isSignedOut(failure({ _tag: "Unauthorized" })))
    assert.isFalse(isSignedOut(failure({ _tag: "Forbidden" })))
    assert.isFalse(isSignedOut(new Error("Unauthorized")))
  })

  it("Russian and Chinese fill every placeholder English has", () => {
    for (const dictionary of [ru, zh]) {
      for (const key of Object.keys(en) as Array<keyof typeof en>) {
        const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
        assert.deepStrictEqual(placeholders(dictionary[key]), placeholders(en[key]), key)
      }
    }
  })
})
