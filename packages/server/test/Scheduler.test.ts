import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it, layer } from "@effect/vitest"
import { DateTime, Effect, Option, TestClock } from "effect"
import { person, raw, serverLayer } from "./support.js"

/** The JSON shapes these tests read. */
interface ViewJson {
  readonly job: { readonly id: string; readonly nextRunAt?: string }
  readonly running?: unknown
  readonly lastRun?: { readonly id: string }
}
interface IdJson {
  readonly id: string
  readonly status: string
  readonly scheduledAt?: string
  readonly trigger?: string
  readonly summary?: string
}

/** Real time, for letting the server's fibers work (the test clock does not move by itself). */
const pause = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

/** Polls `probe` in real time until it answers something, for at most ~5 s. */
const eventually = <A, E, R>(probe: Effect.Effect<Option.Option<A>, E, R>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 250; i++) {
      const found = yield* probe
      if (Option.isSome(found)) return found.value
      yield* pause(20)
    }
    return yield* Effect.die(new Error("timed out waiting"))
  })

describe("the scheduler on a fresh server", () => {
  it.effect(
    "a fresh server lists the four built-in jobs with next runs; daily-report set to every minute runs within the minute, shows in its history, and its report is in the outbox",
    () =>
      // Monday 2 March 2026, 13:00:30 in Moscow; set before the server starts, whose loops sleep on this clock.
      Effect.zipRight(
        TestClock.setTime(Date.parse("2026-03-02T10:00:30Z")),
        Effect.gen(function* () {
          const admin = yield* person("admin")
          const manager = yield* person("manager")
          const worker = yield* person("worker")

          const jobs = yield* raw("/api/scheduler/jobs", { token: admin.token })
          assert.strictEqual(jobs.status, 200)
          const next = Object.fromEntries(
            (jobs.body as ReadonlyArray<ViewJson>).map((v) => [v.job.id, v.job.nextRunAt])
          )
          assert.deepStrictEqual(next, {
            backup: "2026-03-02T23:00:00.000Z", // 02:00 in Moscow
            cleanup: "2026-03-02T11:00:00.000Z", // hourly
            "daily-report": "2026-03-02T15:00:00.000Z", // 18:00 on weekdays
            "deadline-reminders": "2026-03-03T06:00:00.000Z" // 09:00
          })

          const changed = yield* raw("/api/scheduler/jobs/daily-report", {
            method: "PATCH",
            token: admin.token,
            body: JSON.stringify({ expression: "* * * * *" })
          })
          assert.strictEqual(changed.status, 200)
          assert.strictEqual(changed.body.job.nextRunAt, "2026-03-02T10:01:00.000Z")
          assert.deepStrictEqual(changed.body.job.schedule, {
            _tag: "Cron",
            expression: "* * * * *",
            timeZone: "Europe/Moscow"
          })
          assert.strictEqual(changed.headers.get("etag"), `"${changed.body.job.version}"`)

          yield* TestClock.adjust("30 seconds")
          const run = yield* eventually(
            Effect.map(raw("/api/scheduler/jobs/daily-report/runs", { token: admin.token }), (r) =>
              Option.fromNullable((r.body.items as ReadonlyArray<IdJson>).find((x) => x.status === "succeeded"))
            )
          )
          assert.strictEqual(run.scheduledAt, "2026-03-02T10:01:00.000Z")
          assert.strictEqual(run.trigger, "schedule")
          assert.strictEqual(
            run.summary,
            "report for 2026-03-02 to 1 recipient: 0 created, 0 completed, 0 overdue, 0 rejected"
          )

          const outbox = yield* raw("/api/notifications?all=true&kind=daily_report", { token: admin.token })
          assert.strictEqual(outbox.status, 200)
          assert.strictEqual(outbox.body.length, 1)
          assert.strictEqual(outbox.body[0].recipientId, manager.user.id)
          assert.strictEqual(outbox.body[0].subject, "Daily report 2026-03-02")
          assert.strictEqual(outbox.body[0].data.jobRunId, run.id)
          // The manager sees their own report; a worker may not read everyone's outbox.
          const own = yield* raw("/api/notifications?kind=daily_report", { token: manager.token })
          assert.deepStrictEqual(
            (own.body as ReadonlyArray<IdJson>).map((n) => n.id),
            [outbox.body[0].id]
          )
          assert.strictEqual((yield* raw("/api/notifications?all=true", { token: worker.token })).status, 403)

          // The schedule goes on: the next minute is next.
          const status = yield* raw("/api/scheduler/status", { token: admin.token })
          assert.strictEqual(status.body.running, true)
          assert.isString(status.body.instanceId)
          assert.deepStrictEqual(status.body.nextRuns[0], { jobId: "daily-report", at: "2026-03-02T10:02:00.000Z" })
        }).pipe(Effect.provide(serverLayer()))
      ),
    30_000
  )
})

