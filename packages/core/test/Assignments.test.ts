import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, FastCheck, Option, TestClock } from "effect"
import type { CurrentActor } from "../src/Actor.js"
import type { Assignment } from "../src/Assignment.js"
import { Assignments } from "../src/Assignments.js"
import { AuditLog } from "../src/AuditLog.js"
import { TaskId, TemplateId } from "../src/Ids.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { TaskRepo } from "../src/TaskRepo.js"
import { Tasks } from "../src/Tasks.js"
import { Templates } from "../src/Templates.js"
import { as, asSystem, createPeople } from "../testing/index.js"

const monday = DateTime.unsafeMake("2026-03-02T09:00:00Z")

/** A fresh in-memory taskdesk at a fixed time, with one person of each role and a small library. */
const setup = Effect.gen(function* () {
  yield* TestClock.setTime(DateTime.toEpochMillis(monday))
  const people = yield* createPeople
  const templates = yield* Templates
  const tasks = yield* Tasks
  const fridge = yield* templates
    .create({ title: "Разморозить холодильник", estimatedMinutes: 60 })
    .pipe(as(people.manager))
  const report = yield* templates.create({ title: "写周报", description: "weekly report" }).pipe(as(people.manager))
  const existing = yield* tasks.create({ title: "Inventory", priority: "high" }).pipe(as(people.manager))
  return { people, fridge, report, existing }
})

const eventCount = Effect.flatMap(AuditLog, (audit) => audit.read({ limit: 1000 })).pipe(
  asSystem,
  Effect.map((events) => events.length)
)

