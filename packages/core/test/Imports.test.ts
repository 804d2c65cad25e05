import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Option } from "effect"
import * as Actor from "../src/Actor.js"
import * as ImportMapping from "../src/ImportMapping.js"
import { ImportRejected, Imports, type ImportTable } from "../src/Imports.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { TaskRepo } from "../src/TaskRepo.js"
import { Tasks } from "../src/Tasks.js"
import { UserRepo } from "../src/UserRepo.js"
import { Users } from "../src/Users.js"

/** A table from simple comma-separated lines (no quoting: the server's CSV parser is tested there). */
const table = (...lines: ReadonlyArray<string>): ImportTable => {
  const [header, ...rows] = lines
  return {
    header: header!.split(","),
    rows: rows.map((line, i) => ({ line: i + 2, cells: line.split(",") }))
  }
}

const users = table(
  "id,username,telegram_id,role,created_at,updated_at,is_active",
  "1,olga_boss,100001,admin,2024-01-10 09:00:00,2024-01-10 09:00:00,True",
  "2,ivan_w,100002,user,2024-01-11T10:00:00,2024-01-12T10:00:00,True",
  "3,li_wei,,Manager,2024-01-12,2024-01-12,true",
  "4,old_timer,100004,user,2023-05-01,2023-06-01,False"
)

const tasks = table(
  "ID,Title,Description,Status,Priority,Assigned_To,Created_By,Due_Date,Created_At,Updated_At",
  "1,Fix the fridge,,pending,high,2,1,2024-02-01,2024-01-15 08:00:00,2024-01-15 08:00:00",
  "2,Wash machine,,in progress,medium,2;3,3,,2024-01-16T09:30:00,2024-01-17T09:30:00",
  "3,Old job,,completed,low,,1,2024-03-01T12:00:00Z,2024-01-18,2024-01-20",
  "4,Order parts,,Canceled,urgent,ivan_w,olga_boss,,2024-01-19,2024-01-19"
)

const rejectedBy = <A, R>(effect: Effect.Effect<A, unknown, R>) =>
  Effect.flatMap(Effect.flip(effect), (e) =>
    e instanceof ImportRejected ? Effect.succeed(e) : Effect.die(new Error(`not rejected: ${String(e)}`))
  )

