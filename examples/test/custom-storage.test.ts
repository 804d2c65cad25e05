import { assert, describe, it } from "@effect/vitest"
import { storageConformance } from "@taskdesk/core/testing"
import * as KvStorage from "../custom-storage/KvStorage.js"
import { run } from "../custom-storage/main.js"

// The whole suite every built-in store passes, on the key-value adapter over a Map.
storageConformance("key-value map (examples/custom-storage)", KvStorage.layerMap)

describe("custom-storage demo", () => {
  it("runs the domain on the key-value store and keeps nothing of a failed transaction", async () => {
    const { history, rolledBack, keysByTable, taskJson } = await run()
    assert.deepStrictEqual(
      history.map((line) => line.split(" ")[1]),
      ["task.created", "assignment.offered", "task.updated", "task.status_changed", "assignment.accepted"]
    )
    assert.strictEqual(rolledBack, "changed my mind")
    // One task: the rolled-back one left neither its row nor its event.
    assert.deepStrictEqual(keysByTable, { __sequences: 1, assignments: 1, events: 7, tasks: 1, users: 2 })
    assert.include(taskJson, '"title":"Repair the fridge"')
  })
})
