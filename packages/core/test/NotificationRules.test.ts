import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, TestClock } from "effect"
import { Assignments } from "../src/Assignments.js"
import { AuditLog } from "../src/AuditLog.js"
import { Comments } from "../src/Comments.js"
import { EventBus } from "../src/EventBus.js"
import { IdGenerator } from "../src/IdGenerator.js"
import type { UserId } from "../src/Ids.js"
import * as MemoryStorage from "../src/memory/MemoryStorage.js"
import type { Notification } from "../src/Notification.js"
import { withRules } from "../src/NotificationRules.js"
import { Outbox } from "../src/Outbox.js"
import { Policy } from "../src/Policy.js"
import { RepairRequests } from "../src/RepairRequests.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Tasks } from "../src/Tasks.js"
import type { Language } from "../src/User.js"
import { Users } from "../src/Users.js"
import { as, asSystem, at, createPeople, createUser } from "../testing/index.js"

const monday = at("2026-03-02T09:00:00Z")

/** taskdesk in memory whose event log writes notifications by the rules. */
const layer = TaskDesk.layer.pipe(
  Layer.provideMerge(
    withRules(MemoryStorage.layer).pipe(
      Layer.provideMerge(Layer.mergeAll(Policy.layerDefault, IdGenerator.layerTest, EventBus.layerLocal))
    )
  )
)

const inbox = (recipientId: UserId) => Effect.flatMap(Outbox, (outbox) => outbox.list({ recipientId, limit: 100 }))

const allNotifications = Effect.flatMap(Outbox, (outbox) => outbox.list({ limit: 1000 }))

const speak = (id: UserId, language: Language) =>
  Effect.flatMap(Users, (users) => asSystem(users.update(id, { language }))).pipe(Effect.orDie)

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(DateTime.toEpochMillis(monday))
  const people = yield* createPeople
  yield* speak(people.worker.id, "ru")
  yield* speak(people.worker2.id, "zh")
  const task = yield* (yield* Tasks).create({ title: "Разморозить холодильник" }).pipe(as(people.manager))
  return { people, task }
})

const only = (notifications: ReadonlyArray<Notification>): Notification => {
  assert.strictEqual(notifications.length, 1, JSON.stringify(notifications.map((n) => n.kind)))
  return notifications[0]!
}

