import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"

const vitestBin = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs")
const fixture = fileURLToPath(new URL("./fixtures/pg-skip", import.meta.url))

interface Report {
  readonly success: boolean
  readonly testResults: ReadonlyArray<{
    readonly assertionResults: ReadonlyArray<{ readonly fullName: string; readonly status: string }>
  }>
}

/** Runs the fixture suite in its own vitest against a PostgreSQL and a MySQL that do not answer; returns the JSON report. */
const runUnreachable = (ci: boolean) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "pg-skip-"))),
    (dir) =>
      Effect.async<Report>((resume) => {
        const outputFile = join(dir, "report.json")
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          TASKDESK_TEST_PG_URL: "postgres://postgres@127.0.0.1:1/none",
          TASKDESK_TEST_MYSQL_URL: "mysql://root@127.0.0.1:1/none",
          CI: String(ci)
        }
        delete env.VITEST
        delete env.VITEST_POOL_ID
        delete env.VITEST_WORKER_ID
        execFile(
          process.execPath,
          [vitestBin, "run", "--root", fixture, "--reporter=json", `--outputFile=${outputFile}`],
          { env },
          () => resume(Effect.sync(() => JSON.parse(readFileSync(outputFile, "utf8")) as Report))
        )
      }),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

const statuses = (report: Report) =>
  Object.fromEntries(report.testResults.flatMap((file) => file.assertionResults.map((t) => [t.fullName, t.status])))

describe("PostgreSQL and MySQL suites without their databases", () => {
  it.live(
    "are reported as skipped, not left out",
    () =>
      Effect.gen(function* () {
        const report = yield* runUnreachable(false)
        assert.deepStrictEqual(statuses(report), {
          "always runs": "passed",
          "PostgreSQL needs the database": "skipped",
          "PostgreSQL needs it too": "skipped",
          "MySQL needs its database": "skipped"
        })
        assert.isTrue(report.success)
      }),
    60_000
  )

  it.live(
    "fail the run under CI=true",
    () =>
      Effect.gen(function* () {
        const report = yield* runUnreachable(true)
        const found = statuses(report)
        assert.strictEqual(found["PostgreSQL is reachable (required under CI=true)"], "failed")
        assert.strictEqual(found["PostgreSQL needs the database"], "skipped")
        assert.strictEqual(found["MySQL is reachable (required under CI=true)"], "failed")
        assert.strictEqual(found["MySQL needs its database"], "skipped")
        assert.isFalse(report.success)
      }),
    60_000
  )
})
