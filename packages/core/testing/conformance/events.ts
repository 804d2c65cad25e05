import { assert, describe, layer as withStorage } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option } from "effect"
import { Analysis, SuggestedPriority, TaskBrief } from "../../src/Analysis.js"
import { Subject } from "../../src/AuditEvent.js"
import { EventBus } from "../../src/EventBus.js"
import { EventLog } from "../../src/EventLog.js"
import { IdGenerator } from "../../src/IdGenerator.js"
import { UserId } from "../../src/Ids.js"
import { Policy } from "../../src/Policy.js"
import type { Storage } from "../../src/Storage.js"
import * as TaskDesk from "../../src/TaskDesk.js"
import { TaskRepo } from "../../src/TaskRepo.js"
import { Tasks } from "../../src/Tasks.js"
import { Transaction } from "../../src/Transaction.js"
import { at, makeTask, uniqueId } from "../fixtures.js"
import { as, createUser } from "../people.js"

const event = (subject: Subject, parent: Option.Option<Subject> = Option.none()) => ({
  at: at("2026-02-01T08:00:00Z"),
  actorId: UserId.make("someone"),
  subject,
  parent,
  payload: { _tag: "task.status_changed", from: "todo", to: "in_progress" } as const
})

/** The domain services over the store under test, as a host would run them. */
const services = TaskDesk.layer.pipe(
  Layer.provide(Layer.mergeAll(Policy.layerDefault, IdGenerator.layer, EventBus.layerLocal))
)