describe("scheduler endpoints", () => {
  layer(serverLayer(), { excludeTestServices: true, timeout: "30 seconds" })((it) => {
    it.effect(
      "changes are validated: a bad cron expression names its field and position; unknown fields are refused",
      () =>
        Effect.gen(function* () {
          const admin = yield* person("admin")
          const bad = yield* raw("/api/scheduler/jobs/deadline-reminders", {
            method: "PATCH",
            token: admin.token,
            body: JSON.stringify({ expression: "0 25 * * *" })
          })
          assert.strictEqual(bad.status, 400)
          assert.strictEqual(bad.body.type, "urn:taskdesk:problem:invalid-schedule")
          assert.strictEqual(bad.body.field, "hour")
          assert.strictEqual(bad.body.position, 2)
          const zone = yield* raw("/api/scheduler/jobs/deadline-reminders", {
            method: "PATCH",
            token: admin.token,
            body: JSON.stringify({ timeZone: "Mars/Olympus" })
          })
          assert.strictEqual(zone.status, 400)
          assert.strictEqual(zone.body.field, "timeZone")
          const parameters = yield* raw("/api/scheduler/jobs/daily-report", {
            method: "PATCH",
            token: admin.token,
            body: JSON.stringify({ parameters: { roles: ["nobody"] } })
          })
          assert.strictEqual(parameters.status, 400)
          assert.strictEqual(parameters.body.issues[0].path[0], "parameters")
          const unknown = yield* raw("/api/scheduler/jobs/cleanup", {
            method: "PATCH",
            token: admin.token,
            body: JSON.stringify({ cron: "* * * * *" })
          })
          assert.strictEqual(unknown.status, 400)
          const missing = yield* raw("/api/scheduler/jobs/no-such-job", { token: admin.token })
          assert.strictEqual(missing.status, 404)
          // Nothing above changed the jobs.
          const view = yield* raw("/api/scheduler/jobs/deadline-reminders", { token: admin.token })
          assert.strictEqual(view.body.job.schedule.expression, "0 9 * * *")
          assert.strictEqual(view.body.job.version, 1)
        })
    )

    it.effect(
      "If-Match guards changes; disabling clears the next run; grace, coalesce and an interval are stored",
      () =>
        Effect.gen(function* () {
          const admin = yield* person("admin")
          const before = yield* raw("/api/scheduler/jobs/cleanup", { token: admin.token })
          const etag = before.headers.get("etag")!
          const change = (body: unknown, ifMatch: string) =>
            raw("/api/scheduler/jobs/cleanup", {
              method: "PATCH",
              token: admin.token,
              body: JSON.stringify(body),
              headers: { "if-match": ifMatch }
            })
          const disabled = yield* change({ enabled: false, misfireGraceSeconds: 60, coalesce: false }, etag)
          assert.strictEqual(disabled.status, 200)
          assert.strictEqual(disabled.body.job.enabled, false)
          assert.isUndefined(disabled.body.job.nextRunAt)
          assert.strictEqual(disabled.body.job.misfireGraceSeconds, 60)
          assert.strictEqual(disabled.body.job.coalesce, false)
          const stale = yield* change({ enabled: true }, etag)
          assert.strictEqual(stale.status, 412)
          const interval = yield* change(
            { enabled: true, schedule: { _tag: "Interval", everySeconds: 3600 } },
            disabled.headers.get("etag")!
          )
          assert.strictEqual(interval.status, 200)
          assert.deepStrictEqual(interval.body.job.schedule, { _tag: "Interval", everySeconds: 3600 })
          assert.isString(interval.body.job.nextRunAt)
          // A zone alone makes no sense for an interval.
          const zone = yield* change({ timeZone: "Europe/Berlin" }, interval.headers.get("etag")!)
          assert.strictEqual(zone.status, 400)
        })
    )

    it.effect("run now: answers at once (202) or when done (200); the history pages newest first", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const waited = yield* raw("/api/scheduler/jobs/cleanup/run?wait=true", { method: "POST", token: admin.token })
        assert.strictEqual(waited.status, 200)
        assert.strictEqual(waited.body.status, "succeeded")
        assert.strictEqual(waited.body.trigger, "manual")
        assert.match(
          waited.body.summary,
          /^expired sessions, tokens and idempotency records deleted; \d+ runs? and \d+ notifications? older than 30 days deleted$/
        )
        const started = yield* raw("/api/scheduler/jobs/cleanup/run", { method: "POST", token: admin.token })
        assert.strictEqual(started.status, 202)
        assert.strictEqual(started.body.status, "running")
        yield* eventually(
          Effect.map(raw("/api/scheduler/jobs/cleanup", { token: admin.token }), (r) =>
            Option.liftPredicate(
              r.body as ViewJson,
              (b) => b.running === undefined && b.lastRun?.id === started.body.id
            )
          )
        )
        const first = yield* raw("/api/scheduler/jobs/cleanup/runs?limit=1", { token: admin.token })
        assert.deepStrictEqual(
          (first.body.items as ReadonlyArray<IdJson>).map((r) => r.id),
          [started.body.id]
        )
        const second = yield* raw(`/api/scheduler/jobs/cleanup/runs?limit=1&cursor=${first.body.nextCursor}`, {
          token: admin.token
        })
        assert.deepStrictEqual(
          (second.body.items as ReadonlyArray<IdJson>).map((r) => r.id),
          [waited.body.id]
        )
      })
    )

    it.effect("a backup of in-memory storage is recorded as failed with the reason", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const run = yield* raw("/api/scheduler/jobs/backup/run?wait=true", { method: "POST", token: admin.token })
        assert.strictEqual(run.status, 200)
        assert.strictEqual(run.body.status, "failed")
        assert.strictEqual(run.body.error, "BackupError: the storage is in memory: there is no database to back up")
      })
    )
  })
})