describe("NotificationRules", () => {
  it.effect("a batch tells each assignee in their own language, and not the manager who handed it out", () =>
    Effect.gen(function* () {
      const { people, task } = yield* setup
      const made = yield* (yield* Assignments)
        .batch({
          items: [
            { taskId: task.id, assigneeId: people.worker.id, dueAt: at("2026-03-03T12:00:00Z") },
            { taskId: task.id, assigneeId: people.worker2.id }
          ]
        })
        .pipe(as(people.manager))
      const ru = only(yield* inbox(people.worker.id))
      assert.strictEqual(ru.kind, "assignment_offered")
      assert.strictEqual(ru.subject, "Новая задача: Разморозить холодильник")
      assert.include(ru.body, people.manager.name)
      assert.include(ru.body, "2026-03-03 12:00 UTC")
      assert.strictEqual(ru.data.assignmentId, made[0]!.id)
      assert.strictEqual(ru.data.path, `/tasks/${task.id}`)
      assert.deepStrictEqual(ru.data.actions, ["accept", "reject"])
      assert.strictEqual(ru.status, "pending")
      const zh = only(yield* inbox(people.worker2.id))
      assert.strictEqual(zh.subject, "新任务：Разморозить холодильник")
      assert.include(zh.body, "截止时间：无")
      assert.deepStrictEqual(yield* inbox(people.manager.id), [])
    }).pipe(Effect.provide(layer))
  )

  it.effect("a rejection tells the manager who assigned it, with the reason; an acceptance tells nobody", () =>
    Effect.gen(function* () {
      const { people, task } = yield* setup
      const assignments = yield* Assignments
      const [first, second] = yield* assignments
        .batch({
          items: [
            { taskId: task.id, assigneeId: people.worker.id },
            { taskId: task.id, assigneeId: people.worker2.id }
          ]
        })
        .pipe(as(people.admin))
      const before = (yield* allNotifications).length
      yield* assignments.accept(first!.id).pipe(as(people.worker))
      assert.strictEqual((yield* allNotifications).length, before)
      yield* assignments.reject(second!.id, "  В отпуске до понедельника ").pipe(as(people.worker2))
      const told = only(yield* inbox(people.admin.id))
      assert.strictEqual(told.kind, "assignment_rejected")
      assert.strictEqual(told.subject, "Task rejected: Разморозить холодильник")
      assert.include(told.body, `${people.worker2.name} rejected`)
      assert.include(told.body, "Reason: В отпуске до понедельника")
      assert.strictEqual(told.data.reason, "В отпуске до понедельника")
      assert.strictEqual(told.data.event, "assignment.rejected")
    }).pipe(Effect.provide(layer))
  )

  it.effect("nothing is written when the change rolls back", () =>
    Effect.gen(function* () {
      const { people, task } = yield* setup
      const before = (yield* allNotifications).length
      const bad = yield* (yield* Assignments)
        .batch({
          items: [
            { taskId: task.id, assigneeId: people.worker.id },
            { taskId: task.id, assigneeId: people.worker.id }
          ]
        })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(bad._tag, "BatchRejected")
      // A change that records its event and then fails inside the same transaction.
      yield* (yield* Tasks).update(task.id, { assigneeIds: [people.worker.id] }).pipe(as(people.manager))
      const audit = yield* AuditLog
      const failed = yield* audit
        .transaction(
          Effect.zipRight((yield* Comments).add(task.id, "lost in the rollback"), Effect.fail("boom" as const))
        )
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(failed, "boom")
      assert.strictEqual((yield* allNotifications).length, before)
      // The same comment, committed, does notify.
      yield* (yield* Comments).add(task.id, "kept").pipe(as(people.manager))
      assert.strictEqual((yield* allNotifications).length, before + 1)
    }).pipe(Effect.provide(layer))
  )

  it.effect("a comment tells the other participants who may still see the task", () =>
    Effect.gen(function* () {
      const { people, task } = yield* setup
      const tasks = yield* Tasks
      const comments = yield* Comments
      yield* tasks.update(task.id, { assigneeIds: [people.worker.id, people.worker2.id] }).pipe(as(people.manager))
      yield* comments.add(task.id, "Начинаю").pipe(as(people.worker2))
      // worker2 leaves the task: their earlier comment no longer makes them a reader.
      yield* tasks.update(task.id, { assigneeIds: [people.worker.id] }).pipe(as(people.manager))
      yield* comments.add(task.id, "Нужна запчасть").pipe(as(people.worker))
      const toManager = (yield* inbox(people.manager.id)).filter((n) => n.kind === "task_commented")
      assert.deepStrictEqual(
        toManager.map((n) => n.body.split("\n")[1]),
        ["Нужна запчасть", "Начинаю"]
      )
      const toWorker = (yield* inbox(people.worker.id)).filter((n) => n.kind === "task_commented")
      assert.strictEqual(toWorker.length, 1, "only the other one's comment")
      assert.strictEqual(toWorker[0]!.subject, "Новый комментарий к «Разморозить холодильник»")
      const toWorker2 = (yield* inbox(people.worker2.id)).filter((n) => n.kind === "task_commented")
      assert.strictEqual(toWorker2.length, 0)
    }).pipe(Effect.provide(layer))
  )

  it.effect("a repair request tells its technician when assigned and its client of each status change", () =>
    Effect.gen(function* () {
      const { people } = yield* setup
      yield* speak(people.client.id, "ru")
      const repairs = yield* RepairRequests
      const request = yield* repairs
        .create({ deviceType: "Холодильник", deviceModel: "Атлант", problemDescription: "Не морозит" })
        .pipe(as(people.client))
      yield* repairs.assign(request.id, people.worker2.id).pipe(as(people.manager))
      const assigned = only(yield* inbox(people.worker2.id))
      assert.strictEqual(assigned.kind, "repair_assigned")
      assert.strictEqual(assigned.subject, "维修单 R-000001 已分配给您")
      assert.strictEqual(assigned.data.path, `/repairs/${request.id}`)
      yield* repairs.start(request.id).pipe(as(people.worker2))
      yield* repairs.hold(request.id, "Ждём компрессор").pipe(as(people.worker2))
      const told = (yield* inbox(people.client.id)).filter((n) => n.kind === "repair_status_changed")
      assert.deepStrictEqual(
        told.map((n) => n.subject),
        ["R-000001: приостановлена", "R-000001: в работе"]
      )
      assert.include(told[0]!.body, "Комментарий: Ждём компрессор")
      // The client comments: the technician hears of it, the client does not.
      yield* repairs.comment(request.id, "Когда будет готово?").pipe(as(people.client))
      const comment = (yield* inbox(people.worker2.id)).filter((n) => n.kind === "repair_commented")
      assert.strictEqual(comment.length, 1)
      assert.include(comment[0]!.body, "Когда будет готово?")
      assert.isFalse((yield* inbox(people.client.id)).some((n) => n.kind === "repair_commented"))
    }).pipe(Effect.provide(layer))
  )

  it.effect("nobody is told of their own deed, and inactive people are told nothing", () =>
    Effect.gen(function* () {
      const { people, task } = yield* setup
      const assignments = yield* Assignments
      yield* assignments.batch({ items: [{ taskId: task.id, assigneeId: people.manager.id }] }).pipe(as(people.manager))
      assert.deepStrictEqual(yield* inbox(people.manager.id), [])
      const [offer] = yield* assignments
        .batch({ items: [{ taskId: task.id, assigneeId: people.worker.id }] })
        .pipe(as(people.admin))
      yield* createUser("admin") // the last active admin cannot be deactivated
      yield* (yield* Users).deactivate(people.admin.id).pipe(asSystem)
      yield* assignments.reject(offer!.id, "no").pipe(as(people.worker))
      assert.deepStrictEqual(yield* inbox(people.admin.id), [])
    }).pipe(Effect.provide(layer))
  )

  it.effect("the plain in-memory layer writes no notifications: the rules are opt-in", () =>
    Effect.gen(function* () {
      const { people, task } = yield* setup
      yield* (yield* Assignments)
        .batch({ items: [{ taskId: task.id, assigneeId: people.worker.id }] })
        .pipe(as(people.manager))
      assert.deepStrictEqual(yield* allNotifications, [])
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})
