import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { typesOf } from "./types.js"

/**
 * Scheduled jobs and their runs. Two unique indexes make claims exactly-once across instances:
 * one run per (job, scheduled time), and at most one `running` run per job. Frozen once released.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const t = typesOf(sql)
  // A reserved word in MySQL.
  const trigger = sql.onDialectOrElse({ mysql: () => "`trigger`", orElse: () => "trigger" })
  for (const statement of [
    `CREATE TABLE jobs (
      id ${t.key} PRIMARY KEY NOT NULL,
      description ${t.text} NOT NULL,
      handler ${t.text} NOT NULL,
      schedule ${t.text} NOT NULL,
      parameters ${t.text} NOT NULL,
      enabled ${t.boolean} NOT NULL,
      misfire_grace_seconds ${t.integer} NOT NULL,
      coalesce_missed ${t.boolean} NOT NULL,
      timeout_seconds ${t.integer} NOT NULL,
      next_run_at ${t.bigint},
      created_at ${t.bigint} NOT NULL,
      updated_at ${t.bigint} NOT NULL,
      version ${t.integer} NOT NULL
    )`,
    `CREATE TABLE job_runs (
      id ${t.key} PRIMARY KEY NOT NULL,
      job_id ${t.key} NOT NULL,
      scheduled_at ${t.bigint} NOT NULL,
      ${trigger} ${t.text} NOT NULL,
      instance_id ${t.text} NOT NULL,
      status ${t.key} NOT NULL,
      started_at ${t.bigint} NOT NULL,
      finished_at ${t.bigint},
      error ${t.text},
      summary ${t.text},
      coalesced ${t.integer} NOT NULL,
      UNIQUE (job_id, scheduled_at)
    )`,
    ...sql.onDialectOrElse({
      // No partial indexes: a generated column holds the job id of running runs only (NULLs never clash).
      mysql: () => [
        `ALTER TABLE job_runs ADD COLUMN running_job_id ${t.key}
          AS (CASE WHEN status = 'running' THEN job_id END) STORED`,
        `CREATE UNIQUE INDEX job_runs_one_running ON job_runs (running_job_id)`
      ],
      orElse: () => [`CREATE UNIQUE INDEX job_runs_one_running ON job_runs (job_id) WHERE status = 'running'`]
    }),
    `CREATE INDEX job_runs_by_job ON job_runs (job_id, scheduled_at, id)`,
    `CREATE INDEX job_runs_by_status ON job_runs (status, scheduled_at, id)`,
    `CREATE INDEX job_runs_by_finished ON job_runs (finished_at)`
  ]) {
    yield* sql.unsafe(statement)
  }
})
