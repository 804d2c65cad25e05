import {
  Cause,
  Context,
  DateTime,
  Duration,
  Effect,
  Either,
  Exit,
  FiberMap,
  Layer,
  Option,
  Queue,
  Ref,
  Schema
} from "effect"
import { asSystem, CurrentActor } from "./Actor.js"
import { Subject } from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import { unlessExpected } from "./Conflicts.js"
import { FieldIssue, InvalidInput, orNotFound } from "./Errors.js"
import { IdGenerator } from "./IdGenerator.js"
import { JobId, JobRunId } from "./Ids.js"
import {
  clip,
  DefineJob,
  defaultMisfireGraceSeconds,
  defaultTimeoutSeconds,
  Job,
  JobRun,
  type RunOutcome,
  type RunTrigger,
  UpdateJob
} from "./Job.js"
import { type JobContext, type JobHandler, JobHandlers } from "./JobHandlers.js"
import * as JobSchedule from "./JobSchedule.js"
import { type JobBusy, JobStore, type OccurrenceClaimed, runSortKey } from "./JobStore.js"
import { traced } from "./Operation.js"
import { decodeCursor, defaultLimit, encodeCursor, type Page, toPage } from "./Page.js"
import { ensure, Policy } from "./Policy.js"
import { invalidField, validate } from "./Validation.js"

/** How a scheduler instance behaves; every field has a default. */
export interface SchedulerOptions {
  /** How often the store is read for changes made elsewhere (other instances, another process). */
  readonly pollInterval: Duration.DurationInput
  /** Seconds past a run's timeout after which a run still `running` is presumed abandoned. */
  readonly abandonMarginSeconds: number
  /** How often an instance refreshes the heartbeat of each run it performs. */
  readonly heartbeatInterval: Duration.DurationInput
  /**
   * Seconds without a heartbeat after which a running run is abandoned: its instance is gone (killed,
   * crashed) and the job is free again without waiting for its timeout. A few heartbeat intervals.
   */
  readonly leaseSeconds: number
  /** Most missed occurrences of one job handled at once after an outage; older ones are dropped. */
  readonly maxCatchUp: number
  /** This instance's id in status and on its runs; a fresh id when none. */
  readonly instanceId: Option.Option<string>
}

/** The scheduler's defaults: poll every 15 s, heartbeat every 5 s, abandon after 20 s without one. */
export const defaultOptions: SchedulerOptions = {
  pollInterval: Duration.seconds(15),
  abandonMarginSeconds: 60,
  heartbeatInterval: Duration.seconds(5),
  leaseSeconds: 20,
  maxCatchUp: 1_000,
  instanceId: Option.none()
}

/** The scheduler's options; the defaults unless a host provides `SchedulerConfig.layer(...)`. */
export class SchedulerConfig extends Context.Reference<SchedulerConfig>()("@taskdesk/core/SchedulerConfig", {
  defaultValue: (): SchedulerOptions => defaultOptions
}) {
  static layer(options: Partial<SchedulerOptions>): Layer.Layer<never> {
    return Layer.succeed(SchedulerConfig, { ...defaultOptions, ...options })
  }
}

/** A job with its latest run and the run in progress, if any. */
export class JobView extends Schema.Class<JobView>("JobView")({
  job: Job,
  lastRun: Schema.optionalWith(JobRun, { as: "Option" }),
  running: Schema.optionalWith(JobRun, { as: "Option" })
}) {}

/** When a job runs next. */
export class NextRun extends Schema.Class<NextRun>("NextRun")({
  jobId: JobId,
  at: Schema.DateTimeUtc
}) {}

/** What `GET /api/scheduler/status` shows: whether this instance runs jobs, its id, the jobs, the next runs. */
export class SchedulerStatus extends Schema.Class<SchedulerStatus>("SchedulerStatus")({
  running: Schema.Boolean,
  instanceId: Schema.String,
  jobs: Schema.Array(JobView),
  /** Enabled jobs by next run time, soonest first. */
  nextRuns: Schema.Array(NextRun)
}) {}

