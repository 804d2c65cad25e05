import { assert, describe, layer as withStorage } from "@effect/vitest"
import { DateTime, Effect, type Layer, Option } from "effect"
import { ProjectId, TaskId, UserId } from "../../src/Ids.js"
import { compareKeys, type SortKey } from "../../src/Page.js"
import type { Storage } from "../../src/Storage.js"
import { type Priority, Task, type TaskStatus } from "../../src/Task.js"
import { matches, sortDirections, sortKey, TaskFilter, type TaskRepoQuery, type TaskSort } from "../../src/TaskQuery.js"
import { TaskRepo } from "../../src/TaskRepo.js"
import { Transaction } from "../../src/Transaction.js"
import { at, makeTask, uniqueId } from "../fixtures.js"
import { assertSameModel } from "./same.js"

const statuses: ReadonlyArray<TaskStatus> = ["todo", "in_progress", "done", "cancelled"]
const priorities: ReadonlyArray<Priority> = ["low", "normal", "high", "urgent"]
const sorts: ReadonlyArray<TaskSort> = ["due", "priority", "created", "updated"]
const now = at("2026-03-10T12:00:00Z")

/** A varied set of tasks owned by one fresh creator, so queries can be scoped to it. */
const dataset = (size: number) => {
  const creator = UserId.make(uniqueId("creator"))
  const alice = UserId.make(uniqueId("alice"))
  const bob = UserId.make(uniqueId("bob"))
  const project = ProjectId.make(uniqueId("project"))
  const tasks = Array.from({ length: size }, (_, i) =>
    makeTask({
      title: i % 5 === 0 ? `Починить холодильник №${i}` : `Task ${i}`,
      description: i % 7 === 0 ? "Needs a SPARE part" : "",
      status: statuses[i % 4]!,
      priority: priorities[(i * 3) % 4]!,
      assigneeIds: i % 3 === 0 ? [alice] : i % 3 === 1 ? [alice, bob] : [],
      createdBy: creator,
      projectId: i % 2 === 0 ? Option.some(project) : Option.none(),
      // Some share a due time, some have none: ties and "none last" are both exercised.
      dueAt: i % 4 === 3 ? Option.none() : Option.some(DateTime.add(now, { hours: ((i * 7) % 13) - 6 })),
      tags: i % 2 === 0 ? ["repair"] : ["office", "urgent-ish"],
      createdAt: DateTime.add(now, { minutes: -((i * 11) % 17) }),
      updatedAt: DateTime.add(now, { minutes: (i * 5) % 9 }),
      completedAt: statuses[i % 4] === "done" ? Option.some(now) : Option.none(),
      version: 1 + (i % 3)
    })
  )
  return { creator, alice, bob, project, tasks }
}

/** What a correct store returns: the reference semantics computed in memory. */
const expected = (tasks: ReadonlyArray<Task>, query: TaskRepoQuery): ReadonlyArray<string> => {
  const directions = sortDirections(query.sort, query.order)
  return tasks
    .filter((t) => matches(t, query))
    .map((t) => ({ t, key: sortKey(t, query.sort) }))
    .filter(({ key }) =>
      Option.match(query.after, { onNone: () => true, onSome: (a) => compareKeys(key, a, directions) > 0 })
    )
    .sort((a, b) => compareKeys(a.key, b.key, directions))
    .slice(0, query.limit)
    .map(({ t }) => t.id)
}

const baseQuery = (creator: UserId, filter: Partial<TaskFilter> = {}): TaskRepoQuery => ({
  filter: new TaskFilter({ createdBy: creator, ...filter }),
  visibility: { _tag: "All" },
  sort: "created",
  order: "desc",
  after: Option.none(),
  limit: 200,
  now
})

