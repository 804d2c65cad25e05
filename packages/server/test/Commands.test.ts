import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it, vi } from "@effect/vitest"
import { Effect } from "effect"
import * as Cli from "../src/Cli.js"

/**
 * Runs the CLI in this process (spawning costs a second or two per command) with `env` added to
 * the environment; its output, and the one-line failure if it failed.
 */
const taskdesk = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function* () {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
    Object.assign(process.env, env)
    const printed: Array<string> = []
    const spy = vi.spyOn(console, "log").mockImplementation((...a) => void printed.push(a.join(" ")))
    const failure = yield* Cli.run(["node", "taskdesk", ...args]).pipe(
      Effect.provide(NodeContext.layer),
      Effect.as(undefined),
      Effect.catchAllDefect((defect) =>
        defect instanceof Cli.CliFailure ? Effect.succeed(defect.message) : Effect.die(defect)
      ),
      Effect.ensuring(
        Effect.sync(() => {
          spy.mockRestore()
          for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k]
            else process.env[k] = v
          }
        })
      )
    )
    return { out: printed.join("\n"), failure }
  })

describe("taskdesk jobs and restore", () => {
  it.live(
    "jobs list, set, run, show; a backup restored over later changes brings back the data of its time",
    () =>
      Effect.gen(function* () {
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-jobs-"))
        const env = { TASKDESK_DATA_DIR: Path.join(dir, "data"), TASKDESK_LOG_LEVEL: "error" }
        const run = (...args: ReadonlyArray<string>) => taskdesk(args, env)

        const listed = yield* run("jobs", "list")
        assert.isUndefined(listed.failure)
        const lines = listed.out.split("\n")
        assert.match(lines[0]!, /^JOB\s+SCHEDULE\s+ENABLED\s+NEXT RUN\s+LAST RUN$/)
        assert.deepStrictEqual(
          lines.slice(1).map((l) => l.split(/\s{2,}/)[0]),
          ["backup", "cleanup", "daily-report", "deadline-reminders"]
        )
        assert.isTrue(lines.slice(1).every((l) => /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\s+never run$/.test(l)))

        const changed = yield* run(
          "jobs",
          "set",
          "daily-report",
          "--cron",
          "30 17 * * 1-5",
          "--time-zone",
          "Asia/Shanghai"
        )
        assert.isUndefined(changed.failure)
        assert.match(changed.out, /^daily-report: 30 17 \* \* 1-5 \(Asia\/Shanghai\), enabled, next run \S+Z$/)
        const bad = yield* run("jobs", "set", "daily-report", "--cron", "30 17 * * 1-8")
        assert.match(bad.failure!, /^invalid schedule "30 17 \* \* 1-8": .*dayOfWeek|day of week/)
        assert.strictEqual(
          (yield* run("jobs", "set", "daily-report")).failure,
          "nothing to change: give at least one option"
        )
        assert.strictEqual((yield* run("jobs", "run", "no-such-job")).failure, "no job no-such-job")

        const cleaned = yield* run("jobs", "run", "cleanup")
        assert.isUndefined(cleaned.failure)
        assert.match(cleaned.out, /^\S+Z {2}manual {2}succeeded {2}expired sessions/)
        const shown = JSON.parse((yield* run("jobs", "show", "daily-report", "--json")).out)
        assert.deepStrictEqual(shown.job.schedule, {
          _tag: "Cron",
          expression: "30 17 * * 1-5",
          timeZone: "Asia/Shanghai"
        })
        assert.deepStrictEqual(shown.runs, [])
        const text = (yield* run("jobs", "show", "cleanup")).out
        assert.include(text, "schedule     0 * * * * (Europe/Moscow)")
        assert.match(text, /latest runs:\n {2}\S+Z {2}manual {2}succeeded/)

        // Someone before the backup, someone after; the restore keeps the first only.
        assert.isUndefined((yield* run("user", "create", "--role", "worker", "--username", "before")).failure)
        const backup = yield* run("jobs", "run", "backup")
        assert.isUndefined(backup.failure, backup.out)
        const file = /(taskdesk-\S+\.sqlite)/.exec(backup.out)![1]!
        const path = Path.join(dir, "data", "backups", file)
        assert.isTrue(Fs.existsSync(path))
        assert.isUndefined((yield* run("user", "create", "--role", "worker", "--username", "after")).failure)
        assert.isUndefined((yield* run("jobs", "set", "cleanup", "--enabled", "false")).failure)

        const restored = yield* run("restore", path)
        assert.isUndefined(restored.failure, restored.out)
        assert.match(restored.out, /^the current database was saved first as .*backups.taskdesk-\S+\.sqlite\nrestored /)
        assert.isUndefined((yield* run("user", "reset-password", "--username", "before")).failure)
        assert.strictEqual((yield* run("user", "reset-password", "--username", "after")).failure, "no user after")
        assert.match((yield* run("jobs", "list")).out, /\ncleanup\s+0 \* \* \* \* \(Europe\/Moscow\)\s+yes/)

        // A backup of the other kind is refused before anything happens.
        const wrong = Path.join(dir, "taskdesk-2026-03-02T02-00-00.000Z.pg.jsonl.gz")
        Fs.writeFileSync(wrong, "")
        assert.strictEqual(
          (yield* run("restore", wrong)).failure,
          `${wrong} is a postgres backup; this configuration uses sqlite`
        )
      }),
    60_000
  )
})
