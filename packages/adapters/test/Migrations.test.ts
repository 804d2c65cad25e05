import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import {
  Assignment,
  AssignmentRepo,
  AuditEvent,
  Comment as CommentModel,
  CommentRepo,
  Document,
  DocumentRepo,
  EventLog,
  Ids,
  Job,
  JobStore,
  Project,
  ProjectRepo,
  RepairRequest,
  RepairRequestRepo,
  Task,
  TaskQuery,
  TaskRepo,
  Template,
  TemplateRepo,
  User,
  UserRepo
} from "@taskdesk/core"
import {
  at,
  makeAssignment,
  makeComment,
  makeJob,
  makeJobRun,
  makeProject,
  makeRepairRequest,
  makeTask,
  makeTemplate,
  makeUser,
  uniqueId
} from "@taskdesk/core/testing"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import type { Dialect } from "../src/sql/Dialect.js"
import * as Migrations from "../src/sql/Migrations.js"
import { migrations } from "../src/sql/migrations/index.js"
import * as SqlStorage from "../src/sql/SqlStorage.js"
import { describeMysql, freshDatabase, mysqlUrl } from "../testing/Mysql.js"
import { describePg, freshSchema, pgUrl } from "../testing/Postgres.js"
import { runFixture } from "./fixtures/child.js"

const ids = Object.keys(migrations).map((key) => Number(key.slice(0, 4)))
const latest = Math.max(...ids)

const same = <A, I>(schema: Schema.Schema<A, I>, actual: Option.Option<A>, expected: A) =>
  assert.deepStrictEqual(Schema.encodeSync(schema)(Option.getOrThrow(actual)), Schema.encodeSync(schema)(expected))

/**
 * Rows for every port whose tables exist after migration `k`, written through the repositories
 * as they were then, and a check that reads them back after the upgrade.
 */