describe("Assignments", () => {
  it.effect("hands out a batch of library items and existing tasks in one go", () =>
    Effect.gen(function* () {
      const { people, fridge, report, existing } = yield* setup
      const assignments = yield* Assignments
      const made = yield* assignments
        .batch({
          items: [
            { templateId: fridge.id, assigneeId: people.worker.id, dueAt: DateTime.add(monday, { hours: 3 }) },
            { templateId: fridge.id, assigneeId: people.worker2.id },
            { taskId: existing.id, assigneeId: people.worker.id, dueAt: DateTime.add(monday, { hours: 1 }) },
            { templateId: report.id, assigneeId: people.worker.id }
          ]
        })
        .pipe(as(people.manager))
      assert.strictEqual(made.length, 4)
      assert.isTrue(made.every((a) => a.status === "pending" && a.assignedBy === people.manager.id))
      // Each template item made its own task; the existing task was reused.
      assert.strictEqual(new Set(made.map((a) => a.taskId)).size, 4)
      assert.strictEqual(made[2]!.taskId, existing.id)
      const made0 = yield* (yield* Tasks).get(made[0]!.taskId).pipe(as(people.manager))
      assert.strictEqual(made0.title, "Разморозить холодильник")
      const history = yield* (yield* Tasks).history(made0.id).pipe(as(people.manager))
      assert.deepStrictEqual(
        history.map((e) => e.type),
        ["task.created", "assignment.offered"]
      )
      // The inbox sorts by due time, none last.
      const inbox = yield* assignments.inbox("pending").pipe(as(people.worker))
      assert.deepStrictEqual(
        inbox.map((i) => i.assignment.id),
        [made[2]!.id, made[0]!.id, made[3]!.id]
      )
      yield* TestClock.adjust("2 hours")
      const later = yield* assignments.inbox("all").pipe(as(people.worker))
      assert.deepStrictEqual(
        later.map((i) => [i.overdue, i.dueSoon]),
        [
          [true, false],
          [false, true],
          [false, false]
        ]
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("refuses a batch naming every bad item, and writes nothing", () =>
    Effect.gen(function* () {
      const { people, fridge, existing } = yield* setup
      const assignments = yield* Assignments
      const before = yield* eventCount
      const error = yield* assignments
        .batch({
          items: [
            { templateId: fridge.id, assigneeId: people.worker.id },
            { templateId: TemplateId.make("missing"), assigneeId: people.worker.id },
            { taskId: TaskId.make("missing"), assigneeId: people.worker.id },
            { taskId: existing.id, templateId: fridge.id, assigneeId: people.worker.id },
            { taskId: existing.id, assigneeId: people.worker2.id },
            { taskId: existing.id, assigneeId: people.worker2.id }
          ]
        })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(error._tag, "BatchRejected")
      if (error._tag !== "BatchRejected") return
      assert.deepStrictEqual(
        error.problems.map((p) => [p.index, p.field]),
        [
          [1, "templateId"],
          [2, "taskId"],
          [3, "templateId"],
          [5, "taskId"]
        ]
      )
      assert.strictEqual(yield* eventCount, before)
      assert.deepStrictEqual(yield* assignments.inbox("all").pipe(as(people.worker)), [])
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("refuses work for people the policy does not let receive it, each as a problem of its item", () =>
    Effect.gen(function* () {
      const { people, fridge, existing } = yield* setup
      const assignments = yield* Assignments
      const before = yield* eventCount
      const error = yield* assignments
        .batch({
          items: [
            { templateId: fridge.id, assigneeId: people.worker.id },
            { taskId: existing.id, assigneeId: people.client.id },
            { templateId: fridge.id, assigneeId: people.supervisor.id },
            { taskId: existing.id, assigneeId: people.partner.id }
          ]
        })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(error._tag, "BatchRejected")
      if (error._tag !== "BatchRejected") return
      assert.deepStrictEqual(
        error.problems.map((p) => [p.index, p.field]),
        [
          [1, "assigneeId"],
          [2, "assigneeId"]
        ]
      )
      assert.include(error.problems[0]!.message, people.client.id)
      assert.include(error.problems[0]!.message, "client")
      assert.include(error.problems[1]!.message, people.supervisor.id)
      assert.include(error.problems[1]!.message, "supervisor")
      assert.strictEqual(yield* eventCount, before)
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("accepting starts the task; completing the last assignment finishes it", () =>
    Effect.gen(function* () {
      const { people, existing } = yield* setup
      const assignments = yield* Assignments
      const tasks = yield* Tasks
      const [a, b] = yield* assignments
        .batch({
          items: [
            { taskId: existing.id, assigneeId: people.worker.id },
            { taskId: existing.id, assigneeId: people.worker2.id }
          ]
        })
        .pipe(as(people.manager))
      // Before accepting, the task is not theirs to see.
      assert.strictEqual((yield* tasks.get(existing.id).pipe(as(people.worker), Effect.flip))._tag, "NotFound")
      yield* assignments.accept(a!.id).pipe(as(people.worker))
      const started = yield* tasks.get(existing.id).pipe(as(people.worker))
      assert.strictEqual(started.status, "in_progress")
      assert.deepStrictEqual(started.assigneeIds, [people.worker.id])
      yield* assignments.accept(b!.id).pipe(as(people.worker2))
      yield* assignments.complete(a!.id).pipe(as(people.worker))
      assert.strictEqual((yield* tasks.get(existing.id).pipe(as(people.manager))).status, "in_progress")
      yield* assignments.complete(b!.id).pipe(as(people.worker2))
      const done = yield* tasks.get(existing.id).pipe(as(people.manager))
      assert.strictEqual(done.status, "done")
      assert.isTrue(Option.isSome(done.completedAt))
      const again = yield* assignments.complete(b!.id).pipe(as(people.worker2), Effect.flip)
      assert.strictEqual(again._tag, "IllegalTransition")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("each answer records the assignment's old and new values in the task's history", () =>
    Effect.gen(function* () {
      const { people, existing } = yield* setup
      const assignments = yield* Assignments
      const [a, b, c] = yield* assignments
        .batch({
          items: [
            { taskId: existing.id, assigneeId: people.worker.id },
            { taskId: existing.id, assigneeId: people.worker2.id },
            { taskId: existing.id, assigneeId: people.manager.id }
          ]
        })
        .pipe(as(people.manager))
      const now = DateTime.formatIso(monday)
      yield* assignments.accept(a!.id).pipe(as(people.worker))
      yield* assignments.reject(b!.id, "Занят").pipe(as(people.worker2))
      yield* assignments.accept(c!.id).pipe(as(people.manager))
      yield* assignments.cancel(c!.id).pipe(as(people.manager))
      yield* assignments.complete(a!.id).pipe(as(people.worker))
      const history = yield* (yield* Tasks).history(existing.id).pipe(as(people.manager))
      const answers = history.filter((e) => e.subject.kind === "assignment" && e.type !== "assignment.offered")
      assert.deepStrictEqual(
        answers.map((e) => [e.subject.id, e.payload]),
        [
          [
            a!.id,
            {
              _tag: "assignment.accepted",
              taskId: existing.id,
              changes: [
                { field: "status", from: "pending", to: "accepted" },
                { field: "respondedAt", from: null, to: now }
              ]
            }
          ],
          [
            b!.id,
            {
              _tag: "assignment.rejected",
              taskId: existing.id,
              reason: "Занят",
              changes: [
                { field: "status", from: "pending", to: "rejected" },
                { field: "rejectionReason", from: null, to: "Занят" },
                { field: "respondedAt", from: null, to: now }
              ]
            }
          ],
          [
            c!.id,
            {
              _tag: "assignment.accepted",
              taskId: existing.id,
              changes: [
                { field: "status", from: "pending", to: "accepted" },
                { field: "respondedAt", from: null, to: now }
              ]
            }
          ],
          [
            c!.id,
            {
              _tag: "assignment.cancelled",
              taskId: existing.id,
              changes: [{ field: "status", from: "accepted", to: "cancelled" }]
            }
          ],
          [
            a!.id,
            {
              _tag: "assignment.completed",
              taskId: existing.id,
              changes: [
                { field: "status", from: "accepted", to: "completed" },
                { field: "completedAt", from: null, to: now }
              ]
            }
          ]
        ]
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("accepting and cancelling a hand-out record the task's assignees before and after", () =>
    Effect.gen(function* () {
      const { people, existing } = yield* setup
      const assignments = yield* Assignments
      const [a, b] = yield* assignments
        .batch({
          items: [
            { taskId: existing.id, assigneeId: people.worker.id },
            { taskId: existing.id, assigneeId: people.worker2.id }
          ]
        })
        .pipe(as(people.manager))
      yield* assignments.accept(a!.id).pipe(as(people.worker))
      yield* assignments.accept(b!.id).pipe(as(people.worker2))
      yield* assignments.cancel(a!.id).pipe(as(people.manager))
      const history = yield* (yield* Tasks).history(existing.id).pipe(as(people.manager))
      const before = existing.assigneeIds
      assert.deepStrictEqual(
        history.filter((e) => e.type === "task.updated").map((e) => e.payload),
        [
          {
            _tag: "task.updated",
            fields: ["assigneeIds"],
            changes: [{ field: "assigneeIds", from: before, to: [...before, people.worker.id] }]
          },
          {
            _tag: "task.updated",
            fields: ["assigneeIds"],
            changes: [
              {
                field: "assigneeIds",
                from: [...before, people.worker.id],
                to: [...before, people.worker.id, people.worker2.id]
              }
            ]
          },
          {
            _tag: "task.updated",
            fields: ["assigneeIds"],
            changes: [
              {
                field: "assigneeIds",
                from: [...before, people.worker.id, people.worker2.id],
                to: [...before, people.worker2.id]
              }
            ]
          }
        ]
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("rejecting needs a reason and keeps it", () =>
    Effect.gen(function* () {
      const { people, fridge } = yield* setup
      const assignments = yield* Assignments
      const [a] = yield* assignments
        .batch({ items: [{ templateId: fridge.id, assigneeId: people.worker.id }] })
        .pipe(as(people.manager))
      const empty = yield* assignments.reject(a!.id, "   ").pipe(as(people.worker), Effect.flip)
      assert.strictEqual(empty._tag, "InvalidInput")
      const long = yield* assignments.reject(a!.id, "x".repeat(2_001)).pipe(as(people.worker), Effect.flip)
      assert.strictEqual(long._tag, "InvalidInput")
      const rejected = yield* assignments.reject(a!.id, "  Нет нужного инструмента ").pipe(as(people.worker))
      assert.strictEqual(rejected.status, "rejected")
      assert.deepStrictEqual(rejected.rejectionReason, Option.some("Нет нужного инструмента"))
      const seen = yield* assignments.list({ status: ["rejected"] }).pipe(as(people.manager))
      assert.deepStrictEqual(
        seen.items.map((x) => x.id),
        [a!.id]
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("only the assignee answers; managers cancel; others do not even see it", () =>
    Effect.gen(function* () {
      const { people, fridge } = yield* setup
      const assignments = yield* Assignments
      const [a] = yield* assignments
        .batch({ items: [{ templateId: fridge.id, assigneeId: people.worker.id }] })
        .pipe(as(people.manager))
      const id = a!.id
      assert.strictEqual((yield* assignments.accept(id).pipe(as(people.worker2), Effect.flip))._tag, "NotFound")
      assert.strictEqual((yield* assignments.accept(id).pipe(as(people.client), Effect.flip))._tag, "NotFound")
      assert.strictEqual((yield* assignments.accept(id).pipe(as(people.manager), Effect.flip))._tag, "Forbidden")
      assert.strictEqual((yield* assignments.accept(id).pipe(as(people.supervisor), Effect.flip))._tag, "Forbidden")
      assert.strictEqual((yield* assignments.cancel(id).pipe(as(people.worker), Effect.flip))._tag, "Forbidden")
      assert.strictEqual(
        (yield* assignments
          .batch({ items: [{ templateId: fridge.id, assigneeId: people.worker.id }] })
          .pipe(as(people.worker), Effect.flip))._tag,
        "Forbidden"
      )
      assert.strictEqual((yield* assignments.get(id).pipe(as(people.supervisor))).id, id)
      assert.deepStrictEqual((yield* assignments.list().pipe(as(people.worker2))).items, [])
      yield* assignments.accept(id).pipe(as(people.worker))
      const cancelled = yield* assignments.cancel(id).pipe(as(people.manager))
      assert.strictEqual(cancelled.status, "cancelled")
      const task = yield* (yield* TaskRepo).findById(a!.taskId)
      assert.deepStrictEqual(Option.getOrThrow(task).assigneeIds, [])
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("a partner hands out work only in projects they own", () =>
    Effect.gen(function* () {
      const { people, fridge } = yield* setup
      const assignments = yield* Assignments
      const refused = yield* assignments
        .batch({ items: [{ templateId: fridge.id, assigneeId: people.worker.id }] })
        .pipe(as(people.partner), Effect.flip)
      assert.strictEqual(refused._tag, "BatchRejected")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  const Op = FastCheck.record({
    kind: FastCheck.constantFrom(...(["accept", "reject", "complete", "cancel"] as const)),
    item: FastCheck.nat(2),
    by: FastCheck.constantFrom(...(["worker", "worker2", "manager"] as const)),
    reason: FastCheck.constantFrom("", "busy", "x".repeat(2_001))
  })

  it.effect.prop(
    "no sequence of answers reaches an illegal state",
    { ops: FastCheck.array(Op, { maxLength: 12 }) },
    ({ ops }) =>
      Effect.gen(function* () {
        const { people, existing, fridge } = yield* setup
        const assignments = yield* Assignments
        const made = yield* assignments
          .batch({
            items: [
              { taskId: existing.id, assigneeId: people.worker.id },
              { taskId: existing.id, assigneeId: people.worker2.id },
              { templateId: fridge.id, assigneeId: people.worker.id }
            ]
          })
          .pipe(as(people.manager))
        for (const op of ops) {
          const target = made[op.item]!
          const actor = people[op.by]
          const run: Effect.Effect<unknown, unknown, CurrentActor> =
            op.kind === "accept"
              ? assignments.accept(target.id)
              : op.kind === "reject"
                ? assignments.reject(target.id, op.reason)
                : op.kind === "complete"
                  ? assignments.complete(target.id)
                  : assignments.cancel(target.id)
          yield* run.pipe(as(actor), Effect.ignore)
        }
        const repo = yield* TaskRepo
        for (const original of made) {
          const a: Assignment = yield* assignments.get(original.id).pipe(as(people.manager))
          assert.strictEqual(a.status === "rejected", Option.isSome(a.rejectionReason))
          assert.strictEqual(a.status === "completed", Option.isSome(a.completedAt))
          if (a.status === "rejected") {
            const reason = Option.getOrThrow(a.rejectionReason)
            assert.isTrue(reason.length >= 1 && reason.length <= 2_000)
          }
          const task = Option.getOrThrow(yield* repo.findById(a.taskId))
          if (a.status === "accepted") {
            assert.isTrue(task.assigneeIds.includes(a.assigneeId))
            assert.notStrictEqual(task.status, "todo")
          }
          const open = (yield* assignments.list({ taskId: a.taskId }).pipe(as(people.manager))).items.filter(
            (x) => x.status === "pending" || x.status === "accepted"
          )
          if (task.status === "done") assert.strictEqual(open.length, 0)
        }
      }).pipe(Effect.provide(TaskDesk.layerMemory)),
    { fastCheck: { numRuns: 40 } }
  )

  it.effect.prop(
    "a batch with any bad item changes nothing",
    {
      bad: FastCheck.array(FastCheck.constantFrom(...(["template", "task", "assignee", "both"] as const)), {
        minLength: 1,
        maxLength: 3
      }),
      good: FastCheck.nat(3)
    },
    ({ bad, good }) =>
      Effect.gen(function* () {
        const { people, fridge, existing } = yield* setup
        const assignments = yield* Assignments
        const before = yield* eventCount
        const items = [
          ...Array.from({ length: good }, () => ({ templateId: fridge.id, assigneeId: people.worker.id })),
          ...bad.map((kind) =>
            kind === "template"
              ? { templateId: TemplateId.make("nope"), assigneeId: people.worker.id }
              : kind === "task"
                ? { taskId: TaskId.make("nope"), assigneeId: people.worker.id }
                : kind === "assignee"
                  ? { taskId: existing.id, assigneeId: people.client.id.replace(/.$/, "?") as typeof people.client.id }
                  : { taskId: existing.id, templateId: fridge.id, assigneeId: people.worker.id }
          )
        ]
        const error = yield* assignments.batch({ items }).pipe(as(people.manager), Effect.flip)
        assert.strictEqual(error._tag, "BatchRejected")
        // Every bad item is named, and no good one.
        if (error._tag === "BatchRejected") {
          assert.deepStrictEqual(
            [...new Set(error.problems.map((p) => p.index))],
            bad.map((_, i) => good + i)
          )
        }
        assert.strictEqual(yield* eventCount, before)
      }).pipe(Effect.provide(TaskDesk.layerMemory)),
    { fastCheck: { numRuns: 30 } }
  )
})
