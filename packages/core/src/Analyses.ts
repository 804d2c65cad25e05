import { Context, DateTime, Effect, Either, Layer, Option, Schema } from "effect"
import { type Actor, CurrentActor } from "./Actor.js"
import { Analysis, briefOf, RepairAnalysis, repairBriefOf } from "./Analysis.js"
import { analysisTypes } from "./AnalysisEvent.js"
import { type EventPayload, Subject } from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import type { NotFound } from "./Errors.js"
import { EventLog } from "./EventLog.js"
import { type EventSequence, RepairRequestId, TaskId, type UserId } from "./Ids.js"
import { traced } from "./Operation.js"
import { RepairRequests, repairSubject } from "./RepairRequests.js"
import { type AnalysisError, TaskAnalysis } from "./TaskAnalysis.js"
import { Tasks, taskSubject } from "./Tasks.js"

/** The person asked for as many analyses today (UTC) as they may; the next day starts at UTC midnight. */
export class AnalysisQuotaExceeded extends Schema.TaggedError<AnalysisQuotaExceeded>()("AnalysisQuotaExceeded", {
  limit: Schema.Int,
  retryAfterSeconds: Schema.Int
}) {}

/** An analysis of a task as the caller gets it: which version of the task it read, and whether it was cached. */
export class TaskAnalysisReport extends Schema.Class<TaskAnalysisReport>("TaskAnalysisReport")({
  taskId: TaskId,
  taskVersion: Schema.Int,
  model: Schema.String,
  analysedAt: Schema.DateTimeUtc,
  /** True when this answer was analysed earlier (for this version of the task) and nothing was sent now. */
  cached: Schema.Boolean,
  analysis: Analysis
}) {}

/** An analysis of a repair request as the caller gets it. */
export class RepairAnalysisReport extends Schema.Class<RepairAnalysisReport>("RepairAnalysisReport")({
  requestId: RepairRequestId,
  requestVersion: Schema.Int,
  model: Schema.String,
  analysedAt: Schema.DateTimeUtc,
  cached: Schema.Boolean,
  analysis: RepairAnalysis
}) {}

/** How often a person may ask, and how long an answer is reused. */
export interface AnalysisLimits {
  /** Analyses sent to the provider per person per UTC day. */
  readonly dailyLimit: number
  /** How long an answer for a version of a task is reused; 0 turns the cache off. */
  readonly cacheMinutes: number
  /** At most this many answers are cached (the oldest go first). */
  readonly cacheEntries?: number | undefined
}

/** The limits `Analyses` applies. */
export class AnalysisSettings extends Context.Tag("@taskdesk/core/AnalysisSettings")<
  AnalysisSettings,
  AnalysisLimits
>() {
  static readonly layer = (limits: AnalysisLimits): Layer.Layer<AnalysisSettings> =>
    Layer.succeed(AnalysisSettings, limits)
  static readonly defaults: AnalysisLimits = { dailyLimit: 50, cacheMinutes: 60 }
}

const dayMillis = 86_400_000

interface Cached {
  readonly report: TaskAnalysisReport | RepairAnalysisReport
  readonly expiresAt: number
}

/** Per person: today's count as of the last event read, and where reading resumes. */
interface Usage {
  day: number
  count: number
  after: Option.Option<EventSequence>
}

/**
 * Language-model analyses of tasks and repair requests, with seed 000's rules: only one the caller
 * may read is sent (else `NotFound`, and nothing is sent), and only its brief; each call to the
 * provider is recorded (`task.analysed`, `repair.analysed`: the brief and the answer or the failure)
 * and counts against the caller's daily allowance, which is counted from those events, so it
 * survives restarts and spans instances sharing a database; answers are reused per version for the
 * configured minutes, and a reused answer is neither sent, recorded nor counted.
 */