const seed = (k: number) =>
  Effect.gen(function* () {
    const user = makeUser({ name: "Мигрант", telegramId: Option.some(5_000_000 + k) })
    const project = makeProject({ memberIds: [user.id] })
    const task = makeTask({
      title: "Перенести 数据",
      assigneeIds: [user.id],
      tags: ["migrated"],
      projectId: Option.some(project.id),
      dueAt: Option.some(at("2026-06-01T10:00:00.5Z"))
    })
    const subject = new AuditEvent.Subject({ kind: "task", id: task.id })
    yield* (yield* UserRepo.UserRepo).insert(user)
    yield* (yield* ProjectRepo.ProjectRepo).insert(project)
    yield* (yield* TaskRepo.TaskRepo).insert(task)
    const event = yield* (yield* EventLog.EventLog).append({
      at: at("2026-06-01T10:00:00Z"),
      actorId: user.id,
      subject,
      parent: Option.none(),
      payload: { _tag: "task.created", title: task.title, priority: task.priority, assigneeIds: [user.id] }
    })
    const template = k >= 2 ? makeTemplate({ estimatedMinutes: Option.some(30) }) : undefined
    if (template) yield* (yield* TemplateRepo.TemplateRepo).insert(template)
    const assignment = k >= 3 ? makeAssignment({ taskId: task.id, assigneeId: user.id }) : undefined
    if (assignment) yield* (yield* AssignmentRepo.AssignmentRepo).insert(assignment)
    const comment = k >= 4 ? makeComment({ taskId: task.id, body: "до обновления" }) : undefined
    if (comment) yield* (yield* CommentRepo.CommentRepo).insert(comment)
    const projectId = project.id
    const document =
      k >= 5
        ? new Document.Document({
            id: Ids.DocumentId.make(uniqueId("doc")),
            projectId,
            kind: "incoming",
            registrationNumber: "IN-0001",
            title: "Письмо",
            date: at("2026-05-01T00:00:00Z"),
            body: "",
            authorId: user.id,
            parentId: Option.none(),
            taskId: Option.some(task.id),
            createdAt: at("2026-05-02T00:00:00Z"),
            version: 1
          })
        : undefined
    if (document) {
      const documents = yield* DocumentRepo.DocumentRepo
      assert.strictEqual(yield* documents.nextRegistrationNumber(projectId, "incoming"), 1)
      yield* documents.insert(document)
    }
    const repair = k >= 6 ? makeRepairRequest({ number: 1 }) : undefined
    if (repair) {
      const repairs = yield* RepairRequestRepo.RepairRequestRepo
      assert.strictEqual(yield* repairs.nextNumber, 1)
      yield* repairs.insert(repair)
    }
    const job = k >= 7 ? makeJob() : undefined
    const run = job === undefined ? undefined : makeJobRun(job.id)
    if (job && run) {
      const jobs = yield* JobStore.JobStore
      yield* jobs.insert(job)
      if (k >= 10) yield* jobs.claim(run)
      else {
        // Before migration 10 a run had no heartbeat column: the row as the repository wrote it then.
        const sql = yield* SqlClient.SqlClient
        const millis = DateTime.toEpochMillis
        yield* sql`INSERT INTO job_runs (id, job_id, scheduled_at, ${sql("trigger")}, instance_id, status, started_at,
          finished_at, error, summary, coalesced) VALUES (${run.id}, ${run.jobId}, ${millis(run.scheduledAt)},
          ${run.trigger}, ${run.instanceId}, ${run.status}, ${millis(run.startedAt)}, NULL, NULL, NULL, ${run.coalesced})`
      }
    }

    return Effect.gen(function* () {
      same(User.User, yield* (yield* UserRepo.UserRepo).findById(user.id), user)
      same(Project.Project, yield* (yield* ProjectRepo.ProjectRepo).findById(project.id), project)
      const tasks = yield* TaskRepo.TaskRepo
      same(Task.Task, yield* tasks.findById(task.id), task)
      // The rows the filters use survived too.
      const listed = yield* tasks.list({
        filter: new TaskQuery.TaskFilter({ assigneeId: user.id, tag: "migrated" }),
        visibility: { _tag: "Restricted", projectIds: [project.id] },
        sort: "due",
        order: "asc",
        after: Option.none(),
        limit: 10,
        now: at("2026-06-02T00:00:00Z")
      })
      assert.deepStrictEqual(
        listed.map((t) => t.id),
        [task.id]
      )
      assert.deepStrictEqual(
        (yield* (yield* ProjectRepo.ProjectRepo).list({ involving: user.id })).map((p) => p.id),
        [project.id]
      )
      const history = yield* (yield* EventLog.EventLog).list({
        after: Option.none(),
        about: Option.some(subject),
        limit: 10
      })
      assert.deepStrictEqual(
        history.map((e) => e.sequence),
        [event.sequence]
      )
      if (template)
        same(Template.TaskTemplate, yield* (yield* TemplateRepo.TemplateRepo).findById(template.id), template)
      if (assignment) {
        same(Assignment.Assignment, yield* (yield* AssignmentRepo.AssignmentRepo).findById(assignment.id), assignment)
      }
      if (comment) {
        const comments = yield* (yield* CommentRepo.CommentRepo).listByTask(task.id)
        same(CommentModel.Comment, Option.fromNullable(comments[0]), comment)
      }
      if (document) {
        const documents = yield* DocumentRepo.DocumentRepo
        same(Document.Document, yield* documents.findById(document.id), document)
        assert.strictEqual(yield* documents.nextRegistrationNumber(projectId, "incoming"), 2)
      }
      if (repair) {
        const repairs = yield* RepairRequestRepo.RepairRequestRepo
        same(RepairRequest.RepairRequest, yield* repairs.findByNumber(1), repair)
        assert.strictEqual(yield* repairs.nextNumber, 2)
      }
      if (job && run) {
        const jobs = yield* JobStore.JobStore
        same(Job.Job, yield* jobs.findById(job.id), job)
        assert.strictEqual((yield* jobs.claim(run).pipe(Effect.flip))._tag, "OccurrenceClaimed")
        // A run from before heartbeats reads back without one, and is judged by its timeout alone.
        const stored = Option.getOrThrow(yield* jobs.findRun(run.id))
        assert.strictEqual(Option.isSome(stored.heartbeatAt), k >= 10)
      }
    })
  })

