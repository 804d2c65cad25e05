import { assert, describe, it } from "@effect/vitest"
import { Context, DateTime, Duration, Effect, Fiber, Layer, Option, Ref, Schema, TestClock } from "effect"
import { as, asSystem } from "../src/Actor.js"
import { Subject } from "../src/AuditEvent.js"
import { AuditLog } from "../src/AuditLog.js"
import { EventBus } from "../src/EventBus.js"
import { IdGenerator } from "../src/IdGenerator.js"
import { JobId, UserId } from "../src/Ids.js"
import type { DefineJob, JobRun } from "../src/Job.js"
import * as JobHandlers from "../src/JobHandlers.js"
import * as JobSchedule from "../src/JobSchedule.js"
import { JobStore } from "../src/JobStore.js"
import * as MemoryStorage from "../src/memory/MemoryStorage.js"
import { Policy } from "../src/Policy.js"
import { Scheduler, SchedulerConfig, type SchedulerOptions } from "../src/Scheduler.js"
import { makeJobRun, supervised, uniqueId } from "../testing/index.js"

/** What the test handler saw: one entry per run, its end filled in when it ends. */
interface Call {
  readonly label: string
  readonly scheduledAt: string
  readonly startedAt: number
  endedAt?: number
}

class Calls extends Context.Tag("test/Calls")<Calls, Ref.Ref<ReadonlyArray<Call>>>() {}

class Boom extends Schema.TaggedError<Boom>()("Boom", { message: Schema.String }) {}

const RecordParameters = Schema.Struct({
  label: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(20)), { default: () => "tick" }),
  fail: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  sleepSeconds: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 0 })
})

const iso = (at: DateTime.Utc) => DateTime.formatIso(at).replace(".000Z", "Z")

const recordHandler = Effect.map(Calls, (calls) =>
  JobHandlers.make({
    name: "record",
    description: "records that it ran",
    parameters: RecordParameters,
    run: (p, context) =>
      Effect.gen(function* () {
        const call: Call = {
          label: p.label,
          scheduledAt: iso(context.scheduledAt),
          startedAt: DateTime.toEpochMillis(yield* DateTime.now)
        }
        yield* Ref.update(calls, (all) => [...all, call])
        if (p.sleepSeconds > 0) yield* Effect.sleep(Duration.seconds(p.sleepSeconds))
        call.endedAt = DateTime.toEpochMillis(yield* DateTime.now)
        if (p.fail) return yield* new Boom({ message: "the printer is on fire" })
        return `${p.label} for ${call.scheduledAt}`
      })
  })
)

/** Storage and everything below the scheduler; shared when a test restarts the scheduler. */
const foundation = Layer.mergeAll(
  MemoryStorage.layer,
  Policy.layerDefault,
  IdGenerator.layerTest,
  EventBus.layerLocal,
  Layer.effect(Calls, Ref.make<ReadonlyArray<Call>>([]))
)

const schedulerLayer = (options: Partial<SchedulerOptions> = {}) =>
  Scheduler.Default.pipe(
    Layer.provide(SchedulerConfig.layer({ pollInterval: Duration.hours(1), ...options })),
    Layer.provideMerge(AuditLog.Default),
    Layer.provideMerge(JobHandlers.JobHandlers.layer([recordHandler]))
  )

const testLayer = (options: Partial<SchedulerOptions> = {}) =>
  schedulerLayer(options).pipe(Layer.provideMerge(foundation))

const setTime = (text: string) => TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake(text)))

const define = (overrides: Partial<DefineJob> & Pick<DefineJob, "schedule">) =>
  Effect.flatMap(Scheduler, (s) =>
    s.define({ id: JobId.make(uniqueId("job").toLowerCase()), handler: "record", ...overrides }).pipe(asSystem)
  )

const runsOf = (id: JobId) =>
  Effect.flatMap(Scheduler, (s) => s.runs(id, { limit: 200 }).pipe(asSystem)).pipe(
    Effect.map((page) => [...page.items].reverse() as ReadonlyArray<JobRun>)
  )

const calls = Effect.flatMap(Calls, Ref.get)

const start = Effect.flatMap(Scheduler, (s) => s.start().pipe(asSystem))

