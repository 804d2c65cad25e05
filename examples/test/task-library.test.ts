import { assert, describe, it } from "@effect/vitest"
import { run } from "../task-library/TaskLibrary.js"

describe("task library example", () => {
  it("refuses a batch with a bad line whole, naming the line", async () => {
    const { problems, record } = await run()
    assert.strictEqual(problems.length, 1)
    assert.match(problems[0]!, /^line 5: no template /)
    assert.strictEqual(record.length, 4)
  })

  it("hands two templates to two people in one batch and records each answer", async () => {
    const { record } = await run()
    const rows = record.map((r) => `${r.task} ${r.person} ${r.status} ${r.reason ?? "-"}`).sort()
    assert.deepStrictEqual(rows, [
      "备份核对 李雷 accepted -",
      "备份核对 韩梅梅 rejected 本周在外地出差，无法核对备份",
      "机房巡检 李雷 accepted -",
      "机房巡检 韩梅梅 accepted -"
    ])
  })

  it("sends each offer to its person and the rejection, with its reason, to the manager by DingTalk", async () => {
    const { delivery, notices } = await run()
    assert.deepStrictEqual(delivery, { sent: 5, retrying: 0, failed: 0 })
    const to = (userId: string) => notices.filter((n) => n.userIds.includes(userId)).map((n) => n.msgParam.title)
    assert.deepStrictEqual(to("ding-lilei").sort(), ["新任务：备份核对", "新任务：机房巡检"])
    assert.deepStrictEqual(to("ding-hanmeimei").sort(), ["新任务：备份核对", "新任务：机房巡检"])
    assert.deepStrictEqual(to("ding-wang"), ["任务被拒绝：备份核对"])
    const rejection = notices.find((n) => n.userIds.includes("ding-wang"))!
    assert.include(rejection.msgParam.text, "拒绝理由：本周在外地出差，无法核对备份")
    assert.include(notices[0]!.msgParam.text, "10:00 UTC")
  })
})