const tablesIn = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    pg: () =>
      sql<{ readonly name: string }>`SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() ORDER BY 1`,
    mysql: () =>
      sql<{ readonly name: string }>`SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = DATABASE() ORDER BY 1`,
    orElse: () =>
      sql<{ readonly name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'
        AND name NOT LIKE 'sqlite_%' ORDER BY 1`
  })
).pipe(Effect.map((rows) => rows.map((r) => r.name)))

/**
 * `transactionalDdl`: whether a failed migration can be undone (SQLite, PostgreSQL); MySQL commits
 * each DDL statement as it runs.
 */
const suite = (
  name: string,
  fresh: () => Layer.Layer<SqlClient.SqlClient | Dialect, unknown>,
  transactionalDdl = true
) =>
  describe(`migrations: ${name}`, () => {
    const withFresh = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | Dialect>) =>
      Effect.provide(effect, fresh())

    it.effect("migrate an empty database, then find nothing left to do", () =>
      withFresh(
        Effect.gen(function* () {
          assert.deepStrictEqual(yield* tablesIn, [])
          const ran = yield* Migrations.run
          assert.deepStrictEqual(
            ran.map(([id]) => id),
            ids
          )
          const tables = yield* tablesIn
          for (const table of ["users", "tasks", "task_assignees", "events", "documents", Migrations.table]) {
            assert.include(tables, table)
          }
          assert.deepStrictEqual(yield* Migrations.run, [])
        })
      )
    )

    for (const k of ids.filter((id) => id < latest)) {
      it.effect(`upgrade from the state after migration ${k}, with data in it`, () =>
        withFresh(
          Effect.gen(function* () {
            yield* Migrations.runUpTo(k)
            const check = yield* seed(k)
            const ran = yield* Migrations.run
            assert.deepStrictEqual(
              ran.map(([id]) => id),
              ids.filter((id) => id > k)
            )
            yield* check
          }).pipe(Effect.provide(SqlStorage.repositories))
        )
      )
    }

    const failLater = Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* Migrations.runUpTo(1)
      // A table migration 3 creates is in the way: it fails.
      yield* sql.unsafe("CREATE TABLE assignments (x integer)")
      yield* sql.unsafe("CREATE TABLE zz_marker (x integer)")
      const exit = yield* Effect.exit(Migrations.run)
      assert.isTrue(exit._tag === "Failure")
      const recorded = yield* sql<{
        readonly migration_id: number
      }>`SELECT migration_id FROM ${sql(Migrations.table)} ORDER BY migration_id`
      return { tables: yield* tablesIn, recorded: recorded.map((r) => Number(r.migration_id)) }
    })

    if (transactionalDdl) {
      it.effect("roll a failed migration back entirely", () =>
        withFresh(
          Effect.gen(function* () {
            // The whole run is one transaction: migration 2 went with the failed 3.
            const { recorded, tables } = yield* failLater
            assert.notInclude(tables, "templates")
            assert.deepStrictEqual(recorded, [1])
          })
        )
      )
    } else {
      it.effect("record the migrations before a failed one, and not the failed one", () =>
        withFresh(
          Effect.gen(function* () {
            const { recorded, tables } = yield* failLater
            assert.include(tables, "templates")
            assert.deepStrictEqual(recorded, [1, 2])
            // Once the obstacle is gone, the next start runs the rest.
            const sql = yield* SqlClient.SqlClient
            yield* sql.unsafe("DROP TABLE assignments")
            assert.deepStrictEqual(
              (yield* Migrations.run).map(([id]) => id),
              ids.filter((id) => id > 2)
            )
          })
        )
      )
    }
  })

suite("SQLite", () => SqlStorage.clientSqlite({ filename: ":memory:" }))

describe("migrations: SQLite, two processes starting at once", () => {
  it.effect("both start; the migrations run once", () =>
    Effect.gen(function* () {
      const filename = join(tmpdir(), `taskdesk-migrate-${process.pid}-${Date.now()}.sqlite`)
      const start = Effect.promise(() => runFixture("./migrate.ts", [filename]))
      const outputs = yield* Effect.all([start, start], { concurrency: 2 })
      const ran = outputs.map((out) => JSON.parse(out) as Array<number>)
      assert.deepStrictEqual(
        ran.flat().sort((a, b) => a - b),
        ids
      )
      const count = yield* Effect.provide(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql<{ readonly n: number }>`SELECT COUNT(*) AS n FROM ${sql(Migrations.table)}`
        ),
        SqlStorage.clientSqlite({ filename })
      )
      assert.strictEqual(Number(count[0]!.n), ids.length)
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${filename}${suffix}`, { force: true })
    })
  )
}, 30_000)

describePg("PostgreSQL", () => {
  const freshPg = () =>
    Layer.unwrapScoped(Effect.map(freshSchema("migrate"), (schema) => SqlStorage.clientPg({ url: pgUrl, schema })))
  suite("PostgreSQL", freshPg)

  describe("migrations: PostgreSQL, two processes starting at once", () => {
    it.effect("both start; the migrations run once", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const schema = yield* freshSchema("migrate2")
          const start = Effect.provide(Migrations.run, SqlStorage.clientPg({ url: pgUrl, schema, poolSize: 2 }))
          const [a, b] = yield* Effect.all([start, start], { concurrency: 2 })
          assert.deepStrictEqual(
            [...a, ...b].map(([id]) => id),
            ids
          )
        })
      )
    )
  })
})

describeMysql("MySQL", () => {
  const freshMysql = () =>
    Layer.unwrapScoped(
      Effect.map(freshDatabase("migrate"), (database) => SqlStorage.clientMysql({ url: mysqlUrl(database) }))
    )
  suite("MySQL", freshMysql, false)

  describe("migrations: MySQL, two processes starting at once", () => {
    it.effect("both start; the migrations run once", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const url = mysqlUrl(yield* freshDatabase("migrate2"))
          const start = Effect.provide(Migrations.run, SqlStorage.clientMysql({ url, poolSize: 3 }))
          const [a, b] = yield* Effect.all([start, start], { concurrency: 2 })
          assert.deepStrictEqual(
            [...a, ...b].map(([id]) => id).sort((x, y) => x - y),
            ids
          )
        })
      )
    )
  })
})