/** The audit subject of a job. */
export const jobSubject = (id: JobId): Subject => new Subject({ kind: "job", id })

/** Prefixes the paths of a handler's parameter errors with `parameters`. */
const underParameters = (error: InvalidInput) =>
  new InvalidInput({
    message: error.message,
    issues: error.issues.map((i) => new FieldIssue({ path: ["parameters", ...i.path], message: i.message }))
  })

/** A readable one-line reason from whatever a handler failed with. */
const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (Option.isNone(failure)) return Cause.pretty(cause).split("\n")[0] ?? "the handler died"
  const error = failure.value
  if (error instanceof InvalidInput) {
    return `invalid parameters: ${error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`
  }
  if (typeof error === "object" && error !== null) {
    const tag = "_tag" in error && typeof error._tag === "string" ? error._tag : undefined
    const message = "message" in error && typeof error.message === "string" ? error.message : undefined
    if (tag !== undefined || message !== undefined) return [tag, message].filter(Boolean).join(": ")
  }
  return String(error)
}

// Marks the failure Effect.timeoutFail makes, so no handler error can be mistaken for it.
class RunTimedOut {
  readonly _tag = "RunTimedOut"
}

/** The same schedule, compared by its stored form. */
const sameSchedule = (a: JobSchedule.Schedule, b: JobSchedule.Schedule): boolean => {
  const encode = Schema.encodeSync(JobSchedule.Schedule)
  return JSON.stringify(encode(a)) === JSON.stringify(encode(b))
}

type Step = { readonly at: DateTime.Utc; readonly coalesced: number }

/**
 * Runs scheduled jobs: cron (with a time zone) or interval schedules, persisted in the `JobStore`,
 * run by handlers the host registers in `JobHandlers`. Time comes from `Clock`, so `TestClock`
 * drives it. Every occurrence is claimed in the store before it runs, so several instances on one
 * database run it once; control (define, change, run now, start, stop) is for `scheduler.manage`,
 * reading for `scheduler.read`.
 */
