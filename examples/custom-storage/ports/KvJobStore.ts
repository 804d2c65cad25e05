import { Ids, Job, JobStore, Page } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { checkVersion, insertNew, KvStore } from "../KvStore.js"

const sameInstant = (a: Option.Option<DateTime.Utc>, b: Option.Option<DateTime.Utc>): boolean =>
  Option.isNone(a)
    ? Option.isNone(b)
    : Option.isSome(b) && DateTime.toEpochMillis(a.value) === DateTime.toEpochMillis(b.value)

// Newest first, as every store lists runs.
const newestFirst = (a: Job.JobRun, b: Job.JobRun) =>
  Page.compareKeys(JobStore.runSortKey(a), JobStore.runSortKey(b), [-1, -1])

/** `JobStore` over the key-value store. */
export const layer: Layer.Layer<JobStore.JobStore, never, KvStore> = Layer.effect(
  JobStore.JobStore,
  Effect.gen(function* () {
    const store = yield* KvStore
    const jobs = store.table("jobs", Job.Job)
    const runs = store.table("job_runs", Job.JobRun)
    // The two unique indexes a SQL schema would have, as keys of their own: (job, scheduled time) → run,
    // and job → its running run.
    const occurrences = store.table("job_run_occurrences", Schema.String)
    const runningByJob = store.table("job_runs_running", Ids.JobRunId)
    const occurrenceKey = (jobId: string, at: DateTime.Utc) => `${jobId}@${DateTime.toEpochMillis(at)}`

    const runsOf = (jobId: string) => Effect.map(runs.values, (all) => all.filter((r) => r.jobId === jobId))

    const endRun = (run: Job.JobRun, ended: Job.JobRun) =>
      Effect.gen(function* () {
        yield* runs.put(run.id, ended)
        const current = yield* runningByJob.get(run.jobId)
        if (Option.contains(current, run.id)) yield* runningByJob.remove(run.jobId)
      })

    return {
      findById: jobs.get,
      list: Effect.map(jobs.values, (all) => [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))),
      insert: (job) => store.transaction(insertNew(jobs, "Job", job.id, job)),
      update: (job, expectedVersion) =>
        store.transaction(Effect.zipRight(checkVersion(jobs, "Job", job.id, expectedVersion), jobs.put(job.id, job))),
      advance: (id, expected, nextRunAt) =>
        store.transaction(
          Effect.gen(function* () {
            const stored = yield* jobs.get(id)
            if (
              Option.isNone(stored) ||
              stored.value.version !== expected.version ||
              !sameInstant(stored.value.nextRunAt, expected.nextRunAt)
            ) {
              return false
            }
            yield* jobs.put(id, new Job.Job({ ...stored.value, nextRunAt }))
            return true
          })
        ),
      claim: (run) =>
        store.transaction(
          Effect.gen(function* () {
            const key = occurrenceKey(run.jobId, run.scheduledAt)
            if (Option.isSome(yield* occurrences.get(key))) {
              return yield* new JobStore.OccurrenceClaimed({ jobId: run.jobId, scheduledAt: run.scheduledAt })
            }
            if (run.status === "running") {
              const busy = yield* runningByJob.get(run.jobId)
              if (Option.isSome(busy)) return yield* new JobStore.JobBusy({ jobId: run.jobId, runId: busy.value })
              yield* runningByJob.put(run.jobId, run.id)
            }
            yield* occurrences.put(key, run.id)
            yield* runs.put(run.id, run)
          })
        ),
      finish: (id, result) =>
        store.transaction(
          Effect.gen(function* () {
            const run = yield* runs.get(id)
            if (Option.isNone(run) || run.value.status !== "running") return Option.none()
            const ended = new Job.JobRun({
              ...run.value,
              status: result.status,
              finishedAt: Option.some(result.finishedAt),
              error: result.error,
              summary: result.summary
            })
            yield* endRun(run.value, ended)
            return Option.some(ended)
          })
        ),
      findRun: runs.get,
      lastRun: (jobId) => Effect.map(runsOf(jobId), (all) => Option.fromNullable([...all].sort(newestFirst)[0])),
      listRuns: (query) =>
        Effect.map(runsOf(query.jobId), (all) =>
          [...all]
            .filter((run) =>
              Option.match(query.after, {
                onNone: () => true,
                onSome: (after) => Page.compareKeys(JobStore.runSortKey(run), after, [-1, -1]) > 0
              })
            )
            .sort(newestFirst)
            .slice(0, query.limit)
        ),
      running: Effect.map(runs.values, (all) =>
        all.filter((r) => r.status === "running").sort((a, b) => -newestFirst(a, b))
      ),
      heartbeat: (id, at) =>
        store.transaction(
          Effect.gen(function* () {
            const run = yield* runs.get(id)
            if (Option.isNone(run) || run.value.status !== "running") return false
            yield* runs.put(id, new Job.JobRun({ ...run.value, heartbeatAt: Option.some(at) }))
            return true
          })
        ),
      abandonStale: (now, { marginSeconds, leaseSeconds }) =>
        store.transaction(
          Effect.gen(function* () {
            const marked: Array<Job.JobRun> = []
            const nowMillis = DateTime.toEpochMillis(now)
            for (const run of yield* runs.values) {
              if (run.status !== "running") continue
              const job = yield* jobs.get(run.jobId)
              const limitSeconds =
                Option.match(job, { onNone: () => 0, onSome: (j) => j.timeoutSeconds }) + marginSeconds
              const overdue = DateTime.toEpochMillis(run.startedAt) + limitSeconds * 1000 < nowMillis
              const silent = Option.exists(
                run.heartbeatAt,
                (at) => DateTime.toEpochMillis(at) + leaseSeconds * 1000 < nowMillis
              )
              if (!overdue && !silent) continue
              const ended = new Job.JobRun({
                ...run,
                status: "abandoned",
                finishedAt: Option.some(now),
                error: Option.some("the instance running it stopped before it finished")
              })
              yield* endRun(run, ended)
              marked.push(ended)
            }
            return marked
          })
        ),
      pruneRuns: (before) =>
        store.transaction(
          Effect.gen(function* () {
            let removed = 0
            for (const run of yield* runs.values) {
              if (run.status === "running") continue
              if (!Option.exists(run.finishedAt, (at) => DateTime.lessThan(at, before))) continue
              yield* runs.remove(run.id)
              yield* occurrences.remove(occurrenceKey(run.jobId, run.scheduledAt))
              removed++
            }
            return removed
          })
        )
    }
  })
)
