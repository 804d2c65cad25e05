import { assert, describe, layer as withStorage } from "@effect/vitest"
import { DateTime, Effect, type Layer, Option } from "effect"
import { JobId, JobRunId, NotificationId, UserId } from "../../src/Ids.js"
import { Job, JobRun } from "../../src/Job.js"
import * as JobSchedule from "../../src/JobSchedule.js"
import { JobStore, runSortKey } from "../../src/JobStore.js"
import { Notification } from "../../src/Notification.js"
import { Outbox } from "../../src/Outbox.js"
import type { Storage } from "../../src/Storage.js"
import { Transaction } from "../../src/Transaction.js"
import { at, uniqueId } from "../fixtures.js"
import { assertSameModel } from "./same.js"

/** A valid job; override any field. Its id is fresh and slug-shaped. */
export const makeJob = (overrides: Partial<ConstructorParameters<typeof Job>[0]> = {}): Job =>
  new Job({
    id: JobId.make(uniqueId("job").toLowerCase()),
    description: "Сводка за день, 日报",
    handler: "daily-report",
    schedule: JobSchedule.cron("0 18 * * 1-5", "Europe/Moscow"),
    parameters: { roles: ["manager"], nested: { deep: [1, "два", null] } },
    enabled: true,
    misfireGraceSeconds: 600,
    coalesce: true,
    timeoutSeconds: 600,
    nextRunAt: Option.some(at("2026-03-02T15:00:00Z")),
    createdAt: at("2026-03-01T00:00:00Z"),
    updatedAt: at("2026-03-01T00:00:00Z"),
    version: 1,
    ...overrides
  })

/** A run of `jobId`, running since its scheduled time; override any field. */
export const makeJobRun = (jobId: JobId, overrides: Partial<ConstructorParameters<typeof JobRun>[0]> = {}): JobRun =>
  new JobRun({
    id: JobRunId.make(uniqueId("run")),
    jobId,
    scheduledAt: at("2026-03-02T15:00:00Z"),
    trigger: "schedule",
    instanceId: "instance-a",
    status: "running",
    startedAt: at("2026-03-02T15:00:00Z"),
    heartbeatAt: Option.some(at("2026-03-02T15:00:00Z")),
    finishedAt: Option.none(),
    error: Option.none(),
    summary: Option.none(),
    coalesced: 0,
    ...overrides
  })

/** A pending notification; override any field. */
export const makeNotification = (overrides: Partial<ConstructorParameters<typeof Notification>[0]> = {}) =>
  new Notification({
    id: NotificationId.make(uniqueId("notification")),
    recipientId: UserId.make(uniqueId("user")),
    kind: "deadline_reminder",
    subject: "2 items due soon",
    body: "- task: Починить холодильник\n- 修理冰箱",
    data: { items: [{ id: "t1", overdue: true }] },
    createdAt: at("2026-03-02T06:00:00Z"),
    status: "pending",
    attempts: 0,
    lastError: Option.none(),
    channel: Option.none(),
    sentAt: Option.none(),
    lockedUntil: Option.none(),
    ...overrides
  })

const finished = (status: "succeeded" | "failed", iso: string) => ({
  status,
  finishedAt: at(iso),
  error: status === "failed" ? Option.some("Boom: нет связи") : Option.none(),
  summary: status === "succeeded" ? Option.some("3 reminders") : Option.none()
})

