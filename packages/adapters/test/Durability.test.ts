import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { EventLog, Ids, TaskRepo } from "@taskdesk/core"
import { Effect, Layer, Option } from "effect"
import * as SqlStorage from "../src/sql/SqlStorage.js"
import { describeMysql, freshDatabase, mysqlUrl } from "../testing/Mysql.js"
import { describePg, freshSchema, pgUrl } from "../testing/Postgres.js"
import { spawnFixture } from "./fixtures/child.js"

/** Enough commits to be mid-stream, few enough to keep the test quick. */
const killAfter = 320

/**
 * Transactions the writer keeps in flight at once: on SQLite they queue while one runs and commit
 * in groups, so the kill can land in the middle of a group's COMMIT.
 */
const writers = 16

/**
 * Starts the writer, lets it commit at least `killAfter` tasks, kills it with SIGKILL and returns
 * the ids it reported as committed (complete lines only: a line cut by the kill is not a report).
 */
const writeThenKill = (args: ReadonlyArray<string>) =>
  Effect.async<ReadonlyArray<string>, Error>((resume) => {
    const child = spawnFixture("./writer.ts", args)
    let buffer = ""
    let stderr = ""
    const reported: Array<string> = []
    let killed = false
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split("\n")
      buffer = lines.pop() ?? ""
      reported.push(...lines)
      if (!killed && reported.length >= killAfter) {
        killed = true
        child.kill("SIGKILL")
      }
    })
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("close", (_code, signal) =>
      signal === "SIGKILL" && killed
        ? resume(Effect.succeed(reported))
        : resume(Effect.fail(new Error(`the writer stopped by itself (${signal}): ${stderr}`)))
    )
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/** Every reported task is stored with its event and its index rows; nothing half-written exists. */
const verify = (prefix: string, reported: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    // Ids are `<prefix>-<writer>-<n>`: every writer had transactions acknowledged, so they ran together.
    assert.strictEqual(new Set(reported.map((id) => id.split("-")[1])).size, writers, "every writer wrote")
    const tasks = yield* TaskRepo.TaskRepo
    const log = yield* EventLog.EventLog
    const sql = yield* SqlClient.SqlClient
    const found = yield* tasks.findByIds(reported.map((id) => Ids.TaskId.make(id)))
    assert.strictEqual(found.length, reported.length, "every reported task is there")
    assert.isTrue(found.every((t) => t.assigneeIds.length === 2 && t.tags[0] === "durability"))
    const like = `${prefix}-%`
    const [counts] = yield* sql<{ readonly tasks: number; readonly events: number; readonly assignees: number }>`
      SELECT
        (SELECT COUNT(*) FROM tasks WHERE id LIKE ${like}) AS tasks,
        (SELECT COUNT(*) FROM events WHERE subject_id LIKE ${like}) AS events,
        (SELECT COUNT(*) FROM task_assignees WHERE task_id LIKE ${like}) AS assignees`
    const stored = Number(counts!.tasks)
    // The kill may land between a commit and its reports: at most one task per writer more than reported.
    assert.isTrue(stored >= reported.length && stored <= reported.length + writers, `${stored} stored`)
    assert.strictEqual(Number(counts!.events), stored, "each task has its event, each event its task")
    assert.strictEqual(Number(counts!.assignees), stored * 2, "each task has its assignee rows")
    const last = reported[reported.length - 1]!
    const history = yield* log.list({
      after: Option.none(),
      about: Option.some({ kind: "task", id: last }),
      limit: 10
    })
    assert.strictEqual(history.length, 1)
    // The database still takes writes.
    yield* tasks.delete(Ids.TaskId.make(last), 1)
  })

describe("durability", () => {
  it.effect(
    "SQLite: every reported commit of concurrent writers survives SIGKILL, and the file is consistent",
    () =>
      Effect.gen(function* () {
        const filename = join(tmpdir(), `taskdesk-durability-${process.pid}-${Date.now()}.sqlite`)
        const prefix = `d${Date.now().toString(36)}`
        const reported = yield* writeThenKill(["sqlite", filename, prefix, String(writers)])
        yield* Effect.provide(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            const integrity = yield* sql<{ readonly integrity_check: string }>`PRAGMA integrity_check`
            assert.deepStrictEqual(
              integrity.map((r) => r.integrity_check),
              ["ok"]
            )
            assert.deepStrictEqual(yield* sql`PRAGMA foreign_key_check`, [])
            yield* verify(prefix, reported)
          }),
          Layer.merge(SqlStorage.layerSqlite({ filename }), SqlStorage.clientSqlite({ filename }))
        )
        for (const suffix of ["", "-wal", "-shm"]) rmSync(`${filename}${suffix}`, { force: true })
      }),
    60_000
  )

  describePg("PostgreSQL", () => {
    it.effect(
      "PostgreSQL: every reported commit of concurrent writers survives SIGKILL",
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const schema = yield* freshSchema("durable")
            const prefix = `d${Date.now().toString(36)}`
            const reported = yield* writeThenKill(["pg", pgUrl, schema, prefix, String(writers)])
            const client = SqlStorage.clientPg({ url: pgUrl, schema, poolSize: 2 })
            yield* Effect.provide(
              verify(prefix, reported),
              Layer.merge(SqlStorage.layerPg({ url: pgUrl, schema }), client)
            )
          })
        ),
      60_000
    )
  })

  describeMysql("MySQL", () => {
    it.effect(
      "MySQL: every reported commit of concurrent writers survives SIGKILL",
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const url = mysqlUrl(yield* freshDatabase("durable"))
            const prefix = `d${Date.now().toString(36)}`
            const reported = yield* writeThenKill(["mysql", url, prefix, String(writers)])
            yield* Effect.provide(
              verify(prefix, reported),
              Layer.merge(SqlStorage.layerMysql({ url }), SqlStorage.clientMysql({ url, poolSize: 2 }))
            )
          })
        ),
      60_000
    )
  })
})
