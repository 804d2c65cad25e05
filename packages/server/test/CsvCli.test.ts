import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"

const bin = Path.join(import.meta.dirname, "..", "bin", "taskdesk.mjs")
const fixtures = Path.join(import.meta.dirname, "fixtures", "csv")

interface Finished {
  readonly code: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

/** Runs the `taskdesk` CLI to its end, keeping stdout as bytes (an export is a file). */
const taskdesk = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.async<Finished>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: Os.tmpdir(), env: { ...process.env, ...env } })
    const out: Array<Buffer> = []
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => out.push(d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout: Buffer.concat(out), stderr })))
  })

describe("taskdesk import and export", () => {
  it.effect(
    "imports seed 000's files with one command each, refuses a bad file whole, and exports to a spreadsheet-ready file",
    () =>
      Effect.gen(function* () {
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-csv-"))
        const env = { TASKDESK_DATA_DIR: dir, TASKDESK_LOG_LEVEL: "warn" }
        try {
          const users = yield* taskdesk(["import", "users", Path.join(fixtures, "users.csv")], env)
          assert.strictEqual(users.code, 0, users.stderr)
          assert.include(users.stdout.toString(), "imported 4 users (4 new, 0 updated, 0 unchanged)")

          const dry = yield* taskdesk(["import", "tasks", Path.join(fixtures, "tasks.csv"), "--dry-run"], env)
          assert.strictEqual(dry.code, 0, dry.stderr)
          assert.include(dry.stdout.toString(), "dry run, nothing changed: would import 4 tasks (4 new")

          const bad = yield* taskdesk(["import", "tasks", Path.join(fixtures, "tasks-bad.csv")], env)
          assert.strictEqual(bad.code, 1)
          assert.include(bad.stderr, "5 bad row(s), nothing imported")
          assert.include(bad.stderr, 'line 3, status: unknown status "someday"')
          assert.include(bad.stderr, "line 6, (row): expected 10 cells")

          const tasks = yield* taskdesk(["import", "tasks", Path.join(fixtures, "tasks.csv")], env)
          assert.strictEqual(tasks.code, 0, tasks.stderr)
          assert.include(tasks.stdout.toString(), "imported 4 tasks (4 new")

          const exported = yield* taskdesk(["export", "tasks", "--bom", "--sort", "created", "--order", "asc"], env)
          assert.strictEqual(exported.code, 0, exported.stderr)
          assert.deepStrictEqual([...exported.stdout.subarray(0, 3)], [0xef, 0xbb, 0xbf])
          const rows: Array<Record<string, string>> = parse(exported.stdout.toString("utf8"), {
            bom: true,
            columns: true
          })
          assert.deepStrictEqual(
            rows.map((r) => [r.title, r.status, r.priority, r.assigned_to]),
            [
              ["Починить холодильник", "todo", "high", "ivan_w"],
              ["修理洗衣机", "in_progress", "normal", "ivan_w; li_wei"],
              ['\'=HYPERLINK("http://evil")', "done", "low", ""],
              ["Order parts", "cancelled", "urgent", "ivan_w"]
            ]
          )
          const filtered = yield* taskdesk(["export", "tasks", "--status", "done", "--status", "cancelled"], env)
          assert.strictEqual(filtered.code, 0, filtered.stderr)
          const done: Array<Record<string, string>> = parse(filtered.stdout.toString("utf8"), { columns: true })
          assert.deepStrictEqual(done.map((r) => r.status).sort(), ["cancelled", "done"])
        } finally {
          Fs.rmSync(dir, { recursive: true, force: true })
        }
      }),
    // Six processes from the TypeScript sources on a loaded two-core machine.
    300_000
  )
})
