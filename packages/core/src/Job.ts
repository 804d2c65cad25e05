import { Schema } from "effect"
import { JobId, JobRunId } from "./Ids.js"
import { Schedule } from "./JobSchedule.js"
import { singleLine } from "./Text.js"

/** How late a run may start and still run, as the seeds' APScheduler `misfire_grace_time`. */
export const defaultMisfireGraceSeconds = 600
/** How long a run may take before it is interrupted and recorded as timed out. */
export const defaultTimeoutSeconds = 600

/** The name a host application registers a handler under, e.g. `daily-report`. */
export const HandlerName = Schema.String.pipe(Schema.pattern(/^[a-z0-9][a-z0-9._-]*$/), Schema.maxLength(64))

/** A job's parameters as JSON, in the encoded form of its handler's parameter schema. */
export const JobParameters = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type JobParameters = typeof JobParameters.Type

/** What a job is for, shown in listings: one line, up to 500 characters. */
export const Description = singleLine(Schema.String.pipe(Schema.maxLength(500)))
/** How late an occurrence may still run (0 to 7 days); later ones are recorded `skipped`. */
export const MisfireGraceSeconds = Schema.Int.pipe(Schema.between(0, 7 * 24 * 3600))
/** How long a run may take (1 second to a day) before it is interrupted as `timed_out`. */
export const TimeoutSeconds = Schema.Int.pipe(Schema.between(1, 24 * 3600))

/**
 * A scheduled job: what runs (a handler and its parameters), when (the schedule), and the rules
 * for late runs. `nextRunAt` is the next occurrence not yet handled; none while disabled.
 */
export class Job extends Schema.Class<Job>("Job")({
  id: JobId,
  description: Description,
  handler: HandlerName,
  schedule: Schedule,
  parameters: JobParameters,
  enabled: Schema.Boolean,
  /** A run missed by at most this many seconds still runs; one missed by more is skipped. */
  misfireGraceSeconds: MisfireGraceSeconds,
  /** Several missed occurrences run once (the latest) instead of once each. */
  coalesce: Schema.Boolean,
  timeoutSeconds: TimeoutSeconds,
  nextRunAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc,
  version: Schema.Int
}) {}

/** What a caller supplies to define a job; omitted settings take the defaults. */
export class DefineJob extends Schema.Class<DefineJob>("DefineJob")({
  id: JobId,
  description: Schema.optional(Description),
  handler: HandlerName,
  schedule: Schedule,
  parameters: Schema.optional(JobParameters),
  enabled: Schema.optional(Schema.Boolean),
  misfireGraceSeconds: Schema.optional(MisfireGraceSeconds),
  coalesce: Schema.optional(Schema.Boolean),
  timeoutSeconds: Schema.optional(TimeoutSeconds)
}) {}

/**
 * A change to a job, effective at once. `timeZone` moves a cron schedule to another zone and
 * `expression` replaces its expression, each keeping the other; `schedule` replaces the whole.
 */
export class UpdateJob extends Schema.Class<UpdateJob>("UpdateJob")({
  description: Schema.optional(Description),
  schedule: Schema.optional(Schedule),
  expression: Schema.optional(singleLine(Schema.String.pipe(Schema.maxLength(200)))),
  timeZone: Schema.optional(singleLine(Schema.String.pipe(Schema.maxLength(64)))),
  parameters: Schema.optional(JobParameters),
  enabled: Schema.optional(Schema.Boolean),
  misfireGraceSeconds: Schema.optional(MisfireGraceSeconds),
  coalesce: Schema.optional(Schema.Boolean),
  timeoutSeconds: Schema.optional(TimeoutSeconds)
}) {}

/** How a run ended; `running` until it does. */
export const RunStatus = Schema.Literal("running", "succeeded", "failed", "timed_out", "skipped", "abandoned")
export type RunStatus = typeof RunStatus.Type

/** How a finished run ended. */
export const RunOutcome = Schema.Literal("succeeded", "failed", "timed_out", "skipped", "abandoned")
export type RunOutcome = typeof RunOutcome.Type

/** Why a run happened: its schedule, or someone asked for it. */
export const RunTrigger = Schema.Literal("schedule", "manual")
export type RunTrigger = typeof RunTrigger.Type

/** Errors and summaries are cut to this length so one run cannot bloat the history. */
export const maxTextLength = 2_000

const RunText = Schema.String.pipe(Schema.maxLength(maxTextLength))

/**
 * One occurrence of a job: claimed by inserting this row, unique per (job, scheduled time), then
 * finished with its outcome. A skipped occurrence is a row that never ran.
 */
export class JobRun extends Schema.Class<JobRun>("JobRun")({
  id: JobRunId,
  jobId: JobId,
  scheduledAt: Schema.DateTimeUtc,
  trigger: RunTrigger,
  /** The scheduler instance that claimed it. */
  instanceId: Schema.String.pipe(Schema.maxLength(64)),
  status: RunStatus,
  startedAt: Schema.DateTimeUtc,
  /**
   * When the instance running it last said it still was (it refreshes this while the run lasts): a
   * running run whose heartbeat is older than the lease is abandoned, its instance gone. None for
   * runs that never ran (skipped).
   */
  heartbeatAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  finishedAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  error: Schema.optionalWith(RunText, { as: "Option" }),
  summary: Schema.optionalWith(RunText, { as: "Option" }),
  /** How many earlier missed occurrences this run stands for (coalescing). */
  coalesced: Schema.Int.pipe(Schema.nonNegative())
}) {}

/** Cuts a text to `maxTextLength`, marking the cut. */
export const clip = (text: string): string =>
  text.length <= maxTextLength ? text : `${text.slice(0, maxTextLength - 1)}…`
