import { assert, describe, it } from "@effect/vitest"
import { run } from "../task-tracker/main.js"

describe("task-tracker example", () => {
  it("signs in with Telegram, creates tasks, sees one live, exports CSV and gets an analysis", async () => {
    const result = await run()
    assert.strictEqual(result.forgedRefused, "Unauthorized")
    assert.strictEqual(result.signedInAs, "Ольга")
    assert.deepStrictEqual(result.liveEvent.type, "task.created")
    assert.strictEqual(result.liveEvent.title, result.tasks[0])
    const [header, ...rows] = result.csv.trimEnd().split(/\r?\n/)
    assert.match(header!, /^id,title,description,status,priority,/)
    assert.sameMembers(
      rows.map((row) => row.split(",")[1]),
      [...result.tasks]
    )
    // The fake's analysis of the urgent task keeps its priority; exactly one request reached the model.
    assert.strictEqual(result.analysis.priority, "urgent")
    assert.include(result.analysis.summary, "Обновить сертификат сервера")
    assert.strictEqual(result.llmRequests, 1)
  }, 60_000)
})
