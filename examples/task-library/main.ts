// `pnpm example task-library`: one round of seed 002, then the DingTalk notices the fake received.
import { run } from "./TaskLibrary.js"

const { problems, delivery, record, notices } = await run()
console.log(`a batch with a bad line, refused whole: ${problems.join("; ")}`)
console.log("分配记录 (the manager's record):")
for (const row of record)
  console.log(`  ${row.task} → ${row.person}: ${row.status}${row.reason ? ` (${row.reason})` : ""}`)
console.log(`\ndelivered ${delivery.sent}, retrying ${delivery.retrying}, failed ${delivery.failed}`)
console.log("\nDingTalk work notices received by the fake:")
for (const notice of notices) {
  console.log(
    `→ ${notice.userIds.join(", ")}: ${notice.msgParam.title}\n  ${notice.msgParam.text?.replaceAll("\n", "\n  ")}`
  )
}