/** The JobStore contract: definitions, the next-run compare-and-set, claims, history, abandonment, pruning. */
export const jobStoreSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("JobStore", () => {
    withStorage(layer)((it) => {
      it.effect("stores jobs with every kind of schedule and updates them at the expected version", () =>
        Effect.gen(function* () {
          const store = yield* JobStore
          const cron = makeJob()
          const interval = makeJob({
            schedule: JobSchedule.every(90, at("2026-03-02T09:05:00Z")),
            parameters: {},
            enabled: false,
            nextRunAt: Option.none()
          })
          yield* store.insert(cron)
          yield* store.insert(interval)
          assertSameModel(Job, Option.getOrThrow(yield* store.findById(cron.id)), cron)
          assertSameModel(Job, Option.getOrThrow(yield* store.findById(interval.id)), interval)
          assert.strictEqual((yield* store.insert(cron).pipe(Effect.flip))._tag, "DuplicateKey")
          const ids = (yield* store.list).map((j) => j.id).filter((id) => id === cron.id || id === interval.id)
          assert.deepStrictEqual(ids, [cron.id, interval.id].sort())

          const changed = makeJob({ ...cron, schedule: JobSchedule.every(60), version: 2 })
          assert.strictEqual((yield* store.update(changed, 5).pipe(Effect.flip))._tag, "VersionConflict")
          yield* store.update(changed, 1)
          assertSameModel(Job, Option.getOrThrow(yield* store.findById(cron.id)), changed)
          const missing = yield* store.update(makeJob({ version: 2 }), 1).pipe(Effect.flip)
          assert.strictEqual(missing._tag, "NotFound")
          assert.isTrue(Option.isNone(yield* store.findById(JobId.make("no-such-job"))))
        })
      )

      it.effect("moves the next run time only from the expected time and version", () =>
        Effect.gen(function* () {
          const store = yield* JobStore
          const job = makeJob()
          yield* store.insert(job)
          const later = Option.some(at("2026-03-03T15:00:00Z"))
          assert.isFalse(yield* store.advance(job.id, { version: 2, nextRunAt: job.nextRunAt }, later))
          assert.isFalse(
            yield* store.advance(job.id, { version: 1, nextRunAt: Option.some(at("2026-03-02T15:00:01Z")) }, later)
          )
          assert.isFalse(yield* store.advance(job.id, { version: 1, nextRunAt: Option.none() }, later))
          assert.isTrue(yield* store.advance(job.id, { version: 1, nextRunAt: job.nextRunAt }, later))
          const stored = Option.getOrThrow(yield* store.findById(job.id))
          assert.deepStrictEqual(stored.nextRunAt, later)
          assert.strictEqual(stored.version, 1)
          // A stale instance cannot move it back.
          assert.isFalse(yield* store.advance(job.id, { version: 1, nextRunAt: job.nextRunAt }, later))
          assert.isTrue(yield* store.advance(job.id, { version: 1, nextRunAt: later }, Option.none()))
          assert.isTrue(Option.isNone(Option.getOrThrow(yield* store.findById(job.id)).nextRunAt))
          assert.isTrue(yield* store.advance(job.id, { version: 1, nextRunAt: Option.none() }, later))
          assert.isFalse(yield* store.advance(JobId.make("no-such-job"), { version: 1, nextRunAt: later }, later))
        })
      )

      it.effect("claims each occurrence once and runs a job once at a time", () =>
        Effect.gen(function* () {
          const store = yield* JobStore
          const job = makeJob()
          yield* store.insert(job)
          const first = makeJobRun(job.id)
          yield* store.claim(first)
          const again = yield* store.claim(makeJobRun(job.id)).pipe(Effect.flip)
          assert.strictEqual(again._tag, "OccurrenceClaimed")
          assert.isTrue(
            again._tag === "OccurrenceClaimed" && DateTime.Equivalence(again.scheduledAt, first.scheduledAt)
          )
          // The same occurrence even when claimed as skipped.
          const skippedSame = makeJobRun(job.id, {
            status: "skipped",
            finishedAt: Option.some(at("2026-03-02T15:00:00Z"))
          })
          assert.strictEqual((yield* store.claim(skippedSame).pipe(Effect.flip))._tag, "OccurrenceClaimed")
          // Another occurrence while the first runs: busy, naming the running run.
          const next = makeJobRun(job.id, { scheduledAt: at("2026-03-03T15:00:00Z") })
          const busy = yield* store.claim(next).pipe(Effect.flip)
          assert.isTrue(busy._tag === "JobBusy" && busy.runId === first.id)
          // A skipped occurrence never runs, so it is not held back.
          const skipped = makeJobRun(job.id, {
            scheduledAt: at("2026-03-01T15:00:00Z"),
            status: "skipped",
            finishedAt: Option.some(at("2026-03-02T15:00:00Z")),
            error: Option.some("missed by 86400 s")
          })
          yield* store.claim(skipped)
          assertSameModel(JobRun, Option.getOrThrow(yield* store.findRun(skipped.id)), skipped)
          assert.deepStrictEqual(
            (yield* store.running).filter((r) => r.jobId === job.id).map((r) => r.id),
            [first.id]
          )

          const ended = Option.getOrThrow(yield* store.finish(first.id, finished("succeeded", "2026-03-02T15:00:07Z")))
          assert.strictEqual(ended.status, "succeeded")
          assert.deepStrictEqual(ended.summary, Option.some("3 reminders"))
          assertSameModel(JobRun, Option.getOrThrow(yield* store.findRun(first.id)), ended)
          // Finishing twice changes nothing: the second finish finds it not running.
          assert.isTrue(Option.isNone(yield* store.finish(first.id, finished("failed", "2026-03-02T15:00:09Z"))))
          assert.strictEqual(Option.getOrThrow(yield* store.findRun(first.id)).status, "succeeded")
          assert.isTrue(
            Option.isNone(yield* store.finish(JobRunId.make("no-such-run"), finished("failed", "2026-03-02T15:00:09Z")))
          )
          // Free again: the next occurrence may run, and other jobs never were blocked.
          yield* store.claim(next)
          const other = makeJob()
          yield* store.insert(other)
          yield* store.claim(makeJobRun(other.id, { scheduledAt: next.scheduledAt }))
        })
      )

      it.effect("lists a job's runs newest first, a page at a time, and gives the latest", () =>
        Effect.gen(function* () {
          const store = yield* JobStore
          const job = makeJob()
          yield* store.insert(job)
          assert.isTrue(Option.isNone(yield* store.lastRun(job.id)))
          const times = ["2026-03-02T15:00:00Z", "2026-03-04T15:00:00Z", "2026-03-03T15:00:00Z", "2026-03-05T15:00:00Z"]
          const runs: Array<JobRun> = []
          for (const time of times) {
            const run = makeJobRun(job.id, { scheduledAt: at(time), startedAt: at(time) })
            yield* store.claim(run)
            yield* store.finish(run.id, finished(runs.length % 2 === 0 ? "succeeded" : "failed", time))
            runs.push(run)
          }
          const expected = [runs[3]!, runs[1]!, runs[2]!, runs[0]!].map((r) => r.id)
          const all = yield* store.listRuns({ jobId: job.id, after: Option.none(), limit: 10 })
          assert.deepStrictEqual(
            all.map((r) => r.id),
            expected
          )
          assert.deepStrictEqual(
            all.map((r) => r.status),
            ["failed", "failed", "succeeded", "succeeded"]
          )
          const page1 = yield* store.listRuns({ jobId: job.id, after: Option.none(), limit: 2 })
          const page2 = yield* store.listRuns({ jobId: job.id, after: Option.some(runSortKey(page1[1]!)), limit: 2 })
          assert.deepStrictEqual(
            [...page1, ...page2].map((r) => r.id),
            expected
          )
          assert.deepStrictEqual(
            yield* store.listRuns({ jobId: job.id, after: Option.some(runSortKey(page2[1]!)), limit: 2 }),
            []
          )
          assert.strictEqual(Option.getOrThrow(yield* store.lastRun(job.id)).id, runs[3]!.id)
          assert.deepStrictEqual(yield* store.listRuns({ jobId: makeJob().id, after: Option.none(), limit: 5 }), [])
        })
      )

      it.effect("marks runs abandoned past their job's timeout plus the margin", () =>
        Effect.gen(function* () {
          const store = yield* JobStore
          const quick = makeJob({ timeoutSeconds: 60 })
          const slow = makeJob({ timeoutSeconds: 3600 })
          yield* store.insert(quick)
          yield* store.insert(slow)
          const quickRun = makeJobRun(quick.id, { startedAt: at("2026-03-02T15:00:00Z") })
          const slowRun = makeJobRun(slow.id, { startedAt: at("2026-03-02T15:00:00Z") })
          yield* store.claim(quickRun)
          yield* store.claim(slowRun)
          // 60 s timeout + 30 s margin: still alive at 15:01:30, abandoned after.
          const limits = { marginSeconds: 30, leaseSeconds: 3_600 }
          const early = yield* store.abandonStale(at("2026-03-02T15:01:30Z"), limits)
          assert.isFalse(early.some((r) => r.id === quickRun.id || r.id === slowRun.id))
          const marked = yield* store.abandonStale(at("2026-03-02T15:01:31Z"), limits)
          const mine = marked.filter((r) => r.id === quickRun.id || r.id === slowRun.id)
          assert.deepStrictEqual(
            mine.map((r) => r.id),
            [quickRun.id]
          )
          const stored = Option.getOrThrow(yield* store.findRun(quickRun.id))
          assert.strictEqual(stored.status, "abandoned")
          assert.isTrue(Option.exists(stored.finishedAt, (t) => DateTime.Equivalence(t, at("2026-03-02T15:01:31Z"))))
          assert.isTrue(Option.isSome(stored.error))
          // The abandoned run no longer holds the job, and finishing it later is refused.
          yield* store.claim(makeJobRun(quick.id, { scheduledAt: at("2026-03-02T15:05:00Z") }))
          assert.isTrue(Option.isNone(yield* store.finish(quickRun.id, finished("succeeded", "2026-03-02T15:02:00Z"))))
          assert.strictEqual(Option.getOrThrow(yield* store.findRun(slowRun.id)).status, "running")
        })
      )

      it.effect("marks runs abandoned whose heartbeat is older than the lease, long before their timeout", () =>
        Effect.gen(function* () {
          const store = yield* JobStore
          const job = makeJob({ timeoutSeconds: 3600 })
          const other = makeJob({ timeoutSeconds: 3600 })
          yield* store.insert(job)
          yield* store.insert(other)
          const silent = makeJobRun(job.id, { instanceId: "killed" })
          const beating = makeJobRun(other.id, { instanceId: "alive" })
          yield* store.claim(silent)
          yield* store.claim(beating)
          assert.isTrue(yield* store.heartbeat(beating.id, at("2026-03-02T15:00:20Z")))
          const refreshed = Option.getOrThrow(yield* store.findRun(beating.id))
          assert.isTrue(
            Option.exists(refreshed.heartbeatAt, (t) => DateTime.Equivalence(t, at("2026-03-02T15:00:20Z")))
          )
          const limits = { marginSeconds: 60, leaseSeconds: 20 }
          // Both heartbeats are within 20 s at 15:00:20; the silent one is not at 15:00:21.
          const early = yield* store.abandonStale(at("2026-03-02T15:00:20Z"), limits)
          assert.isFalse(early.some((r) => r.id === silent.id || r.id === beating.id))
          const marked = yield* store.abandonStale(at("2026-03-02T15:00:21Z"), limits)
          assert.deepStrictEqual(
            marked.filter((r) => r.id === silent.id || r.id === beating.id).map((r) => r.id),
            [silent.id]
          )
          assert.strictEqual(Option.getOrThrow(yield* store.findRun(beating.id)).status, "running")
          // The job is free again; a heartbeat of the abandoned run is refused.
          yield* store.claim(makeJobRun(job.id, { scheduledAt: at("2026-03-02T15:01:00Z") }))
          assert.isFalse(yield* store.heartbeat(silent.id, at("2026-03-02T15:00:22Z")))
        })
      )

      it.effect("prunes finished runs older than a time, never running ones", () =>
        Effect.gen(function* () {
          const store = yield* JobStore
          const job = makeJob()
          yield* store.insert(job)
          const old = makeJobRun(job.id, { scheduledAt: at("2026-01-01T15:00:00Z") })
          const recent = makeJobRun(job.id, { scheduledAt: at("2026-03-01T15:00:00Z") })
          const stillRunning = makeJobRun(job.id, {
            scheduledAt: at("2026-01-02T15:00:00Z"),
            startedAt: at("2026-01-02T15:00:00Z")
          })
          yield* store.claim(old)
          yield* store.finish(old.id, finished("succeeded", "2026-01-01T15:00:05Z"))
          yield* store.claim(recent)
          yield* store.finish(recent.id, finished("failed", "2026-03-01T15:00:05Z"))
          yield* store.claim(stillRunning)
          const removed = yield* store.pruneRuns(at("2026-02-01T00:00:00Z"))
          assert.isAtLeast(removed, 1)
          assert.isTrue(Option.isNone(yield* store.findRun(old.id)))
          assert.isTrue(Option.isSome(yield* store.findRun(recent.id)))
          assert.isTrue(Option.isSome(yield* store.findRun(stillRunning.id)))
        })
      )

      it.effect("rolls a claim back with its transaction", () =>
        Effect.gen(function* () {
          const store = yield* JobStore
          const tx = yield* Transaction
          const job = makeJob()
          yield* store.insert(job)
          const run = makeJobRun(job.id)
          const failed = yield* tx
            .run(
              Effect.gen(function* () {
                yield* store.claim(run)
                yield* store.advance(job.id, { version: 1, nextRunAt: job.nextRunAt }, Option.none())
                return yield* Effect.fail("rolled back" as const)
              })
            )
            .pipe(Effect.flip)
          assert.strictEqual(failed, "rolled back")
          assert.isTrue(Option.isNone(yield* store.findRun(run.id)))
          assert.deepStrictEqual(Option.getOrThrow(yield* store.findById(job.id)).nextRunAt, job.nextRunAt)
          yield* store.claim(run)
        })
      )
    })
  })