export class Scheduler extends Effect.Service<Scheduler>()("@taskdesk/core/Scheduler", {
  scoped: Effect.gen(function* () {
    const store = yield* JobStore
    const handlers = yield* JobHandlers
    const policy = yield* Policy
    const audit = yield* AuditLog
    const ids = yield* IdGenerator
    const config = yield* SchedulerConfig
    const scope = yield* Effect.scope
    const instanceId = Option.isSome(config.instanceId) ? config.instanceId.value : `scheduler-${yield* ids.next}`
    // One worker fiber per job in this instance: a job's occurrences are handled one after another.
    const workers = yield* FiberMap.make<JobId, void>()
    const loop = yield* FiberMap.make<"loop", never>()
    // Wakes the loop early: a job changed, or a run ended.
    const wake = yield* Queue.sliding<void>(1)
    const signal = Effect.asVoid(Queue.offer(wake, undefined))
    const runs = yield* Ref.make(0)

    const limits = { marginSeconds: config.abandonMarginSeconds, leaseSeconds: config.leaseSeconds }
    /** Frees jobs held by runs whose instance is gone; logs each. */
    const abandonStale = Effect.gen(function* () {
      for (const run of yield* store.abandonStale(yield* DateTime.now, limits)) {
        yield* Effect.logWarning(`job ${run.jobId} run ${run.id} abandoned by instance ${run.instanceId}`)
      }
    })

    const load = (id: JobId) => store.findById(id).pipe(orNotFound("Job", id))

    const handlerFor = (name: string) =>
      Option.match(handlers.get(name), {
        onNone: () => Effect.fail(invalidField(["handler"], `no handler named "${name}" is registered`)),
        onSome: Effect.succeed
      })

    const parseSchedule = (schedule: JobSchedule.Schedule) =>
      Either.match(JobSchedule.parse(schedule), {
        onLeft: Effect.fail,
        onRight: Effect.succeed
      })

    const nextAfter = (parsed: JobSchedule.ParsedSchedule, enabled: boolean, after: DateTime.Utc) =>
      enabled ? JobSchedule.next(parsed, after) : Option.none()

    const authorizeManage = Effect.flatMap(CurrentActor, (actor) => ensure(policy, actor, "scheduler.manage"))
    const authorizeRead = Effect.flatMap(CurrentActor, (actor) => ensure(policy, actor, "scheduler.read"))

    const newRun = (
      job: Job,
      fields: { readonly scheduledAt: DateTime.Utc; readonly trigger: RunTrigger; readonly coalesced: number },
      status: "running" | "skipped",
      now: DateTime.Utc,
      error: Option.Option<string> = Option.none()
    ) =>
      Effect.map(
        ids.next,
        (id) =>
          new JobRun({
            id: JobRunId.make(id),
            jobId: job.id,
            ...fields,
            instanceId,
            status,
            startedAt: now,
            heartbeatAt: status === "running" ? Option.some(now) : Option.none(),
            finishedAt: status === "skipped" ? Option.some(now) : Option.none(),
            error,
            summary: Option.none()
          })
      )

    /**
     * Performs a claimed run: decodes the parameters, runs the handler as the system actor within
     * the job's timeout, and records the outcome. If the scheduler stops meanwhile, the run is
     * interrupted and recorded as abandoned.
     */
    const perform = (
      job: Job,
      run: JobRun,
      // Called inside an uninterruptible claim, the caller's restore makes the work interruptible again.
      outer?: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    ) =>
      Effect.uninterruptibleMask((inner) =>
        Effect.gen(function* () {
          yield* Ref.update(runs, (n) => n + 1)
          const context: JobContext = {
            jobId: job.id,
            runId: run.id,
            scheduledAt: run.scheduledAt,
            trigger: run.trigger,
            timeZone: job.schedule._tag === "Cron" ? DateTime.zoneMakeNamed(job.schedule.timeZone) : Option.none(),
            instanceId
          }
          const work = Effect.gen(function* () {
            const handler: JobHandler = yield* handlerFor(job.handler)
            const parameters = yield* handler.decode(job.parameters)
            return yield* handler.run(parameters, context).pipe(asSystem)
          }).pipe(
            Effect.timeoutFail({
              duration: Duration.seconds(job.timeoutSeconds),
              onTimeout: () => new RunTimedOut()
            }),
            Effect.withSpan("Scheduler.run", { attributes: { jobId: job.id, runId: run.id } })
          )
          // While it runs, the run's heartbeat says this instance is alive; killed, it goes quiet.
          const beat = Effect.flatMap(DateTime.now, (at) => store.heartbeat(run.id, at))
          const beating = Effect.interruptible(
            Effect.forever(Effect.zipRight(Effect.sleep(config.heartbeatInterval), beat))
          )
          const exit = yield* Effect.exit(
            (outer ?? inner)(Effect.scoped(Effect.zipRight(Effect.forkScoped(beating), work)))
          )
          const status: RunOutcome = Exit.isSuccess(exit)
            ? "succeeded"
            : Exit.isInterrupted(exit)
              ? "abandoned"
              : Option.exists(Cause.failureOption(exit.cause), (e) => e instanceof RunTimedOut)
                ? "timed_out"
                : "failed"
          const error = Exit.match(exit, {
            onSuccess: () => Option.none<string>(),
            onFailure: (cause) =>
              Option.some(
                status === "timed_out"
                  ? `did not finish within ${job.timeoutSeconds} s`
                  : status === "abandoned"
                    ? "the scheduler stopped during the run"
                    : clip(describeFailure(cause))
              )
          })
          const finished = yield* store.finish(run.id, {
            status,
            finishedAt: yield* DateTime.now,
            error,
            summary: Exit.isSuccess(exit) ? Option.some(clip(exit.value)) : Option.none()
          })
          if (status !== "succeeded") {
            yield* Effect.logWarning(`job ${job.id} run ${run.id} ${status}`).pipe(
              Effect.annotateLogs({ error: Option.getOrElse(error, () => "") })
            )
          }
          yield* Ref.update(runs, (n) => n - 1)
          yield* signal
          return Option.getOrElse(finished, () => run)
        })
      )

    /**
     * Handles a job's due occurrences: claims each (or, coalescing, the latest) and runs it or, if
     * missed by more than the grace time, records it as skipped; then moves the next run time on.
     * Stops early when another run of the job is in progress (the next pass retries) or the job
     * changed meanwhile (the next pass reads it again).
     */
    const processJob = (id: JobId): Effect.Effect<boolean> =>
      Effect.gen(function* () {
        const found = yield* store.findById(id)
        if (Option.isNone(found)) return false
        const job = found.value
        if (!job.enabled || Option.isNone(job.nextRunAt)) return false
        const first = job.nextRunAt.value
        if (DateTime.greaterThan(first, yield* DateTime.now)) return false
        const parsed = JobSchedule.parse(job.schedule)
        if (Either.isLeft(parsed)) {
          // Stored before a rule tightened (or a zone left the database): stop it, loudly.
          yield* Effect.logError(`job ${job.id} has an invalid schedule: ${parsed.left.message}`)
          yield* store.advance(job.id, { version: job.version, nextRunAt: job.nextRunAt }, Option.none())
          return true
        }
        const now = yield* DateTime.now
        const due = [first, ...JobSchedule.between(parsed.right, first, now, config.maxCatchUp - 1)]
        const last = due[due.length - 1]!
        const capped = due.length >= config.maxCatchUp
        const following = JobSchedule.next(parsed.right, capped ? now : last)
        const steps: ReadonlyArray<Step> = job.coalesce
          ? [{ at: last, coalesced: due.length - 1 }]
          : due.map((at) => ({ at, coalesced: 0 }))
        for (const step of steps) {
          const current = yield* store.findById(id)
          if (!Option.exists(current, (j) => j.version === job.version && j.enabled)) return false
          const claimedAt = yield* DateTime.now
          const lateMillis = DateTime.toEpochMillis(claimedAt) - DateTime.toEpochMillis(step.at)
          const occurrence = { scheduledAt: step.at, trigger: "schedule" as const, coalesced: step.coalesced }
          if (lateMillis > job.misfireGraceSeconds * 1000) {
            const reason = `missed by ${Math.round(lateMillis / 1000)} s, more than the grace time of ${job.misfireGraceSeconds} s`
            const run = yield* newRun(job, occurrence, "skipped", claimedAt, Option.some(reason))
            yield* store.claim(run).pipe(
              Effect.catchTag("OccurrenceClaimed", () => Effect.void),
              Effect.orDie
            )
            continue
          }
          const run = yield* newRun(job, occurrence, "running", claimedAt)
          // Claim and run as one step: stopped in between, a claimed run would stay "running".
          const claimed = yield* Effect.uninterruptibleMask((restore) =>
            Effect.gen(function* () {
              const result = yield* Effect.either(store.claim(run))
              if (Either.isRight(result)) yield* perform(job, run, restore)
              return result
            })
          )
          if (Either.isLeft(claimed)) {
            if (claimed.left._tag === "OccurrenceClaimed") continue
            return false
          }
        }
        yield* store.advance(job.id, { version: job.version, nextRunAt: job.nextRunAt }, following)
        return true
      }).pipe(
        Effect.annotateLogs({ jobId: id, instanceId }),
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.interrupt
            : Effect.as(Effect.logError(`job ${id} could not be processed`, cause), false)
        )
      )

    const isDue = (job: Job, now: DateTime.Utc) =>
      job.enabled && Option.exists(job.nextRunAt, (at) => DateTime.lessThanOrEqualTo(at, now))

    /** One pass: marks abandoned runs, and starts a worker for every due job that has none. */
    const pass = Effect.gen(function* () {
      yield* abandonStale
      const now = yield* DateTime.now
      const jobs = yield* store.list
      for (const job of jobs) {
        if (isDue(job, now)) {
          // Signals when it moved the next run time on, so the loop sleeps until that; a job held by a
          // run on another instance is retried at the next poll, not in a busy loop.
          const work = Effect.flatMap(processJob(job.id), (moved) => (moved ? signal : Effect.void))
          yield* FiberMap.run(workers, job.id, work, { onlyIfMissing: true })
        }
      }
      // Sleep until the next job becomes due, or the poll interval, whichever is sooner.
      const nowMillis = DateTime.toEpochMillis(now)
      let sleep = Duration.toMillis(config.pollInterval)
      for (const job of jobs) {
        if (!job.enabled || Option.isNone(job.nextRunAt)) continue
        const until = DateTime.toEpochMillis(job.nextRunAt.value) - nowMillis
        if (until > 0) sleep = Math.min(sleep, until)
      }
      return Duration.millis(sleep)
    })

    const runLoop: Effect.Effect<never> = Effect.gen(function* () {
      const sleep = yield* pass.pipe(
        Effect.catchAllCause((cause) =>
          Effect.as(Effect.logError("scheduler pass failed", cause), Duration.decode(config.pollInterval))
        )
      )
      yield* Effect.raceFirst(Effect.sleep(sleep), Queue.take(wake))
    }).pipe(Effect.forever, Effect.annotateLogs({ instanceId }))

    const view = (job: Job) =>
      Effect.gen(function* () {
        const lastRun = yield* store.lastRun(job.id)
        const running = (yield* store.running).find((r) => r.jobId === job.id)
        return new JobView({ job, lastRun, running: Option.fromNullable(running) })
      })

    /** Defines a job; its schedule and parameters are checked now, never at run time. */
    const define = traced("Scheduler.define")(function* (input: DefineJob) {
      yield* authorizeManage
      const valid = yield* validate(DefineJob.fields)(input)
      const handler = yield* handlerFor(valid.handler)
      const parameters = yield* handler.normalize(valid.parameters ?? {}).pipe(Effect.mapError(underParameters))
      const parsed = yield* parseSchedule(valid.schedule)
      const now = yield* DateTime.now
      const enabled = valid.enabled ?? true
      const job = new Job({
        id: valid.id,
        description: valid.description ?? handler.description,
        handler: valid.handler,
        schedule: parsed.schedule,
        parameters,
        enabled,
        misfireGraceSeconds: valid.misfireGraceSeconds ?? defaultMisfireGraceSeconds,
        coalesce: valid.coalesce ?? true,
        timeoutSeconds: valid.timeoutSeconds ?? defaultTimeoutSeconds,
        nextRunAt: nextAfter(parsed, enabled, now),
        createdAt: now,
        updatedAt: now,
        version: 1
      })
      yield* audit.transaction(
        Effect.gen(function* () {
          yield* store.insert(job)
          yield* audit.record(jobSubject(job.id), {
            _tag: "job.defined",
            handler: job.handler,
            schedule: JobSchedule.describe(job.schedule)
          })
        })
      )
      yield* signal
      return job
    })

    /** Defines the job unless one with its id exists (then leaves it as it is): for built-in jobs at start-up. */
    const ensureJob = traced("Scheduler.ensure")(function* (input: DefineJob) {
      yield* authorizeManage
      const existing = yield* store.findById(input.id)
      if (Option.isSome(existing)) return existing.value
      return yield* define(input).pipe(Effect.catchTag("DuplicateKey", () => load(input.id).pipe(Effect.orDie)))
    })

    /** Changes a job; schedule, zone and parameters are checked, and the change takes effect at once. */
    const update = traced("Scheduler.update")(function* (id: JobId, patch: UpdateJob, expectedVersion?: number) {
      yield* authorizeManage
      const valid = yield* validate(UpdateJob.fields)(patch)
      return yield* unlessExpected(
        expectedVersion,
        audit.transaction(
          Effect.gen(function* () {
            const job = yield* load(id)
            const version = expectedVersion ?? job.version
            let schedule: JobSchedule.Schedule = valid.schedule ?? job.schedule
            if (valid.expression !== undefined || valid.timeZone !== undefined) {
              if (schedule._tag !== "Cron") {
                const field = valid.expression !== undefined ? "expression" : "timeZone"
                return yield* invalidField([field], "the job runs on an interval: give a whole cron schedule instead")
              }
              schedule = JobSchedule.cron(valid.expression ?? schedule.expression, valid.timeZone ?? schedule.timeZone)
            }
            const parsed = yield* parseSchedule(schedule)
            const handler = yield* handlerFor(job.handler)
            const parameters =
              valid.parameters === undefined
                ? job.parameters
                : yield* handler.normalize(valid.parameters).pipe(Effect.mapError(underParameters))
            const enabled = valid.enabled ?? job.enabled
            const scheduleChanged = !sameSchedule(parsed.schedule, job.schedule)
            const now = yield* DateTime.now
            // A new schedule, or re-enabling, counts from now: what was missed meanwhile is not caught up.
            const nextRunAt =
              scheduleChanged || (enabled && !job.enabled)
                ? nextAfter(parsed, enabled, now)
                : enabled
                  ? job.nextRunAt
                  : Option.none()
            const changed = Object.keys(valid).filter((k) => (valid as Record<string, unknown>)[k] !== undefined)
            const next = new Job({
              ...job,
              ...(valid.description !== undefined ? { description: valid.description } : {}),
              schedule: parsed.schedule,
              parameters,
              enabled,
              ...(valid.misfireGraceSeconds !== undefined ? { misfireGraceSeconds: valid.misfireGraceSeconds } : {}),
              ...(valid.coalesce !== undefined ? { coalesce: valid.coalesce } : {}),
              ...(valid.timeoutSeconds !== undefined ? { timeoutSeconds: valid.timeoutSeconds } : {}),
              nextRunAt,
              updatedAt: now,
              version: version + 1
            })
            yield* store.update(next, version)
            yield* audit.record(jobSubject(id), { _tag: "job.updated", fields: changed })
            return next
          })
        )
      ).pipe(Effect.tap(() => signal))
    })

    /**
     * Runs a job now, whatever its schedule or enabled flag, as an occurrence at the current time.
     * Fails with `JobBusy` if it is running. Returns the run when it ends, or at once (still
     * running) with `{ wait: false }`.
     */
    const runNow = traced("Scheduler.runNow")(function* (id: JobId, options: { readonly wait?: boolean } = {}) {
      yield* authorizeManage
      const job = yield* load(id)
      yield* handlerFor(job.handler)
      // A run left by a killed instance does not hold the job until the next scheduler pass.
      yield* abandonStale
      const now = yield* DateTime.now
      // Asked at the very instant of a scheduled occurrence, the manual run takes the next
      // millisecond rather than standing in for it.
      const claim = (attempt: number): Effect.Effect<JobRun, OccurrenceClaimed | JobBusy, CurrentActor> =>
        Effect.gen(function* () {
          const scheduledAt = DateTime.add(now, { millis: attempt })
          const run = yield* newRun(job, { scheduledAt, trigger: "manual", coalesced: 0 }, "running", now)
          yield* audit.transaction(
            Effect.gen(function* () {
              yield* store.claim(run)
              yield* audit.record(jobSubject(id), { _tag: "job.run_requested", runId: run.id })
            })
          )
          return run
        }).pipe(
          Effect.catchTag("OccurrenceClaimed", (error) => (attempt < 3 ? claim(attempt + 1) : Effect.fail(error)))
        )
      // Claim and start as one step, as scheduled runs do.
      return yield* Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const run = yield* claim(0)
          if (options.wait === false) {
            yield* Effect.forkIn(Effect.interruptible(perform(job, run)), scope)
            return run
          }
          return yield* perform(job, run, restore)
        })
      )
    })

    const get = traced("Scheduler.get")(function* (id: JobId) {
      yield* authorizeRead
      return yield* view(yield* load(id))
    })

    const list = traced("Scheduler.list")(function* () {
      yield* authorizeRead
      return yield* Effect.forEach(yield* store.list, view)
    })

    /** A job's runs, newest first, a page at a time. */
    const listRuns = traced("Scheduler.runs")(function* (
      id: JobId,
      query: { readonly limit?: number | undefined; readonly cursor?: string | undefined } = {}
    ) {
      yield* authorizeRead
      yield* load(id)
      const limit = Math.min(Math.max(query.limit ?? defaultLimit, 1), 200)
      const after =
        query.cursor === undefined ? Option.none() : Option.some(yield* decodeCursor("jobrun", query.cursor))
      const rows = yield* store.listRuns({ jobId: id, after, limit: limit + 1 })
      return toPage(rows, limit, (last) => encodeCursor("jobrun", runSortKey(last))) as Page<JobRun>
    })

    const getRun = traced("Scheduler.getRun")(function* (id: JobRunId) {
      yield* authorizeRead
      return yield* store.findRun(id).pipe(orNotFound("JobRun", id))
    })

    const status = traced("Scheduler.status")(function* () {
      yield* authorizeRead
      const jobs = yield* Effect.forEach(yield* store.list, view)
      const nextRuns = jobs
        .flatMap(({ job }) =>
          job.enabled && Option.isSome(job.nextRunAt) ? [new NextRun({ jobId: job.id, at: job.nextRunAt.value })] : []
        )
        .sort((a, b) => DateTime.toEpochMillis(a.at) - DateTime.toEpochMillis(b.at))
      return new SchedulerStatus({ running: yield* FiberMap.has(loop, "loop"), instanceId, jobs, nextRuns })
    })

    /** Starts running jobs in the background of this layer's scope; starting twice is harmless. */
    const start = traced("Scheduler.start")(function* () {
      yield* authorizeManage
      yield* FiberMap.run(loop, "loop", runLoop, { onlyIfMissing: true })
      yield* Effect.logInfo(`scheduler ${instanceId} started`)
    })

    /** Stops the loop and interrupts runs in progress, which are recorded as abandoned. */
    const stop = traced("Scheduler.stop")(function* () {
      yield* authorizeManage
      yield* FiberMap.remove(loop, "loop")
      yield* FiberMap.clear(workers)
    })

    /** Handles every job due now and waits for them: for hosts that drive the scheduler themselves. */
    const tick = traced("Scheduler.tick")(function* () {
      yield* authorizeManage
      const now = yield* DateTime.now
      yield* store.abandonStale(now, limits)
      const due = (yield* store.list).filter((job) => isDue(job, now))
      yield* Effect.forEach(due, (job) => processJob(job.id), { concurrency: "unbounded", discard: true })
    })

    /** Deletes finished runs older than `days` days; returns how many. */
    const pruneRuns = traced("Scheduler.pruneRuns")(function* (days: number) {
      yield* authorizeManage
      if (!Number.isFinite(days) || days < 0) return yield* invalidField(["days"], "must be zero or more")
      const now = yield* DateTime.now
      return yield* store.pruneRuns(DateTime.subtract(now, { days }))
    })

    /** Runs in progress in this instance (scheduled or manual). */
    const activeRuns = Ref.get(runs)

    return {
      instanceId,
      define,
      ensure: ensureJob,
      update,
      runNow,
      get,
      list,
      runs: listRuns,
      getRun,
      status,
      start,
      stop,
      tick,
      pruneRuns,
      activeRuns
    } as const
  })
}) {}