/** The TaskRepo contract. */
export const taskRepoSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("TaskRepo", () => {
    withStorage(layer)((it) => {
      it.effect("stores and reads back a task unchanged", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const task = makeTask({
            title: "Заменить уплотнитель 冰箱",
            description: "x".repeat(20_000),
            assigneeIds: [UserId.make(uniqueId("u")), UserId.make(uniqueId("u"))],
            dueAt: Option.some(at("2026-05-01T10:30:00.123Z")),
            tags: ["a", "b"],
            completedAt: Option.some(at("2026-05-02T00:00:00Z"))
          })
          yield* repo.insert(task)
          const found = yield* repo.findById(task.id)
          assert.isTrue(Option.isSome(found))
          assertSameModel(Task, found.pipe(Option.getOrThrow), task)
          const many = yield* repo.findByIds([task.id, TaskId.make("missing")])
          assert.deepStrictEqual(
            many.map((t) => t.id),
            [task.id]
          )
          assert.isTrue(Option.isNone(yield* repo.findById(TaskId.make("missing"))))
        })
      )

      it.effect("refuses a second task with the same id", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const task = makeTask()
          yield* repo.insert(task)
          const error = yield* repo.insert(task).pipe(Effect.flip)
          assert.strictEqual(error._tag, "DuplicateKey")
        })
      )

      it.effect("inserts many tasks at once, across several statements, as single inserts would", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const alice = UserId.make(uniqueId("alice"))
          const tasks = Array.from({ length: 450 }, (_, i) =>
            makeTask({
              title: `Bulk ${i} 冰箱`,
              assigneeIds: i % 2 === 0 ? [alice] : [],
              tags: i % 3 === 0 ? ["bulk"] : [],
              dueAt: i % 4 === 0 ? Option.some(at("2026-05-01T10:30:00.123Z")) : Option.none()
            })
          )
          yield* repo.insertMany(tasks)
          yield* repo.insertMany([])
          const found = yield* repo.findByIds(tasks.map((t) => t.id))
          assert.strictEqual(found.length, tasks.length)
          for (const [i, task] of found.entries()) assertSameModel(Task, task, tasks[i]!)
          // The filter tables are filled as for single inserts.
          const hers = yield* repo.list({ ...baseQuery(tasks[0]!.createdBy, { assigneeId: alice }), limit: 500 })
          assert.strictEqual(hers.length, 225)
        })
      )

      it.effect("inserting many refuses a taken id, stored or repeated, and then writes none of them", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const tx = yield* Transaction
          const stored = makeTask()
          yield* repo.insert(stored)
          const fresh = Array.from({ length: 250 }, () => makeTask())
          const taken = yield* repo.insertMany([...fresh, stored]).pipe(Effect.flip)
          assert.deepStrictEqual([taken._tag, taken.value], ["DuplicateKey", stored.id])
          const twice = makeTask()
          const repeated = yield* repo.insertMany([twice, ...fresh, twice]).pipe(Effect.flip)
          assert.deepStrictEqual([repeated._tag, repeated.value], ["DuplicateKey", twice.id])
          // Inside a transaction that carries on after the refusal, the refused batch leaves nothing.
          const kept = makeTask()
          yield* tx.run(Effect.zipRight(repo.insert(kept), Effect.flip(repo.insertMany([...fresh, twice, stored]))))
          const found = yield* repo.findByIds([kept.id, twice.id, ...fresh.map((t) => t.id)])
          assert.deepStrictEqual(
            found.map((t) => t.id),
            [kept.id]
          )
        })
      )

      it.effect("updates only at the expected version", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const task = makeTask()
          yield* repo.insert(task)
          const next = makeTask({ ...task, title: "Changed", version: 2 })
          const conflict = yield* repo.update(next, 5).pipe(Effect.flip)
          assert.strictEqual(conflict._tag, "VersionConflict")
          assert.strictEqual((yield* repo.findById(task.id)).pipe(Option.getOrThrow).title, "A task")
          yield* repo.update(next, 1)
          assert.strictEqual((yield* repo.findById(task.id)).pipe(Option.getOrThrow).title, "Changed")
          const stale = yield* repo.update(makeTask({ ...task, version: 2 }), 1).pipe(Effect.flip)
          assert.strictEqual(stale._tag, "VersionConflict")
          const missing = yield* repo.update(makeTask({ version: 2 }), 1).pipe(Effect.flip)
          assert.strictEqual(missing._tag, "NotFound")
        })
      )

      it.effect("deletes only at the expected version", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const task = makeTask()
          yield* repo.insert(task)
          assert.strictEqual((yield* repo.delete(task.id, 9).pipe(Effect.flip))._tag, "VersionConflict")
          yield* repo.delete(task.id, 1)
          assert.isTrue(Option.isNone(yield* repo.findById(task.id)))
          assert.strictEqual((yield* repo.delete(task.id, 1).pipe(Effect.flip))._tag, "NotFound")
        })
      )

      it.effect("applies every filter as the reference semantics say", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const { creator, alice, bob, project, tasks } = dataset(48)
          yield* Effect.forEach(tasks, repo.insert, { discard: true })
          const filters: ReadonlyArray<Partial<TaskFilter>> = [
            {},
            { status: ["todo"] },
            { status: ["done", "cancelled"] },
            { assigneeId: alice },
            { assigneeId: bob, status: ["in_progress"] },
            { projectId: project },
            { priority: ["urgent", "high"] },
            { dueFrom: DateTime.add(now, { hours: -2 }) },
            { dueTo: now },
            { dueFrom: DateTime.add(now, { hours: -3 }), dueTo: DateTime.add(now, { hours: 3 }) },
            { overdue: true },
            { overdue: false },
            { tag: "repair" },
            { tag: "urgent-ish" },
            { text: "холодильник" },
            { text: "ХОЛОДИЛЬНИК" },
            { text: "spare part" },
            { text: "%" },
            { status: ["todo", "in_progress"], assigneeId: alice, tag: "office" }
          ]
          for (const filter of filters) {
            const query = baseQuery(creator, filter)
            const got = (yield* repo.list(query)).map((t) => t.id)
            assert.deepStrictEqual(got, expected(tasks, query), JSON.stringify(filter))
          }
        })
      )

      it.effect("restricts to what the actor may see", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const { creator, alice, project, tasks } = dataset(24)
          yield* Effect.forEach(tasks, repo.insert, { discard: true })
          const visibilities: ReadonlyArray<TaskRepoQuery["visibility"]> = [
            { _tag: "Restricted", assigneeId: alice },
            { _tag: "Restricted", createdBy: creator },
            { _tag: "Restricted", projectIds: [project] },
            { _tag: "Restricted", projectIds: [] },
            { _tag: "Restricted", assigneeId: alice, projectIds: [project] },
            { _tag: "Restricted" }
          ]
          for (const visibility of visibilities) {
            const query = { ...baseQuery(creator), visibility }
            const got = (yield* repo.list(query)).map((t) => t.id)
            assert.deepStrictEqual(got, expected(tasks, query), JSON.stringify(visibility))
          }
        })
      )

      it.effect("sorts by every key in both orders, with a total order", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const { creator, tasks } = dataset(40)
          yield* Effect.forEach(tasks, repo.insert, { discard: true })
          for (const sort of sorts) {
            for (const order of ["asc", "desc"] as const) {
              const query = { ...baseQuery(creator), sort, order }
              const got = (yield* repo.list(query)).map((t) => t.id)
              assert.deepStrictEqual(got, expected(tasks, query), `${sort} ${order}`)
            }
          }
        })
      )

      it.effect("pages by keyset without skipping or repeating while rows are inserted", () =>
        Effect.gen(function* () {
          const repo = yield* TaskRepo
          const { creator, tasks } = dataset(30)
          yield* Effect.forEach(tasks, repo.insert, { discard: true })
          for (const sort of sorts) {
            for (const order of ["asc", "desc"] as const) {
              const seen: Array<string> = []
              let after: Option.Option<SortKey> = Option.none()
              for (let page = 0; page < 20; page++) {
                const rows = yield* repo.list({ ...baseQuery(creator), sort, order, after, limit: 7 })
                seen.push(...rows.map((t) => t.id))
                // Rows inserted mid-walk land before and after the cursor; the originals must still all appear once.
                const twin = tasks[(page * 7) % tasks.length]!
                yield* repo.insert(makeTask({ ...twin, id: TaskId.make(uniqueId("late")) }))
                if (rows.length < 7) break
                after = Option.some(sortKey(rows[rows.length - 1]!, sort))
              }
              const original = expected(tasks, { ...baseQuery(creator), sort, order })
              const originals = new Set(original)
              assert.deepStrictEqual(
                seen.filter((id) => originals.has(id)),
                original,
                `${sort} ${order}`
              )
              assert.strictEqual(new Set(seen).size, seen.length, "no row twice")
            }
          }
        })
      )
    })
  })
