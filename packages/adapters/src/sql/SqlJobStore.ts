import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { Fragment } from "@effect/sql/Statement"
import { Errors, Ids, Job, JobSchedule, JobStore } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { column, columnNames, EpochMillis, JsonText, modelRow, nullable, SqlBoolean } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { keyset } from "./Keyset.js"
import { orDie } from "./SqlErrors.js"
import { insertIfNew, insertNew, updateAtVersion } from "./SqlRows.js"

const JobColumns = Schema.Struct({
  ...Job.Job.fields,
  schedule: JsonText(JobSchedule.Schedule),
  parameters: JsonText(Job.JobParameters),
  enabled: SqlBoolean,
  misfireGraceSeconds: column("misfire_grace_seconds", Job.MisfireGraceSeconds),
  // `coalesce` is an SQL function name.
  coalesce: column("coalesce_missed", SqlBoolean),
  timeoutSeconds: column("timeout_seconds", Job.TimeoutSeconds),
  nextRunAt: nullable("next_run_at", EpochMillis),
  createdAt: column("created_at", EpochMillis),
  updatedAt: column("updated_at", EpochMillis)
})

/** A `jobs` row as the model it stores. */
export const JobRow = modelRow(Job.Job, JobColumns)

const RunColumns = Schema.Struct({
  ...Job.JobRun.fields,
  jobId: column("job_id", Ids.JobId),
  scheduledAt: column("scheduled_at", EpochMillis),
  instanceId: column("instance_id", Job.JobRun.fields.instanceId),
  startedAt: column("started_at", EpochMillis),
  heartbeatAt: nullable("heartbeat_at", EpochMillis),
  finishedAt: nullable("finished_at", EpochMillis),
  error: Schema.OptionFromNullOr(Schema.String),
  summary: Schema.OptionFromNullOr(Schema.String)
})

/** A `job_runs` row as the model it stores. */
export const JobRunRow = modelRow(Job.JobRun, RunColumns)

/** What `abandonStale` records as the error of a run whose instance died. */
const abandoned = "the instance running it stopped before it finished"

