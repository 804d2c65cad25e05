import { Context, DateTime, type Effect, type Option, Schema } from "effect"
import type { DuplicateKey, NotFound, VersionConflict } from "./Errors.js"
import { JobId, JobRunId } from "./Ids.js"
import type { Job, JobRun, RunOutcome } from "./Job.js"
import type { SortKey } from "./Page.js"

/** Another claim of this occurrence got there first (SQL: the unique key on job and scheduled time). */
export class OccurrenceClaimed extends Schema.TaggedError<OccurrenceClaimed>()("OccurrenceClaimed", {
  jobId: JobId,
  scheduledAt: Schema.DateTimeUtc
}) {}

/** The job is running already (here or on another instance); it never runs twice at once. */
export class JobBusy extends Schema.TaggedError<JobBusy>()("JobBusy", {
  jobId: JobId,
  runId: JobRunId
}) {}

/** How a run ends, as `finish` records it. */
export interface RunResult {
  readonly status: RunOutcome
  readonly finishedAt: DateTime.Utc
  readonly error: Option.Option<string>
  readonly summary: Option.Option<string>
}

/** A page of a job's runs, newest first: by scheduled time, then id, both descending. */
export interface RunQuery {
  readonly jobId: JobId
  /** Only runs strictly after this key in that order (`runSortKey` of the last run seen). */
  readonly after: Option.Option<SortKey>
  readonly limit: number
}

/** The key runs are listed by: scheduled time in epoch milliseconds, then id. */
export const runSortKey = (run: JobRun): SortKey => [DateTime.toEpochMillis(run.scheduledAt), run.id]

/**
 * Storage port for scheduled jobs and their run history. Claiming an occurrence inserts its run row
 * under two rules that SQL states as unique indexes, so several instances on one database run each
 * occurrence exactly once and a job never twice at a time: (job, scheduled time) is unique, and at
 * most one row per job is `running` (a partial unique index on job where status = 'running').
 */
export class JobStore extends Context.Tag("@taskdesk/core/JobStore")<
  JobStore,
  {
    readonly findById: (id: JobId) => Effect.Effect<Option.Option<Job>>
    /** Every job, by id. */
    readonly list: Effect.Effect<ReadonlyArray<Job>>
    readonly insert: (job: Job) => Effect.Effect<void, DuplicateKey>
    /** Stores a changed definition (and its next run time) if the stored version is still `expectedVersion`. */
    readonly update: (job: Job, expectedVersion: number) => Effect.Effect<void, VersionConflict | NotFound>
    /**
     * Moves the job's next run time from `expected.nextRunAt` to `nextRunAt`, only if both the
     * version and the next run time are still the expected ones (compare-and-set, so a stale
     * instance never moves it back and an edit made meanwhile wins). True when it moved.
     */
    readonly advance: (
      id: JobId,
      expected: { readonly version: number; readonly nextRunAt: Option.Option<DateTime.Utc> },
      nextRunAt: Option.Option<DateTime.Utc>
    ) => Effect.Effect<boolean>
    /**
     * Inserts a run row: fails with `OccurrenceClaimed` if the job has a run at that scheduled time,
     * and, for a row with status `running`, with `JobBusy` if another run of the job is running.
     * When both hold, either error may come (SQL reports whichever index it checks first); the
     * scheduler treats both as "not now".
     */
    readonly claim: (run: JobRun) => Effect.Effect<void, OccurrenceClaimed | JobBusy>
    /** Records the end of a running run; none if it is not running any more (e.g. marked abandoned). */
    readonly finish: (id: JobRunId, result: RunResult) => Effect.Effect<Option.Option<JobRun>>
    readonly findRun: (id: JobRunId) => Effect.Effect<Option.Option<JobRun>>
    /** The job's latest run by scheduled time (then id), in any status. */
    readonly lastRun: (jobId: JobId) => Effect.Effect<Option.Option<JobRun>>
    readonly listRuns: (query: RunQuery) => Effect.Effect<ReadonlyArray<JobRun>>
    /** Every run still running, on any instance, by scheduled time. */
    readonly running: Effect.Effect<ReadonlyArray<JobRun>>
    /** Records that the run's instance is alive at `at`; false when the run is not running any more. */
    readonly heartbeat: (id: JobRunId, at: DateTime.Utc) => Effect.Effect<boolean>
    /**
     * Marks `abandoned` (finished at `now`) every running run whose instance is gone: its heartbeat
     * is more than `leaseSeconds` old (the instance stopped refreshing it), or it started more than
     * its job's timeout plus `marginSeconds` before `now` (a live instance would have interrupted it
     * by then). Returns the runs it marked.
     */
    readonly abandonStale: (
      now: DateTime.Utc,
      limits: { readonly marginSeconds: number; readonly leaseSeconds: number }
    ) => Effect.Effect<ReadonlyArray<JobRun>>
    /** Deletes finished runs that finished before `before`; returns how many. Running runs stay. */
    readonly pruneRuns: (before: DateTime.Utc) => Effect.Effect<number>
  }
>() {}