describe("backup job on SQLite", () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-backup-job-"))
  layer(serverLayer({ database_url: Path.join(dir, "taskdesk.db"), backup: { directory: Path.join(dir, "copies") } }), {
    excludeTestServices: true,
    timeout: "30 seconds"
  })((it) => {
    it.effect("writes a dated copy to the backup directory and keeps what the job's retention says", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const first = yield* raw("/api/scheduler/jobs/backup/run?wait=true", { method: "POST", token: admin.token })
        assert.strictEqual(first.body.status, "succeeded", first.body.error)
        assert.match(
          first.body.summary,
          /^taskdesk-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.sqlite \(\d+\.\d MB\) in .*copies; 0 old copies deleted$/
        )
        const copies = Fs.readdirSync(Path.join(dir, "copies"))
        assert.strictEqual(copies.length, 1)
        // One a day: a second copy the same day replaces the first.
        const kept = yield* raw("/api/scheduler/jobs/backup", {
          method: "PATCH",
          token: admin.token,
          body: JSON.stringify({ parameters: { keepDaily: 1, keepWeekly: 0, keepMonthly: 0 } })
        })
        assert.deepStrictEqual(kept.body.job.parameters, { keepDaily: 1, keepWeekly: 0, keepMonthly: 0 })
        yield* pause(5)
        const second = yield* raw("/api/scheduler/jobs/backup/run?wait=true", { method: "POST", token: admin.token })
        assert.match(second.body.summary, /; 1 old copy deleted$/)
        const now = Fs.readdirSync(Path.join(dir, "copies"))
        assert.strictEqual(now.length, 1)
        assert.notStrictEqual(now[0], copies[0])
        assert.isTrue(DateTime.isDateTime(DateTime.unsafeMake(second.body.finishedAt)))
      })
    )
  })
})