/** The SQL version of `JobStore`; its unique indexes make claims exactly-once across instances. */
export const layer: Layer.Layer<JobStore.JobStore, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  JobStore.JobStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const columns = sql.literal(columnNames(JobColumns).join(", "))
    // Quoted: `trigger` is a reserved word in MySQL.
    const runColumns = sql.csv(columnNames(RunColumns).map((name) => sql`${sql(name)}`))
    const encode = Schema.encode(JobRow)
    const encodeRun = Schema.encode(JobRunRow)
    const decodeJobs = Schema.decodeUnknown(Schema.Array(JobRow))
    const decodeRuns = Schema.decodeUnknown(Schema.Array(JobRunRow))
    const jobs = (where: Fragment) =>
      orDie(Effect.flatMap(query(sql`SELECT ${columns} FROM jobs WHERE ${where} ORDER BY id`), decodeJobs))
    const decoded = (rows: Effect.Effect<ReadonlyArray<object>, SqlError>) => orDie(Effect.flatMap(rows, decodeRuns))
    const runs = (statement: Parameters<typeof query>[0]) => decoded(query(statement))
    const millis = (time: DateTime.Utc) => DateTime.toEpochMillis(time)

    return {
      findById: (id) => Effect.map(jobs(sql`id = ${id}`), (rows) => Option.fromNullable(rows[0])),
      list: jobs(sql.literal("1=1")),
      insert: (job) => orDie(Effect.flatMap(encode(job), (row) => insertNew(dialect, "jobs", "Job", row))),
      update: (job, expectedVersion) =>
        orDie(Effect.flatMap(encode(job), (row) => updateAtVersion(sql, dialect, "jobs", "Job", row, expectedVersion))),
      advance: (id, expected, nextRunAt) => {
        const current = Option.match(expected.nextRunAt, {
          onNone: () => sql.literal("next_run_at IS NULL"),
          onSome: (at) => sql`next_run_at = ${millis(at)}`
        })
        const next = Option.match(nextRunAt, { onNone: () => null, onSome: millis })
        return orDie(
          Effect.map(
            dialect.rowCount(
              sql`UPDATE jobs SET next_run_at = ${next}
                WHERE id = ${id} AND version = ${expected.version} AND ${current}`
            ),
            (n) => n > 0
          )
        )
      },
      claim: (run) =>
        orDie(
          Effect.gen(function* () {
            if (yield* insertIfNew(dialect, "job_runs", yield* encodeRun(run))) return
            // Which unique index refused it, in the in-memory store's order: the occurrence first.
            const holders = yield* query(
              sql<{ readonly id: string; readonly scheduled_at: number }>`SELECT id, scheduled_at FROM job_runs
                WHERE job_id = ${run.jobId} AND (scheduled_at = ${millis(run.scheduledAt)} OR status = 'running')`
            )
            if (holders.some((h) => Number(h.scheduled_at) === millis(run.scheduledAt))) {
              return yield* new JobStore.OccurrenceClaimed({ jobId: run.jobId, scheduledAt: run.scheduledAt })
            }
            const running = holders[0]
            if (running !== undefined) {
              return yield* new JobStore.JobBusy({ jobId: run.jobId, runId: Ids.JobRunId.make(running.id) })
            }
            return yield* Effect.die(new Errors.DuplicateKey({ entity: "JobRun", field: "id", value: run.id }))
          })
        ),
      finish: (id, result) =>
        Effect.map(
          decoded(
            dialect.writeReturning(
              sql`UPDATE job_runs SET status = ${result.status}, finished_at = ${millis(result.finishedAt)},
                error = ${Option.getOrNull(result.error)}, summary = ${Option.getOrNull(result.summary)}
                WHERE id = ${id} AND status = 'running'`,
              runColumns,
              sql`SELECT ${runColumns} FROM job_runs WHERE id = ${id}`
            )
          ),
          (rows) => Option.fromNullable(rows[0])
        ),
      findRun: (id) =>
        Effect.map(runs(sql`SELECT ${runColumns} FROM job_runs WHERE id = ${id}`), (rows) =>
          Option.fromNullable(rows[0])
        ),
      lastRun: (jobId) =>
        Effect.map(
          runs(
            sql`SELECT ${runColumns} FROM job_runs WHERE job_id = ${jobId} ORDER BY scheduled_at DESC, id DESC LIMIT 1`
          ),
          (rows) => Option.fromNullable(rows[0])
        ),
      listRuns: (request) => {
        const page = keyset(sql, { column: "scheduled_at", id: "id", nullsLast: false }, "desc", request.after)
        if (page === undefined) return Effect.succeed([])
        const where: Array<Fragment> = [sql`job_id = ${request.jobId}`]
        if (Option.isSome(page.after)) where.push(page.after.value)
        return runs(
          sql`SELECT ${runColumns} FROM job_runs WHERE ${sql.and(where)} ORDER BY ${page.orderBy} LIMIT ${request.limit}`
        )
      },
      running: runs(sql`SELECT ${runColumns} FROM job_runs WHERE status = 'running' ORDER BY scheduled_at, id`),
      heartbeat: (id, at) =>
        orDie(
          Effect.map(
            dialect.rowCount(
              sql`UPDATE job_runs SET heartbeat_at = ${millis(at)} WHERE id = ${id} AND status = 'running'`
            ),
            (n) => n > 0
          )
        ),
      abandonStale: (now, { marginSeconds, leaseSeconds }) =>
        decoded(
          dialect.updateReturning({
            table: "job_runs",
            set: sql`status = 'abandoned', finished_at = ${millis(now)}, error = ${abandoned}`,
            where: sql`status = 'running' AND (started_at
              + (COALESCE((SELECT j.timeout_seconds FROM jobs j WHERE j.id = job_runs.job_id), 0) + ${marginSeconds}) * 1000
              < ${millis(now)} OR heartbeat_at < ${millis(now) - leaseSeconds * 1000})`,
            returning: runColumns
          })
        ),
      pruneRuns: (before) =>
        orDie(
          Effect.map(
            dialect.rowCount(sql`DELETE FROM job_runs WHERE status <> 'running' AND finished_at < ${millis(before)}`),
            (n) => n
          )
        )
    }
  })
)