export class Analyses extends Effect.Service<Analyses>()("@taskdesk/core/Analyses", {
  effect: Effect.gen(function* () {
    const tasks = yield* Tasks
    const repairs = yield* RepairRequests
    const provider = yield* TaskAnalysis
    const limits = yield* AnalysisSettings
    const log = yield* EventLog
    const audit = yield* AuditLog
    const cacheMillis = limits.cacheMinutes * 60_000
    const cacheEntries = limits.cacheEntries ?? 10_000

    // In process: a cache lost at restart costs one call per task, and instances each keep their own.
    const cache = new Map<string, Cached>()
    const usage = new Map<UserId, Usage>()
    // Calls sent and not yet recorded, so parallel requests cannot all pass the same count.
    const inFlight = new Map<UserId, number>()
    // Counting reads the log and updates `usage`: one count at a time, so no event is counted twice.
    const counting = yield* Effect.makeSemaphore(1)

    const cached = (key: string, now: number): TaskAnalysisReport | RepairAnalysisReport | undefined => {
      const hit = cache.get(key)
      if (hit === undefined) return undefined
      if (hit.expiresAt > now) return hit.report
      cache.delete(key)
      return undefined
    }

    const remember = (key: string, report: TaskAnalysisReport | RepairAnalysisReport, now: number) => {
      if (cacheMillis <= 0) return
      cache.delete(key)
      // Maps iterate in insertion order: the first keys are the oldest.
      for (const old of cache.keys()) {
        if (cache.size < cacheEntries) break
        cache.delete(old)
      }
      cache.set(key, { report, expiresAt: now + cacheMillis })
    }

    /**
     * The person's analyses since UTC midnight. Events up to the last one read are not read again:
     * the log's sequences follow commit order, so what comes after it is all that is new, also from
     * other instances; a new day starts at zero from the same place.
     */
    const usedToday = (actor: Actor, now: number) =>
      Effect.gen(function* () {
        const day = Math.floor(now / dayMillis)
        const midnight = day * dayMillis
        const known = usage.get(actor.id) ?? { day, count: 0, after: Option.none() }
        if (known.day !== day) {
          known.day = day
          known.count = 0
        }
        const about = Option.some(new Subject({ kind: "user", id: actor.id }))
        while (true) {
          const page = yield* log.list({ after: known.after, about, limit: 1_000 })
          for (const event of page) {
            if (
              event.actorId === actor.id &&
              analysisTypes.has(event.payload._tag) &&
              DateTime.toEpochMillis(event.at) >= midnight
            ) {
              known.count++
            }
            known.after = Option.some(event.sequence)
          }
          if (page.length < 1_000) break
        }
        usage.set(actor.id, known)
        return known.count
      })

    const retryAfter = (now: number) =>
      Math.max(1, Math.ceil(((Math.floor(now / dayMillis) + 1) * dayMillis - now) / 1000))

    /** Takes one of today's calls for the actor, or fails; the slot is held until `release`. */
    const take = (actor: Actor, now: number) =>
      Effect.flatMap(usedToday(actor, now), (used) => {
        const pending = inFlight.get(actor.id) ?? 0
        if (used + pending >= limits.dailyLimit) {
          return Effect.fail(
            new AnalysisQuotaExceeded({ limit: limits.dailyLimit, retryAfterSeconds: retryAfter(now) })
          )
        }
        inFlight.set(actor.id, pending + 1)
        return Effect.void
      }).pipe(counting.withPermits(1))

    const release = (actor: Actor) =>
      Effect.sync(() => {
        const left = (inFlight.get(actor.id) ?? 1) - 1
        if (left <= 0) inFlight.delete(actor.id)
        else inFlight.set(actor.id, left)
      })

    /**
     * The rules around one call: a cached report for `key`, or one of today's calls taken, the call
     * made and recorded under `subject` whatever its outcome, and the report cached. The slot is
     * given back once the call is recorded (it then counts from the log).
     */
    const analysed = <A, Report extends TaskAnalysisReport | RepairAnalysisReport>(spec: {
      readonly key: string
      readonly subject: Subject
      readonly call: () => Effect.Effect<A, AnalysisError>
      readonly payload: (outcome: Either.Either<A, AnalysisError>) => EventPayload
      readonly report: (analysis: A, at: DateTime.Utc, cached: boolean) => Report
      readonly copy: (hit: Report) => Report
    }) =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        const now = yield* DateTime.now
        const nowMillis = DateTime.toEpochMillis(now)
        const hit = cached(spec.key, nowMillis)
        if (hit !== undefined) return spec.copy(hit as Report)
        yield* take(actor, nowMillis)
        const analysis = yield* Effect.gen(function* () {
          const outcome = yield* Effect.either(spec.call())
          yield* audit.transaction(
            audit.record(spec.subject, spec.payload(outcome), Option.some(new Subject({ kind: "user", id: actor.id })))
          )
          return yield* outcome
        }).pipe(Effect.ensuring(release(actor)))
        const report = spec.report(analysis, now, false)
        remember(spec.key, report, DateTime.toEpochMillis(yield* DateTime.now))
        return report
      })

    const failureOf = (error: AnalysisError) => ({ failure: { error: error._tag, message: describe(error) } })

    /** Analyses a task the caller may read: a cached answer for its version, or a fresh one. */
    const analyseTask = traced("Analyses.analyseTask")(function* (id: TaskId) {
      // Visibility first: whether analysis is on says nothing about a task the caller may not see.
      const task = yield* tasks.get(id)
      const brief = briefOf(task)
      if (!provider.configured) return yield* provider.analyseTask(brief)
      return yield* analysed({
        key: `task\u0000${provider.model}\u0000${task.id}\u0000${task.version}`,
        subject: taskSubject(task.id),
        call: () => provider.analyseTask(brief),
        payload: (outcome) => ({
          _tag: "task.analysed",
          model: provider.model,
          brief,
          ...(Either.isRight(outcome) ? { analysis: outcome.right } : failureOf(outcome.left))
        }),
        report: (analysis, analysedAt, cached) =>
          new TaskAnalysisReport(
            { taskId: task.id, taskVersion: task.version, model: provider.model, analysedAt, cached, analysis },
            true
          ),
        copy: (hit) => new TaskAnalysisReport({ ...hit, cached: true }, true)
      })
    }) as (
      id: TaskId
    ) => Effect.Effect<TaskAnalysisReport, AnalysisError | AnalysisQuotaExceeded | NotFound, CurrentActor>

    /** Analyses a repair request the caller may read (likely causes, parts to bring), by the same rules. */
    const analyseRepair = traced("Analyses.analyseRepair")(function* (id: RepairRequestId) {
      const request = yield* repairs.get(id)
      const brief = repairBriefOf(request)
      if (!provider.configured) return yield* provider.analyseRepair(brief)
      return yield* analysed({
        key: `repair\u0000${provider.model}\u0000${request.id}\u0000${request.version}`,
        subject: repairSubject(request.id),
        call: () => provider.analyseRepair(brief),
        payload: (outcome) => ({
          _tag: "repair.analysed",
          model: provider.model,
          brief,
          ...(Either.isRight(outcome) ? { analysis: outcome.right } : failureOf(outcome.left))
        }),
        report: (analysis, analysedAt, cached) =>
          new RepairAnalysisReport(
            {
              requestId: request.id,
              requestVersion: request.version,
              model: provider.model,
              analysedAt,
              cached,
              analysis
            },
            true
          ),
        copy: (hit) => new RepairAnalysisReport({ ...hit, cached: true }, true)
      })
    }) as (
      id: RepairRequestId
    ) => Effect.Effect<RepairAnalysisReport, AnalysisError | AnalysisQuotaExceeded | NotFound, CurrentActor>

    return { analyseTask, analyseRepair, configured: provider.configured, model: provider.model } as const
  })
}) {}

/** What the 503 says when no provider is configured. */
export const notConfiguredHint =
  "task analysis is off: set TASKDESK_LLM_API_KEY (or OPENAI_API_KEY, or llm.api_key in taskdesk.yaml), and optionally TASKDESK_LLM_BASE_URL and TASKDESK_LLM_MODEL for another OpenAI-compatible provider"

const describe = (error: AnalysisError): string => {
  switch (error._tag) {
    case "AnalysisNotConfigured":
      return error.hint
    case "AnalysisProviderFailed":
      return `${error.providerStatus === undefined ? "" : `status ${error.providerStatus}: `}${error.message} (after ${error.attempts} attempts)`
    case "AnalysisTimedOut":
      return `no answer within ${error.seconds} s`
    case "AnalysisMalformed":
      return error.reason
  }
}
