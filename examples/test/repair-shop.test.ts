import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { SqlStorage } from "@taskdesk/adapters"
import { describePg, layerPgFresh } from "@taskdesk/adapters/testing/postgres"
import { run } from "../repair-shop/RepairShop.js"

/** The day's figures, the same on every storage. */
const assertTheDay = (stats: Awaited<ReturnType<typeof run>>) => {
  assert.strictEqual(stats.completed, 2)
  // Washer: filed 09:00, done 13:00 (4 h); fridge: filed 09:00, done 16:00 (7 h).
  assert.strictEqual(stats.averageHoursToComplete, 5.5)
  // In work: washer 11:00–13:00 (2 h), fridge 11:00–16:00 (5 h).
  assert.strictEqual(stats.medianHoursInWork, 3.5)
  assert.strictEqual(stats.averageRating, 4.5)
  assert.deepStrictEqual(stats.byDeviceType, ["стиральная машина: 1", "холодильник: 1"])
  assert.deepStrictEqual(
    stats.technicians.map((t) => [t.name, t.completed, t.averageRating]),
    [
      ["Пётр Мастер", 1, 5],
      ["Анна Мастер", 1, 4]
    ]
  )
}

describe("repair shop example", () => {
  it("runs a day on a SQLite file and reports its statistics", async () => {
    const dir = mkdtempSync(join(tmpdir(), "repair-shop-"))
    try {
      assertTheDay(await run(SqlStorage.layerSqlite({ filename: join(dir, "taskdesk.db") })))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describePg("repair shop example on PostgreSQL", () => {
  it("runs the same day in a schema of its own and reports the same statistics", async () => {
    assertTheDay(await run(layerPgFresh("repair_shop_example")))
  })
})
