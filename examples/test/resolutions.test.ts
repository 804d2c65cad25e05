import { assert, describe, it } from "@effect/vitest"
import { run } from "../resolutions/Office.js"

describe("resolutions example", () => {
  it("numbers the register per kind and tells done from overdue resolutions by their reports", async () => {
    const { register, inThreeDays } = await run()
    assert.deepStrictEqual(
      register.map((line) => line.split(" ")[0]),
      ["IN-0001", "IN-0002", "RES-0001", "RES-0002", "REP-0001", "REP-0002"]
    )
    assert.deepStrictEqual(inThreeDays, {
      open: [],
      overdue: ["RES-0002 (0/1 reports)"],
      done: ["RES-0001 (2/2 reports)"]
    })
  })

  it("mails each executor the resolution, the others a comment, and the head when it is done", async () => {
    const { delivery, mails } = await run()
    assert.deepStrictEqual(delivery, { sent: 6, retrying: 0, failed: 0 })
    const received = mails.map((m) => `${m.to.join(",")} ${m.subject}`).sort()
    assert.deepStrictEqual(received, [
      "boss@example.org Исполнено: RES-0001",
      "boss@example.org Новый комментарий к «Подготовить план перехода»",
      "ivanov@example.org Новый комментарий к «Подготовить план перехода»",
      "ivanov@example.org Резолюция RES-0001: Подготовить план перехода",
      "ivanov@example.org Резолюция RES-0002: Представить сведения об оргтехнике",
      "petrova@example.org Резолюция RES-0001: Подготовить план перехода"
    ])
    const toPetrova = mails.find((m) => m.to.includes("petrova@example.org"))!
    assert.include(toPetrova.text, "Петровой — смету")
    assert.include(toPetrova.text, "IN-0001")
    assert.match(toPetrova.text, /Срок: \d{4}-\d{2}-\d{2} 15:00 UTC/)
  })
})