/** The Outbox contract: insert in the caller's transaction, claim with a hold, record attempts, list. */
export const outboxSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("Outbox", () => {
    withStorage(layer)((it) => {
      it.effect("keeps notifications written in a committed transaction only", () =>
        Effect.gen(function* () {
          const outbox = yield* Outbox
          const tx = yield* Transaction
          const kept = makeNotification()
          const lost = makeNotification()
          yield* tx.run(outbox.insert([kept]))
          yield* tx.run(Effect.zipRight(outbox.insert([lost]), Effect.fail("no"))).pipe(Effect.ignore)
          assertSameModel(Notification, Option.getOrThrow(yield* outbox.findById(kept.id)), kept)
          assert.isTrue(Option.isNone(yield* outbox.findById(lost.id)))
          assert.strictEqual((yield* outbox.insert([kept]).pipe(Effect.flip))._tag, "DuplicateKey")
        })
      )

      it.effect("hands each pending notification to one dispatcher at a time, oldest first", () =>
        Effect.gen(function* () {
          const outbox = yield* Outbox
          // Far in the future, so rows other tests leave pending are older and claimed first.
          const base = "2099-01-01T00:00"
          const a = makeNotification({ createdAt: at(`${base}:01Z`) })
          const b = makeNotification({ createdAt: at(`${base}:02Z`) })
          const sent = makeNotification({ createdAt: at(`${base}:00Z`), status: "sent", attempts: 1 })
          yield* outbox.insert([b, a, sent])
          const now = at(`${base}:10Z`)
          const until = at(`${base}:20Z`)
          const mine = (list: ReadonlyArray<Notification>) => list.filter((n) => n.id === a.id || n.id === b.id)
          const first = mine(yield* outbox.claim(now, until, 10_000))
          assert.deepStrictEqual(
            first.map((n) => n.id),
            [a.id, b.id]
          )
          assert.isTrue(first.every((n) => Option.exists(n.lockedUntil, (t) => DateTime.Equivalence(t, until))))
          // Held: a second dispatcher gets neither until the hold passes.
          assert.deepStrictEqual(mine(yield* outbox.claim(at(`${base}:15Z`), at(`${base}:25Z`), 10_000)), [])
          const after = mine(yield* outbox.claim(at(`${base}:21Z`), at(`${base}:31Z`), 10_000))
          assert.deepStrictEqual(
            after.map((n) => n.id),
            [a.id, b.id]
          )
        })
      )

      it.effect("records sent, retried and failed attempts", () =>
        Effect.gen(function* () {
          const outbox = yield* Outbox
          const n = makeNotification({ lockedUntil: Option.some(at("2026-03-02T06:05:00Z")) })
          yield* outbox.insert([n])
          const sent = yield* outbox.record(n.id, { _tag: "Sent", at: at("2026-03-02T06:01:00Z"), channel: "log" })
          assert.strictEqual(sent.status, "sent")
          assert.strictEqual(sent.attempts, 1)
          assert.deepStrictEqual(sent.channel, Option.some("log"))
          assert.isTrue(Option.isNone(sent.lockedUntil))
          assertSameModel(Notification, Option.getOrThrow(yield* outbox.findById(n.id)), sent)

          const m = makeNotification()
          yield* outbox.insert([m])
          const retry = at("2026-03-02T06:10:00Z")
          const again = yield* outbox.record(m.id, {
            _tag: "Failed",
            at: at("2026-03-02T06:01:00Z"),
            error: "timeout",
            retryAt: Option.some(retry)
          })
          assert.strictEqual(again.status, "pending")
          assert.deepStrictEqual(again.lockedUntil, Option.some(retry))
          assert.deepStrictEqual(again.lastError, Option.some("timeout"))
          const gaveUp = yield* outbox.record(m.id, {
            _tag: "Failed",
            at: at("2026-03-02T06:11:00Z"),
            error: "chat not found",
            retryAt: Option.none()
          })
          assert.strictEqual(gaveUp.status, "failed")
          assert.strictEqual(gaveUp.attempts, 2)
          const missing = yield* outbox
            .record(NotificationId.make("no-such"), { _tag: "Sent", at: retry, channel: "log" })
            .pipe(Effect.flip)
          assert.strictEqual(missing._tag, "NotFound")
        })
      )

      it.effect("prunes delivered and failed notifications older than a time, never pending ones", () =>
        Effect.gen(function* () {
          const outbox = yield* Outbox
          // Far in the past, so other tests' notifications are never older than the cut.
          const sent = makeNotification({ status: "sent", createdAt: at("1990-01-01T00:00:00Z") })
          const failed = makeNotification({ status: "failed", createdAt: at("1990-01-02T00:00:00Z") })
          const pending = makeNotification({ createdAt: at("1990-01-01T00:00:00Z") })
          const recent = makeNotification({ status: "sent", createdAt: at("1990-03-01T00:00:00Z") })
          yield* outbox.insert([sent, failed, pending, recent])
          assert.strictEqual(yield* outbox.prune(at("1990-02-01T00:00:00Z")), 2)
          assert.isTrue(Option.isNone(yield* outbox.findById(sent.id)))
          assert.isTrue(Option.isNone(yield* outbox.findById(failed.id)))
          assert.isTrue(Option.isSome(yield* outbox.findById(pending.id)))
          assert.isTrue(Option.isSome(yield* outbox.findById(recent.id)))
        })
      )

      it.effect("lists by recipient, kind and status, newest first", () =>
        Effect.gen(function* () {
          const outbox = yield* Outbox
          const recipientId = UserId.make(uniqueId("user"))
          const older = makeNotification({ recipientId, createdAt: at("2026-03-02T06:00:00Z") })
          const newer = makeNotification({ recipientId, kind: "daily_report", createdAt: at("2026-03-02T15:00:00Z") })
          const done = makeNotification({ recipientId, status: "sent", createdAt: at("2026-03-02T16:00:00Z") })
          yield* outbox.insert([older, newer, done, makeNotification()])
          const ids = (list: ReadonlyArray<Notification>) => list.map((n) => n.id)
          assert.deepStrictEqual(ids(yield* outbox.list({ recipientId, limit: 10 })), [done.id, newer.id, older.id])
          assert.deepStrictEqual(ids(yield* outbox.list({ recipientId, kind: "daily_report", limit: 10 })), [newer.id])
          assert.deepStrictEqual(ids(yield* outbox.list({ recipientId, status: "pending", limit: 10 })), [
            newer.id,
            older.id
          ])
          assert.deepStrictEqual(ids(yield* outbox.list({ recipientId, limit: 1 })), [done.id])
        })
      )
    })
  })
