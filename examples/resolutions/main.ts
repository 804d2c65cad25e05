// `pnpm example resolutions`: a week of seed 003's office, then the mails the fake SMTP server received.
import { run } from "./Office.js"

const { delivery, register, inThreeDays, mails } = await run()
console.log("Register:")
for (const line of register) console.log(`  ${line}`)
console.log("\nIn three days:")
for (const [state, list] of Object.entries(inThreeDays)) console.log(`  ${state}: ${list.join(", ") || "none"}`)
console.log(`\ndelivered ${delivery.sent}, retrying ${delivery.retrying}, failed ${delivery.failed}`)
console.log("\nMails received by the fake SMTP server:")
for (const mail of mails)
  console.log(`→ ${mail.to.join(", ")}: ${mail.subject}\n  ${mail.text.trim().replaceAll("\n", "\n  ")}`)
