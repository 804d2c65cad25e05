import { assert, describe, it } from "@effect/vitest"
import { run } from "../repair-shop.js"

describe("repair shop example", () => {
  it("runs a day and reports its statistics", async () => {
    const stats = await run()
    assert.strictEqual(stats.completed, 2)
    // Washer: filed 09:00, done 13:00 (4 h); fridge: filed 09:00, done 16:00 (7 h).
    assert.strictEqual(stats.averageHoursToComplete, 5.5)
    // In work: washer 11:00–13:00 (2 h), fridge 11:00–16:00 (5 h).
    assert.strictEqual(stats.medianHoursInWork, 3.5)
    assert.strictEqual(stats.averageRating, 4.5)
    assert.deepStrictEqual(
      stats.technicians.map((t) => [t.name, t.completed, t.averageRating]),
      [
        ["Пётр Мастер", 1, 5],
        ["Анна Мастер", 1, 4]
      ]
    )
  })
})