/** The EventLog and Transaction contracts: ordering, resumption, atomicity. */
export const eventLogSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("EventLog and Transaction", () => {
    withStorage(layer)((it) => {
      it.effect("appends with growing sequences and reads back in order", () =>
        Effect.gen(function* () {
          const log = yield* EventLog
          const subject = new Subject({ kind: "task", id: uniqueId("task") })
          const a = yield* log.append(event(subject))
          const b = yield* log.append(event(subject))
          const c = yield* log.append(event(subject))
          assert.isTrue(a.sequence < b.sequence && b.sequence < c.sequence)
          const all = yield* log.list({ after: Option.none(), about: Option.some(subject), limit: 100 })
          assert.deepStrictEqual(
            all.map((e) => e.sequence),
            [a.sequence, b.sequence, c.sequence]
          )
          assert.deepStrictEqual(all[0]!.payload, a.payload)
          assert.strictEqual(all[0]!.at.epochMillis, a.at.epochMillis)
          const resumed = yield* log.list({ after: Option.some(a.sequence), about: Option.some(subject), limit: 1 })
          assert.deepStrictEqual(
            resumed.map((e) => e.sequence),
            [b.sequence]
          )
          const everything = yield* log.list({ after: Option.some(b.sequence), about: Option.none(), limit: 1000 })
          assert.isTrue(everything.every((e) => e.sequence > b.sequence))
          assert.isTrue(everything.some((e) => e.sequence === c.sequence))
        })
      )

      it.effect("finds events about a subject through their parent", () =>
        Effect.gen(function* () {
          const log = yield* EventLog
          const task = new Subject({ kind: "task", id: uniqueId("task") })
          const assignment = new Subject({ kind: "assignment", id: uniqueId("assignment") })
          const own = yield* log.append(event(task))
          const child = yield* log.append(event(assignment, Option.some(task)))
          yield* log.append(event(new Subject({ kind: "task", id: uniqueId("task") })))
          const history = yield* log.list({ after: Option.none(), about: Option.some(task), limit: 100 })
          assert.deepStrictEqual(
            history.map((e) => e.sequence),
            [own.sequence, child.sequence]
          )
          assert.isTrue(Option.isSome(history[1]!.parent))
        })
      )

      it.effect("rolls back every write of a failed transaction", () =>
        Effect.gen(function* () {
          const tx = yield* Transaction
          const repo = yield* TaskRepo
          const log = yield* EventLog
          const task = makeTask()
          const subject = new Subject({ kind: "task", id: task.id })
          const result = yield* tx
            .run(
              Effect.gen(function* () {
                yield* repo.insert(task)
                yield* log.append(event(subject))
                return yield* Effect.fail("boom" as const)
              })
            )
            .pipe(Effect.flip)
          assert.strictEqual(result, "boom")
          assert.isTrue(Option.isNone(yield* repo.findById(task.id)))
          assert.deepStrictEqual(yield* log.list({ after: Option.none(), about: Option.some(subject), limit: 10 }), [])
        })
      )

      it.effect("rolls back on a defect and on interruption too", () =>
        Effect.gen(function* () {
          const tx = yield* Transaction
          const repo = yield* TaskRepo
          const died = makeTask()
          yield* tx.run(Effect.zipRight(repo.insert(died), Effect.die("bug"))).pipe(Effect.exit)
          assert.isTrue(Option.isNone(yield* repo.findById(died.id)))
          const interrupted = makeTask()
          const written = yield* Deferred.make<void>()
          const fiber = yield* tx
            .run(
              Effect.zipRight(
                repo.insert(interrupted),
                Effect.zipRight(Deferred.succeed(written, undefined), Effect.never)
              )
            )
            .pipe(Effect.forkDaemon)
          yield* Deferred.await(written)
          yield* Fiber.interrupt(fiber)
          assert.isTrue(Option.isNone(yield* repo.findById(interrupted.id)))
        })
      )

      it.effect("commits every write of a successful transaction, nested ones included", () =>
        Effect.gen(function* () {
          const tx = yield* Transaction
          const repo = yield* TaskRepo
          const outer = makeTask()
          const inner = makeTask()
          yield* tx.run(Effect.zipRight(repo.insert(outer), tx.run(repo.insert(inner))))
          assert.isTrue(Option.isSome(yield* repo.findById(outer.id)))
          assert.isTrue(Option.isSome(yield* repo.findById(inner.id)))
        })
      )

      it.effect("keeps the old and new values of a change exactly, and reads events recorded without them", () =>
        Effect.gen(function* () {
          const log = yield* EventLog
          const subject = new Subject({ kind: "task", id: uniqueId("task") })
          const changes = [
            { field: "title", from: "Кран течёт", to: '水龙头漏水 🚰 "quoted" \\ back\u0001slash' },
            { field: "dueAt", from: null, to: "2026-02-01T08:00:00.000Z" },
            { field: "assigneeIds", from: [], to: ["a", "b"] },
            { field: "estimate", from: 0, to: 1.5 },
            { field: "nested", from: { a: [1, { b: null }] }, to: true }
          ]
          const updated = yield* log.append({
            ...event(subject),
            payload: { _tag: "task.updated", fields: ["title", "dueAt", "assigneeIds"], changes }
          })
          const legacy = yield* log.append({ ...event(subject), payload: { _tag: "task.updated", fields: ["title"] } })
          const read = yield* log.list({ after: Option.none(), about: Option.some(subject), limit: 10 })
          assert.deepStrictEqual(
            read.map((e) => e.sequence),
            [updated.sequence, legacy.sequence]
          )
          assert.deepStrictEqual(read[0]!.payload, {
            _tag: "task.updated",
            fields: ["title", "dueAt", "assigneeIds"],
            changes
          })
          assert.deepStrictEqual(read[1]!.payload, { _tag: "task.updated", fields: ["title"] })
        })
      )

      it.effect("keeps an analysis event whole, found through its task and through the person who asked", () =>
        Effect.gen(function* () {
          const log = yield* EventLog
          const task = new Subject({ kind: "task", id: uniqueId("task") })
          const person = new Subject({ kind: "user", id: uniqueId("user") })
          const brief = new TaskBrief({
            title: "Заменить кран",
            description: 'Течёт "сильно"',
            status: "todo",
            priority: "high",
            dueAt: at("2026-04-01T10:00:00Z"),
            tags: ["кухня"]
          })
          const analysis = new Analysis({
            summary: "水龙头漏水",
            risks: ["flooding"],
            suggestedPriority: new SuggestedPriority({ priority: "urgent", reason: "water damage" }),
            subtasks: ["Shut the valve", "Replace the tap"],
            estimateHours: 1.5
          })
          const answered = yield* log.append({
            ...event(task, Option.some(person)),
            payload: { _tag: "task.analysed", model: "m", brief, analysis }
          })
          const failed = yield* log.append({
            ...event(task, Option.some(person)),
            payload: { _tag: "task.analysed", model: "m", brief, failure: { error: "AnalysisMalformed", message: "x" } }
          })
          const byTask = yield* log.list({ after: Option.none(), about: Option.some(task), limit: 10 })
          const byPerson = yield* log.list({ after: Option.none(), about: Option.some(person), limit: 10 })
          assert.deepStrictEqual(
            byPerson.map((e) => e.sequence),
            [answered.sequence, failed.sequence]
          )
          assert.deepStrictEqual(byTask[0]!.payload, answered.payload)
          assert.deepStrictEqual(byTask[1]!.payload, failed.payload)
        })
      )

      it.effect("a task's history through the services shows what each update changed", () =>
        Effect.gen(function* () {
          const manager = yield* createUser("manager")
          const worker = yield* createUser("worker")
          const tasks = yield* Tasks
          const task = yield* tasks.create({ title: "Заменить кран", assigneeIds: [worker.id] }).pipe(as(manager))
          yield* tasks
            .update(task.id, { title: "Заменить кран на кухне", assigneeIds: [], dueAt: at("2026-04-01T10:00:00Z") })
            .pipe(as(manager))
          const history = yield* tasks.history(task.id).pipe(as(manager))
          assert.deepStrictEqual(
            history.map((e) => e.payload),
            [
              { _tag: "task.created", title: "Заменить кран", priority: "normal", assigneeIds: [worker.id] },
              {
                _tag: "task.updated",
                fields: ["title", "assigneeIds", "dueAt"],
                changes: [
                  { field: "title", from: "Заменить кран", to: "Заменить кран на кухне" },
                  { field: "assigneeIds", from: [worker.id], to: [] },
                  { field: "dueAt", from: null, to: "2026-04-01T10:00:00.000Z" }
                ]
              }
            ]
          )
        }).pipe(Effect.provide(services))
      )

      it.effect("keeps sequences unique under concurrent appends", () =>
        Effect.gen(function* () {
          const log = yield* EventLog
          const subject = new Subject({ kind: "task", id: uniqueId("task") })
          const appended = yield* Effect.forEach(Array.from({ length: 20 }), () => log.append(event(subject)), {
            concurrency: 5
          })
          const sequences = appended.map((e) => e.sequence)
          assert.strictEqual(new Set(sequences).size, 20)
          const read = yield* log.list({ after: Option.none(), about: Option.some(subject), limit: 100 })
          assert.deepStrictEqual(
            read.map((e) => e.sequence),
            [...sequences].sort((a, b) => a - b)
          )
        })
      )
    })
  })