const summary = (runs: ReadonlyArray<JobRun>) =>
  runs.map((r) => `${iso(r.scheduledAt)} ${r.status}${r.coalesced > 0 ? ` +${r.coalesced}` : ""}`)

describe("Scheduler", () => {
  it.effect("fires a cron job at each occurrence in its zone as the clock moves", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T05:00:00Z") // 08:00 in Moscow
      const job = yield* define({ schedule: JobSchedule.cron("0 9 * * *", "Europe/Moscow") })
      assert.deepStrictEqual(job.nextRunAt.pipe(Option.map(iso)), Option.some("2026-03-02T06:00:00Z"))
      yield* start
      yield* TestClock.adjust("59 minutes")
      assert.deepStrictEqual(yield* calls, [])
      yield* TestClock.adjust("1 minute")
      yield* TestClock.adjust("1 day")
      assert.deepStrictEqual(
        (yield* calls).map((c) => c.scheduledAt),
        ["2026-03-02T06:00:00Z", "2026-03-03T06:00:00Z"]
      )
      const runs = yield* runsOf(job.id)
      assert.deepStrictEqual(summary(runs), ["2026-03-02T06:00:00Z succeeded", "2026-03-03T06:00:00Z succeeded"])
      assert.deepStrictEqual(runs[0]!.summary, Option.some("tick for 2026-03-02T06:00:00Z"))
      assert.strictEqual(runs[0]!.trigger, "schedule")
      const view = yield* Effect.flatMap(Scheduler, (s) => s.get(job.id).pipe(asSystem))
      assert.deepStrictEqual(view.job.nextRunAt.pipe(Option.map(iso)), Option.some("2026-03-04T06:00:00Z"))
      assert.strictEqual(Option.getOrThrow(view.lastRun).id, runs[1]!.id)
      assert.isTrue(Option.isNone(view.running))
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("fires an interval job every interval", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T09:03:00Z")
      const job = yield* define({ schedule: JobSchedule.every(600) })
      yield* start
      yield* TestClock.adjust("1 hour")
      assert.deepStrictEqual(
        (yield* calls).map((c) => c.scheduledAt.slice(11, 16)),
        ["09:10", "09:20", "09:30", "09:40", "09:50", "10:00"]
      )
      assert.strictEqual((yield* runsOf(job.id)).length, 6)
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("runs an hourly Berlin job in both copies of the repeated autumn hour, a 02:30 job once", () =>
    Effect.gen(function* () {
      yield* setTime("2026-10-24T22:30:00Z")
      const hourly = yield* define({
        schedule: JobSchedule.cron("0 * * * *", "Europe/Berlin"),
        parameters: { label: "hourly" }
      })
      const fixed = yield* define({
        schedule: JobSchedule.cron("30 2 * * *", "Europe/Berlin"),
        parameters: { label: "fixed" }
      })
      yield* start
      yield* TestClock.adjust("5 hours")
      const seen = yield* calls
      assert.deepStrictEqual(
        seen.filter((c) => c.label === "hourly").map((c) => c.scheduledAt),
        [
          "2026-10-24T23:00:00Z",
          "2026-10-25T00:00:00Z",
          "2026-10-25T01:00:00Z",
          "2026-10-25T02:00:00Z",
          "2026-10-25T03:00:00Z"
        ]
      )
      assert.deepStrictEqual(
        seen.filter((c) => c.label === "fixed").map((c) => c.scheduledAt),
        ["2026-10-25T00:30:00Z"]
      )
      assert.strictEqual((yield* runsOf(hourly.id)).length, 5)
      assert.strictEqual((yield* runsOf(fixed.id)).length, 1)
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("runs a New York 02:30 job at 03:30 on the spring-forward day", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-08T05:00:00Z")
      yield* define({ schedule: JobSchedule.cron("30 2 * * *", "America/New_York") })
      yield* start
      yield* TestClock.adjust("1 day")
      assert.deepStrictEqual(
        (yield* calls).map((c) => c.scheduledAt),
        ["2026-03-08T07:30:00Z"]
      )
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  describe("missed runs", () => {
    // Defined at 09:00:30 for every minute, the scheduler not running until `minutes` later.
    const missed = (minutes: number, settings: { readonly coalesce: boolean; readonly misfireGraceSeconds: number }) =>
      Effect.gen(function* () {
        yield* setTime("2026-03-02T09:00:30Z")
        const job = yield* define({ schedule: JobSchedule.cron("* * * * *", "UTC"), ...settings })
        yield* TestClock.adjust(Duration.minutes(minutes))
        yield* Effect.flatMap(Scheduler, (s) => s.tick().pipe(asSystem))
        return { job, runs: yield* runsOf(job.id), calls: yield* calls }
      })

    it.effect("inside the grace time, coalescing: runs once for all of them", () =>
      Effect.gen(function* () {
        const { runs, calls } = yield* missed(5, { coalesce: true, misfireGraceSeconds: 600 })
        assert.deepStrictEqual(summary(runs), ["2026-03-02T09:05:00Z succeeded +4"])
        assert.strictEqual(calls.length, 1)
      }).pipe(Effect.provide(testLayer()), supervised)
    )

    it.effect("inside the grace time, not coalescing: runs once per missed time, in order", () =>
      Effect.gen(function* () {
        const { job, runs, calls } = yield* missed(5, { coalesce: false, misfireGraceSeconds: 600 })
        assert.deepStrictEqual(
          calls.map((c) => c.scheduledAt.slice(11, 16)),
          ["09:01", "09:02", "09:03", "09:04", "09:05"]
        )
        assert.isTrue(runs.every((r) => r.status === "succeeded"))
        const stored = Option.getOrThrow(yield* Effect.flatMap(JobStore, (s) => s.findById(job.id)))
        assert.deepStrictEqual(stored.nextRunAt.pipe(Option.map(iso)), Option.some("2026-03-02T09:06:00Z"))
      }).pipe(Effect.provide(testLayer()), supervised)
    )

    it.effect("beyond the grace time: skipped and recorded; within it still run", () =>
      Effect.gen(function* () {
        const { runs, calls } = yield* missed(10, { coalesce: false, misfireGraceSeconds: 120 })
        // At 09:10:30, 09:01…09:08 are more than 120 s late, 09:09 (90 s) and 09:10 are not.
        assert.deepStrictEqual(summary(runs), [
          ...[1, 2, 3, 4, 5, 6, 7, 8].map((m) => `2026-03-02T09:0${m}:00Z skipped`),
          "2026-03-02T09:09:00Z succeeded",
          "2026-03-02T09:10:00Z succeeded"
        ])
        assert.strictEqual(calls.length, 2)
        assert.include(Option.getOrThrow(runs[0]!.error), "more than the grace time of 120 s")
      }).pipe(Effect.provide(testLayer()), supervised)
    )

    it.effect("beyond the grace time, coalescing: one skipped record for all of them", () =>
      Effect.gen(function* () {
        const { runs, calls } = yield* missed(10, { coalesce: true, misfireGraceSeconds: 20 })
        assert.deepStrictEqual(summary(runs), ["2026-03-02T09:10:00Z skipped +9"])
        assert.strictEqual(calls.length, 0)
      }).pipe(Effect.provide(testLayer()), supervised)
    )
  })

  it.effect("after a restart resumes from the store: a run missed within grace runs once, the schedule goes on", () =>
    Effect.gen(function* () {
      const storage = yield* Layer.build(foundation)
      const instance = (id: string) =>
        Layer.build(schedulerLayer({ instanceId: Option.some(id) }).pipe(Layer.provide(Layer.succeedContext(storage))))
      yield* setTime("2026-03-02T08:50:00Z")
      const job = yield* Effect.scoped(
        Effect.gen(function* () {
          const first = yield* instance("first")
          return yield* Effect.gen(function* () {
            const job = yield* define({ schedule: JobSchedule.cron("0 * * * *", "UTC") })
            yield* start
            yield* TestClock.adjust("10 minutes") // the 09:00 run
            return job
          }).pipe(Effect.provide(first))
        })
      )
      // Down from 09:00 to 10:05: the 10:00 run is 5 minutes late, within the default 600 s.
      yield* TestClock.adjust("65 minutes")
      yield* Effect.scoped(
        Effect.gen(function* () {
          const second = yield* instance("second")
          yield* Effect.gen(function* () {
            yield* start
            yield* TestClock.adjust("1 hour")
          }).pipe(Effect.provide(second))
        })
      )
      const runs = yield* runsOf(job.id).pipe(Effect.provide(yield* instance("reader")))
      assert.deepStrictEqual(summary(runs), [
        "2026-03-02T09:00:00Z succeeded",
        "2026-03-02T10:00:00Z succeeded",
        "2026-03-02T11:00:00Z succeeded"
      ])
      assert.deepStrictEqual(
        runs.map((r) => r.instanceId),
        ["first", "second", "second"]
      )
      assert.deepStrictEqual(
        runs.map((r) => DateTime.formatIso(r.startedAt).slice(11, 16)),
        ["09:00", "10:05", "11:00"]
      )
    }).pipe(Effect.scoped, supervised)
  )

  it.effect("records a failure with its error and keeps running the job", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.every(60), parameters: { fail: true } })
      yield* start
      yield* TestClock.adjust("1 minute")
      yield* Effect.flatMap(Scheduler, (s) => s.update(job.id, { parameters: { fail: false } }).pipe(asSystem))
      yield* TestClock.adjust("1 minute")
      const runs = yield* runsOf(job.id)
      assert.deepStrictEqual(summary(runs), ["2026-03-02T09:01:00Z failed", "2026-03-02T09:02:00Z succeeded"])
      assert.deepStrictEqual(runs[0]!.error, Option.some("Boom: the printer is on fire"))
      assert.isTrue(Option.isNone(runs[0]!.summary))
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("interrupts a run past its timeout, records it as timed out, and runs the next one", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({
        schedule: JobSchedule.cron("*/5 * * * *", "UTC"),
        parameters: { sleepSeconds: 200 },
        timeoutSeconds: 30
      })
      yield* start
      yield* TestClock.adjust("11 minutes")
      const runs = yield* runsOf(job.id)
      assert.deepStrictEqual(summary(runs), ["2026-03-02T09:05:00Z timed_out", "2026-03-02T09:10:00Z timed_out"])
      assert.deepStrictEqual(runs[0]!.error, Option.some("did not finish within 30 s"))
      assert.deepStrictEqual(runs[0]!.finishedAt.pipe(Option.map(iso)), Option.some("2026-03-02T09:05:30Z"))
      // Interrupted: the handler never reached its end.
      assert.isTrue((yield* calls).every((c) => c.endedAt === undefined))
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("never runs a job twice at once: a long run delays the next, which then obeys the grace time", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({
        schedule: JobSchedule.cron("* * * * *", "UTC"),
        parameters: { sleepSeconds: 150 },
        coalesce: false,
        misfireGraceSeconds: 90
      })
      yield* start
      yield* TestClock.adjust("90 seconds")
      const busy = yield* Effect.flatMap(Scheduler, (s) => s.runNow(job.id).pipe(asSystem, Effect.flip))
      assert.strictEqual(busy._tag, "JobBusy")
      yield* TestClock.adjust("510 seconds")
      const seen = yield* calls
      for (const [i, call] of seen.entries()) {
        const previous = seen[i - 1]
        if (previous !== undefined) assert.isAtLeast(call.startedAt, previous.endedAt ?? Number.POSITIVE_INFINITY)
      }
      const runs = yield* runsOf(job.id)
      // 09:01 runs until 09:03:30; then 09:02 (90 s late) runs until 09:06, when 09:03 and 09:04
      // are more than 90 s late; 09:05 runs until 09:08:30, 09:06 is skipped, 09:07 is running.
      assert.deepStrictEqual(summary(runs), [
        "2026-03-02T09:01:00Z succeeded",
        "2026-03-02T09:02:00Z succeeded",
        "2026-03-02T09:03:00Z skipped",
        "2026-03-02T09:04:00Z skipped",
        "2026-03-02T09:05:00Z succeeded",
        "2026-03-02T09:06:00Z skipped",
        "2026-03-02T09:07:00Z running"
      ])
      assert.deepStrictEqual(
        runs.filter((r) => r.status !== "skipped").map((r) => DateTime.formatIso(r.startedAt).slice(11, 19)),
        ["09:01:00", "09:03:30", "09:06:00", "09:08:30"]
      )
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("applies changes at run time: schedule, zone, enabled, parameters, grace, coalesce", () =>
    Effect.gen(function* () {
      const scheduler = yield* Scheduler
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.cron("0 18 * * 1-5", "Europe/Moscow") })
      yield* start
      const everyFive = yield* scheduler
        .update(job.id, {
          expression: "*/5 * * * *",
          parameters: { label: "edited" },
          misfireGraceSeconds: 30,
          coalesce: false
        })
        .pipe(asSystem)
      assert.deepStrictEqual(everyFive.schedule, JobSchedule.cron("*/5 * * * *", "Europe/Moscow"))
      assert.deepStrictEqual(everyFive.nextRunAt.pipe(Option.map(iso)), Option.some("2026-03-02T09:05:00Z"))
      assert.deepStrictEqual(everyFive.parameters, { label: "edited", fail: false, sleepSeconds: 0 })
      assert.strictEqual(everyFive.version, 2)
      yield* TestClock.adjust("5 minutes")
      assert.deepStrictEqual(
        (yield* calls).map((c) => `${c.label} ${c.scheduledAt}`),
        ["edited 2026-03-02T09:05:00Z"]
      )

      const disabled = yield* scheduler.update(job.id, { enabled: false }).pipe(asSystem)
      assert.isTrue(Option.isNone(disabled.nextRunAt))
      yield* TestClock.adjust("20 minutes")
      assert.strictEqual((yield* calls).length, 1)
      // Re-enabled at 09:25: counts from now, what was missed while disabled is not caught up.
      const enabled = yield* scheduler.update(job.id, { enabled: true }).pipe(asSystem)
      assert.deepStrictEqual(enabled.nextRunAt.pipe(Option.map(iso)), Option.some("2026-03-02T09:30:00Z"))

      const moved = yield* scheduler
        .update(job.id, { expression: "0 13 * * *", timeZone: "Asia/Shanghai" })
        .pipe(asSystem)
      assert.deepStrictEqual(moved.nextRunAt.pipe(Option.map(iso)), Option.some("2026-03-03T05:00:00Z"))

      // Refused changes leave the job as it was.
      const badExpression = yield* scheduler.update(job.id, { expression: "0 13 * * 8" }).pipe(asSystem, Effect.flip)
      assert.isTrue(
        badExpression._tag === "InvalidSchedule" && badExpression.field === "dayOfWeek" && badExpression.position === 9
      )
      const badZone = yield* scheduler.update(job.id, { timeZone: "Asia/Atlantis" }).pipe(asSystem, Effect.flip)
      assert.isTrue(badZone._tag === "InvalidSchedule" && badZone.field === "timeZone")
      const badParameters = yield* scheduler.update(job.id, { parameters: { label: 42 } }).pipe(asSystem, Effect.flip)
      assert.isTrue(
        badParameters._tag === "InvalidInput" && badParameters.issues[0]!.path.join(".") === "parameters.label"
      )
      const unknownParameter = yield* scheduler
        .update(job.id, { parameters: { colour: "red" } })
        .pipe(asSystem, Effect.flip)
      assert.strictEqual(unknownParameter._tag, "InvalidInput")
      const badGrace = yield* scheduler.update(job.id, { misfireGraceSeconds: -1 }).pipe(asSystem, Effect.flip)
      assert.strictEqual(badGrace._tag, "InvalidInput")
      const stale = yield* scheduler.update(job.id, { coalesce: true }, 1).pipe(asSystem, Effect.flip)
      assert.strictEqual(stale._tag, "VersionConflict")
      const current = (yield* scheduler.get(job.id).pipe(asSystem)).job
      assert.strictEqual(current.version, moved.version)
      assert.deepStrictEqual(current.schedule, JobSchedule.cron("0 13 * * *", "Asia/Shanghai"))

      const interval = yield* scheduler.update(job.id, { schedule: JobSchedule.every(60) }).pipe(asSystem)
      assert.deepStrictEqual(interval.nextRunAt.pipe(Option.map(iso)), Option.some("2026-03-02T09:26:00Z"))
      const zoneOnInterval = yield* scheduler.update(job.id, { timeZone: "UTC" }).pipe(asSystem, Effect.flip)
      assert.strictEqual(zoneOnInterval._tag, "InvalidInput")
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* calls).length, 2)

      const history = yield* Effect.flatMap(AuditLog, (a) =>
        a.read({ about: new Subject({ kind: "job", id: job.id }) }).pipe(asSystem)
      )
      assert.deepStrictEqual(
        history.map((e) => e.type),
        ["job.defined", "job.updated", "job.updated", "job.updated", "job.updated", "job.updated"]
      )
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("refuses a bad job when it is defined, never at run time", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T09:00:00Z")
      const bad = yield* define({ schedule: JobSchedule.cron("0 9 * * * *  *", "UTC") }).pipe(Effect.flip)
      assert.isTrue(bad._tag === "InvalidSchedule" && bad.field === "expression" && bad.position === 13)
      const handler = yield* define({ schedule: JobSchedule.every(60), handler: "nobody" }).pipe(Effect.flip)
      assert.isTrue(handler._tag === "InvalidInput" && handler.issues[0]!.path[0] === "handler")
      const badId = yield* define({ id: "Not A Slug" as JobId, schedule: JobSchedule.every(60) }).pipe(Effect.flip)
      assert.strictEqual(badId._tag, "InvalidInput")
      const job = yield* define({ schedule: JobSchedule.every(60), enabled: false })
      assert.isTrue(Option.isNone(job.nextRunAt))
      assert.deepStrictEqual(job.parameters, { label: "tick", fail: false, sleepSeconds: 0 })
      assert.deepStrictEqual([job.misfireGraceSeconds, job.coalesce, job.timeoutSeconds], [600, true, 600])
      const again = yield* define({ id: job.id, schedule: JobSchedule.every(60) }).pipe(Effect.flip)
      assert.strictEqual(again._tag, "DuplicateKey")
      const kept = yield* Effect.flatMap(Scheduler, (s) =>
        s.ensure({ id: job.id, handler: "record", schedule: JobSchedule.every(5) }).pipe(asSystem)
      )
      assert.deepStrictEqual(kept.schedule, JobSchedule.every(60))
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("runs a job now, also a disabled one, and reports status", () =>
    Effect.gen(function* () {
      const scheduler = yield* Scheduler
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.every(3600), enabled: false })
      const other = yield* define({ schedule: JobSchedule.cron("30 9 * * *", "UTC") })
      const run = yield* scheduler.runNow(job.id).pipe(asSystem)
      assert.strictEqual(run.status, "succeeded")
      assert.strictEqual(run.trigger, "manual")
      assert.deepStrictEqual(run.summary, Option.some("tick for 2026-03-02T09:00:00Z"))
      assert.strictEqual((yield* scheduler.getRun(run.id).pipe(asSystem)).id, run.id)

      const before = yield* scheduler.status().pipe(asSystem)
      assert.isFalse(before.running)
      assert.strictEqual(before.instanceId, scheduler.instanceId)
      yield* start
      yield* start
      const after = yield* scheduler.status().pipe(asSystem)
      assert.isTrue(after.running)
      assert.deepStrictEqual(
        after.nextRuns.filter((n) => n.jobId === job.id || n.jobId === other.id).map((n) => n.jobId),
        [other.id]
      )
      const listed = after.jobs.find((v) => v.job.id === job.id)!
      assert.strictEqual(Option.getOrThrow(listed.lastRun).id, run.id)
      assert.strictEqual((yield* scheduler.list().pipe(asSystem)).length, 2)
      yield* scheduler.stop().pipe(asSystem)
      assert.isFalse((yield* scheduler.status().pipe(asSystem)).running)
      const missing = yield* scheduler.runNow(JobId.make("no-such-job")).pipe(asSystem, Effect.flip)
      assert.strictEqual(missing._tag, "NotFound")
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("records a run as abandoned when its instance died, and the next occurrence still happens", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.cron("*/10 * * * *", "UTC"), timeoutSeconds: 60 })
      // Another instance claimed 09:10 and died mid-run.
      const store = yield* JobStore
      const orphan = makeJobRun(job.id, {
        scheduledAt: DateTime.unsafeMake("2026-03-02T09:10:00Z"),
        startedAt: DateTime.unsafeMake("2026-03-02T09:10:00Z"),
        instanceId: "dead"
      })
      yield* store.claim(orphan)
      yield* start
      yield* TestClock.adjust("21 minutes")
      const runs = yield* runsOf(job.id)
      assert.deepStrictEqual(summary(runs), ["2026-03-02T09:10:00Z abandoned", "2026-03-02T09:20:00Z succeeded"])
      assert.strictEqual(runs[0]!.instanceId, "dead")
    }).pipe(Effect.provide(testLayer({ pollInterval: Duration.minutes(1), abandonMarginSeconds: 60 })), supervised)
  )

  it.effect("frees a job whose running run's instance stopped its heartbeat, long before the run's timeout", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T09:00:00Z")
      const scheduler = yield* Scheduler
      const job = yield* define({
        schedule: JobSchedule.cron("0 2 * * *", "UTC"),
        timeoutSeconds: 3600,
        parameters: { sleepSeconds: 120 }
      })
      // An instance claimed a run and was killed: its heartbeat stays where it was.
      const orphan = makeJobRun(job.id, {
        scheduledAt: DateTime.unsafeMake("2026-03-02T09:00:00Z"),
        startedAt: DateTime.unsafeMake("2026-03-02T09:00:00Z"),
        heartbeatAt: Option.some(DateTime.unsafeMake("2026-03-02T09:00:00Z")),
        instanceId: "killed"
      })
      yield* (yield* JobStore).claim(orphan)
      const held = yield* scheduler.runNow(job.id, { wait: false }).pipe(asSystem, Effect.flip)
      assert.strictEqual(held._tag, "JobBusy")
      yield* TestClock.adjust("21 seconds")
      const run = yield* scheduler.runNow(job.id, { wait: false }).pipe(asSystem)
      assert.strictEqual(run.status, "running")
      assert.strictEqual(Option.getOrThrow(yield* (yield* JobStore).findRun(orphan.id)).status, "abandoned")
      // A run whose instance lives keeps beating, so it holds the job past the lease.
      yield* TestClock.adjust("60 seconds")
      const busy = yield* scheduler.runNow(job.id, { wait: false }).pipe(asSystem, Effect.flip)
      assert.strictEqual(busy._tag, "JobBusy")
      yield* TestClock.adjust("60 seconds")
      assert.deepStrictEqual(summary(yield* runsOf(job.id)).slice(-2), [
        "2026-03-02T09:00:00Z abandoned",
        "2026-03-02T09:00:21Z succeeded"
      ])
    }).pipe(Effect.provide(testLayer({ heartbeatInterval: Duration.seconds(5), leaseSeconds: 20 })), supervised)
  )

  it.effect("waits for a run held by another instance, without spinning, then catches up", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.cron("*/5 * * * *", "UTC"), coalesce: false })
      const store = yield* JobStore
      const elsewhere = makeJobRun(job.id, {
        scheduledAt: DateTime.unsafeMake("2026-03-02T08:55:00Z"),
        startedAt: DateTime.unsafeMake("2026-03-02T08:58:00Z"),
        instanceId: "other"
      })
      yield* store.claim(elsewhere)
      yield* start
      yield* TestClock.adjust("6 minutes")
      assert.deepStrictEqual(summary(yield* runsOf(job.id)), ["2026-03-02T08:55:00Z running"])
      yield* store.finish(elsewhere.id, {
        status: "succeeded",
        finishedAt: yield* DateTime.now,
        error: Option.none(),
        summary: Option.none()
      })
      yield* TestClock.adjust("1 minute")
      const runs = yield* runsOf(job.id)
      assert.deepStrictEqual(summary(runs), ["2026-03-02T08:55:00Z succeeded", "2026-03-02T09:05:00Z succeeded"])
      assert.strictEqual(iso(runs[1]!.startedAt), "2026-03-02T09:07:00Z")
    }).pipe(Effect.provide(testLayer({ pollInterval: Duration.minutes(1) })), supervised)
  )

  it.effect("stopping interrupts a run in progress and records it as abandoned", () =>
    Effect.gen(function* () {
      const scheduler = yield* Scheduler
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.every(60), parameters: { sleepSeconds: 30 } })
      yield* start
      yield* TestClock.adjust("70 seconds")
      assert.strictEqual(yield* scheduler.activeRuns, 1)
      yield* scheduler.stop().pipe(asSystem)
      const runs = yield* runsOf(job.id)
      assert.deepStrictEqual(summary(runs), ["2026-03-02T09:01:00Z abandoned"])
      assert.strictEqual(yield* scheduler.activeRuns, 0)
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual((yield* runsOf(job.id)).length, 1)
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("a manual run started without waiting finishes in the background", () =>
    Effect.gen(function* () {
      const scheduler = yield* Scheduler
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.every(3600), parameters: { sleepSeconds: 5 } })
      const fiber = yield* Effect.fork(scheduler.runNow(job.id, { wait: false }).pipe(asSystem))
      const started = yield* Fiber.join(fiber)
      assert.strictEqual(started.status, "running")
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* scheduler.getRun(started.id).pipe(asSystem)).status, "succeeded")
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("is controlled by administrators; supervisors may read; others neither", () =>
    Effect.gen(function* () {
      const scheduler = yield* Scheduler
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.every(60) })
      const supervisor = { id: UserId.make("sup"), role: "supervisor" as const }
      const manager = { id: UserId.make("man"), role: "manager" as const }
      yield* scheduler.list().pipe(as(supervisor))
      yield* scheduler.status().pipe(as(supervisor))
      yield* scheduler.runs(job.id).pipe(as(supervisor))
      const denied = [
        yield* scheduler.update(job.id, { enabled: false }).pipe(as(supervisor), Effect.flip),
        yield* scheduler.runNow(job.id).pipe(as(supervisor), Effect.flip),
        yield* scheduler.start().pipe(as(supervisor), Effect.flip),
        yield* scheduler.list().pipe(as(manager), Effect.flip),
        yield* scheduler.get(job.id).pipe(as(manager), Effect.flip),
        yield* scheduler
          .define({ id: JobId.make("by-manager"), handler: "record", schedule: JobSchedule.every(60) })
          .pipe(as(manager), Effect.flip),
        yield* scheduler.pruneRuns(30).pipe(as(manager), Effect.flip)
      ]
      assert.deepStrictEqual(
        denied.map((e) => e._tag),
        denied.map(() => "Forbidden")
      )
    }).pipe(Effect.provide(testLayer()), supervised)
  )

  it.effect("prunes run history older than a number of days", () =>
    Effect.gen(function* () {
      const scheduler = yield* Scheduler
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.cron("0 9 * * *", "UTC") })
      yield* start
      yield* TestClock.adjust("10 days")
      assert.strictEqual((yield* runsOf(job.id)).length, 10)
      // Runs of 03-03 … 03-12 at 09:00; three days before 03-12 09:00 keeps 03-09 onwards.
      assert.strictEqual(yield* scheduler.pruneRuns(3).pipe(asSystem), 6)
      assert.deepStrictEqual(
        (yield* runsOf(job.id)).map((r) => iso(r.scheduledAt).slice(0, 10)),
        ["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"]
      )
      assert.strictEqual((yield* scheduler.pruneRuns(-1).pipe(asSystem, Effect.flip))._tag, "InvalidInput")
    }).pipe(Effect.provide(testLayer({ pollInterval: Duration.days(1) })), supervised)
  )

  it.effect("pages through a job's runs", () =>
    Effect.gen(function* () {
      const scheduler = yield* Scheduler
      yield* setTime("2026-03-02T09:00:00Z")
      const job = yield* define({ schedule: JobSchedule.every(60) })
      yield* start
      yield* TestClock.adjust("5 minutes")
      const first = yield* scheduler.runs(job.id, { limit: 3 }).pipe(asSystem)
      const second = yield* scheduler
        .runs(job.id, { limit: 3, cursor: Option.getOrThrow(first.nextCursor) })
        .pipe(asSystem)
      assert.deepStrictEqual(
        [...first.items, ...second.items].map((r) => iso(r.scheduledAt).slice(11, 16)),
        ["09:05", "09:04", "09:03", "09:02", "09:01"]
      )
      assert.isTrue(Option.isNone(second.nextCursor))
      const bad = yield* scheduler.runs(job.id, { cursor: "nonsense" }).pipe(asSystem, Effect.flip)
      assert.strictEqual(bad._tag, "InvalidInput")
      const none = yield* scheduler.runs(JobId.make("no-such-job")).pipe(asSystem, Effect.flip)
      assert.strictEqual(none._tag, "NotFound")
    }).pipe(Effect.provide(testLayer()), supervised)
  )
})