describe("Imports", () => {
  it("maps the seed's spellings of statuses, priorities, roles and times", () => {
    assert.strictEqual(ImportMapping.status("Pending"), "todo")
    assert.strictEqual(ImportMapping.status("new"), "todo")
    assert.strictEqual(ImportMapping.status("in progress"), "in_progress")
    assert.strictEqual(ImportMapping.status("In_Progress"), "in_progress")
    assert.strictEqual(ImportMapping.status("closed"), "done")
    assert.strictEqual(ImportMapping.status("canceled"), "cancelled")
    assert.strictEqual(ImportMapping.status("someday"), undefined)
    assert.strictEqual(ImportMapping.priority("MEDIUM"), "normal")
    assert.strictEqual(ImportMapping.priority("whenever"), undefined)
    assert.strictEqual(ImportMapping.role("user"), "worker")
    assert.strictEqual(ImportMapping.role("Administrator"), "admin")
    assert.strictEqual(ImportMapping.role("king"), undefined)
    assert.strictEqual(ImportMapping.boolean("False"), false)
    assert.strictEqual(ImportMapping.boolean("maybe"), undefined)
    const iso = (t: string) => Option.map(ImportMapping.instant(t), DateTime.formatIso)
    assert.deepStrictEqual(iso("2024-01-15"), Option.some("2024-01-15T00:00:00.000Z"))
    assert.deepStrictEqual(iso("2024-01-15 10:30:00.123456"), Option.some("2024-01-15T10:30:00.123Z"))
    assert.deepStrictEqual(iso("2024-01-15T10:30:00+03:00"), Option.some("2024-01-15T07:30:00.000Z"))
    assert.deepStrictEqual(iso("2024-02-30"), Option.none())
    assert.deepStrictEqual(iso("15.01.2024"), Option.none())
  })

  it.effect("imports seed-format people and tasks, resolving people by the file's ids and usernames", () =>
    Effect.gen(function* () {
      const imports = yield* Imports
      const summary = yield* imports.users(users, { dryRun: false })
      assert.deepInclude(summary, { created: 4, updated: 0, unchanged: 0 })
      const repo = yield* UserRepo
      const ivan = Option.getOrThrow(yield* repo.findByUsername("ivan_w"))
      assert.strictEqual(ivan.role, "worker")
      assert.deepStrictEqual(ivan.telegramId, Option.some(100002))
      assert.strictEqual(DateTime.formatIso(ivan.createdAt), "2024-01-11T10:00:00.000Z")
      assert.isFalse(Option.getOrThrow(yield* repo.findByUsername("old_timer")).active)
      const li = Option.getOrThrow(yield* repo.findByUsername("li_wei"))
      assert.strictEqual(li.role, "manager")

      const taskSummary = yield* imports.tasks(tasks, { dryRun: false })
      assert.deepInclude(taskSummary, { rows: 4, created: 4 })
      const page = yield* (yield* Tasks).list({ sort: "created", order: "asc" })
      assert.deepStrictEqual(
        page.items.map((t) => [t.title, t.status, t.priority]),
        [
          ["Fix the fridge", "todo", "high"],
          ["Wash machine", "in_progress", "normal"],
          ["Old job", "done", "low"],
          ["Order parts", "cancelled", "urgent"]
        ]
      )
      const [fridge, wash, old, parts] = page.items
      const olga = Option.getOrThrow(yield* repo.findByUsername("olga_boss"))
      assert.deepStrictEqual(fridge!.assigneeIds, [ivan.id])
      assert.strictEqual(fridge!.createdBy, olga.id)
      assert.deepStrictEqual(wash!.assigneeIds, [ivan.id, li.id])
      assert.strictEqual(wash!.createdBy, li.id)
      assert.deepStrictEqual(Option.map(old!.completedAt, DateTime.formatIso), Option.some("2024-01-20T00:00:00.000Z"))
      assert.deepStrictEqual(parts!.assigneeIds, [ivan.id])
    }).pipe(Actor.asSystem, Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("importing the same files again changes nothing and makes no duplicates", () =>
    Effect.gen(function* () {
      const imports = yield* Imports
      yield* imports.users(users, { dryRun: false })
      yield* imports.tasks(tasks, { dryRun: false })
      const before = yield* (yield* TaskRepo).list({
        filter: {},
        visibility: { _tag: "All" },
        sort: "created",
        order: "asc",
        after: Option.none(),
        limit: 100,
        now: yield* DateTime.now
      })
      assert.deepInclude(yield* imports.users(users, { dryRun: false }), { created: 0, updated: 0, unchanged: 4 })
      assert.deepInclude(yield* imports.tasks(tasks, { dryRun: false }), { created: 0, updated: 0, unchanged: 4 })
      const after = (yield* (yield* Tasks).list({ limit: 100, sort: "created", order: "asc" })).items
      assert.deepStrictEqual(
        after.map((t) => [t.id, t.version]),
        before.map((t) => [t.id, t.version])
      )
      // A changed row updates its task in place.
      const changed = table(tasks.header.join(","), "1,Fix the fridge today,,done,high,2,1,,2024-01-15,2024-02-01")
      assert.deepInclude(yield* imports.tasks(changed, { dryRun: false }), { created: 0, updated: 1 })
      const fridge = Option.getOrThrow(yield* (yield* TaskRepo).findById(before[0]!.id))
      assert.strictEqual(fridge.title, "Fix the fridge today")
      assert.strictEqual(fridge.status, "done")
      assert.strictEqual(fridge.version, 2)
      assert.isTrue(Option.isNone(fridge.dueAt), "an empty due_date clears it")
    }).pipe(Actor.asSystem, Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("a dry run checks everything and writes nothing", () =>
    Effect.gen(function* () {
      const imports = yield* Imports
      assert.deepInclude(yield* imports.users(users, { dryRun: true }), { dryRun: true, created: 4 })
      assert.isTrue(Option.isNone(yield* (yield* UserRepo).findByUsername("ivan_w")))
      yield* imports.users(users, { dryRun: false })
      assert.deepInclude(yield* imports.tasks(tasks, { dryRun: true }), { dryRun: true, created: 4 })
      assert.strictEqual((yield* (yield* Tasks).list({})).items.length, 0)
    }).pipe(Actor.asSystem, Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("a file with bad rows is refused whole, every bad row named with its line and column", () =>
    Effect.gen(function* () {
      const imports = yield* Imports
      yield* imports.users(users, { dryRun: false })
      const bad = table(
        tasks.header.join(","),
        "10,Fine row,,todo,low,,1,,2024-01-15,2024-01-15",
        "11,Bad status,,someday,low,,1,,2024-01-15,2024-01-15",
        "12,Bad date,,todo,low,,1,2024-13-45,2024-01-15,2024-01-15",
        "13,Unknown user,,todo,low,99,1,,2024-01-15,2024-01-15",
        "14,Ragged,,todo",
        "15,Inactive assignee,,todo,whenever,4,1,,2024-01-15,2024-01-15",
        "10,Same id again,,todo,low,,1,,2024-01-15,2024-01-15"
      )
      const rejected = yield* rejectedBy(imports.tasks(bad, { dryRun: false }))
      const seen = rejected.errors.map((e) => [e.line, e.column])
      assert.deepStrictEqual(seen, [
        [3, "status"],
        [4, "due_date"],
        [5, "assigned_to"],
        [6, "(row)"],
        [7, "priority"],
        [7, "assigned_to"],
        [8, "id"]
      ])
      assert.include(rejected.errors[0]!.reason, '"someday"')
      assert.include(rejected.errors[2]!.reason, '"99"')
      assert.strictEqual((yield* (yield* Tasks).list({})).items.length, 0, "not even the fine row")
    }).pipe(Actor.asSystem, Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("a missing required column is one error naming it", () =>
    Effect.gen(function* () {
      const imports = yield* Imports
      const rejected = yield* rejectedBy(imports.users(table("id,login_name,role", "1,x,admin"), { dryRun: true }))
      assert.deepStrictEqual(
        rejected.errors.map((e) => [e.line, e.column]),
        [[1, "username"]]
      )
      assert.include(rejected.errors[0]!.reason, 'missing required column "username"')
    }).pipe(Actor.asSystem, Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("only administrators import, and an import cannot leave no active administrator", () =>
    Effect.gen(function* () {
      const imports = yield* Imports
      const manager = yield* (yield* Users)
        .create({ name: "M", username: "manager_m", role: "manager" })
        .pipe(Actor.asSystem)
      const refused = yield* Effect.flip(imports.users(users, { dryRun: true }).pipe(Actor.as(manager)))
      assert.strictEqual(refused._tag, "Forbidden")
      yield* imports.users(users, { dryRun: false }).pipe(Actor.asSystem)
      const demote = table("id,username,role", "1,olga_boss,user")
      const rejected = yield* rejectedBy(imports.users(demote, { dryRun: false }).pipe(Actor.asSystem))
      assert.include(rejected.errors[0]!.reason, "no active administrator")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})
