import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, TestClock } from "effect"
import { Assignments } from "../src/Assignments.js"
import { AuditLog } from "../src/AuditLog.js"
import { Comments } from "../src/Comments.js"
import { Documents } from "../src/Documents.js"
import { EventBus } from "../src/EventBus.js"
import { IdGenerator } from "../src/IdGenerator.js"
import type { UserId } from "../src/Ids.js"
import * as MemoryStorage from "../src/memory/MemoryStorage.js"
import type { Notification } from "../src/Notification.js"
import { withRules } from "../src/NotificationRules.js"
import { Outbox } from "../src/Outbox.js"
import { Policy } from "../src/Policy.js"
import { Projects } from "../src/Projects.js"
import { RepairRequests } from "../src/RepairRequests.js"
import { Resolutions } from "../src/Resolutions.js"
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

/** setup, plus the manager's project with both workers in it and a letter registered there (`IN-0001`). */
const office = Effect.gen(function* () {
  const { people } = yield* setup
  const project = yield* (yield* Projects)
    .create({ name: "Канцелярия", memberIds: [people.worker.id, people.worker2.id] })
    .pipe(as(people.manager))
  const letter = yield* (yield* Documents)
    .file({ projectId: project.id, title: "Запрос сведений" })
    .pipe(as(people.manager))
  return { people, project, letter, resolutions: yield* Resolutions }
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
      const start = (yield* allNotifications).length
      const bad = yield* (yield* Assignments)
        .batch({
          items: [
            { taskId: task.id, assigneeId: people.worker.id },
            { taskId: task.id, assigneeId: people.worker.id }
          ]
        })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(bad._tag, "BatchRejected")
      assert.strictEqual((yield* allNotifications).length, start)
      // A change that records its event and then fails inside the same transaction.
      yield* (yield* Tasks).update(task.id, { assigneeIds: [people.worker.id] }).pipe(as(people.manager))
      const before = (yield* allNotifications).length
      assert.strictEqual(before, start + 1, "the new assignee is told")
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

  it.effect("a task created or changed tells its newly added assignees, once, and not the one who added them", () =>
    Effect.gen(function* () {
      const { people } = yield* setup
      const tasks = yield* Tasks
      const task = yield* tasks
        .create({
          title: "Проверить огнетушители",
          assigneeIds: [people.worker.id, people.manager.id],
          dueAt: at("2026-03-04T15:00:00Z")
        })
        .pipe(as(people.manager))
      const ru = only(yield* inbox(people.worker.id))
      assert.strictEqual(ru.kind, "task_assigned")
      assert.strictEqual(ru.subject, "Вам назначена задача: Проверить огнетушители")
      assert.include(ru.body, `${people.manager.name} назначает вам задачу «Проверить огнетушители»`)
      assert.include(ru.body, "Срок: 2026-03-04 15:00 UTC")
      assert.strictEqual(ru.data.taskId, task.id)
      assert.strictEqual(ru.data.path, `/tasks/${task.id}`)
      assert.strictEqual(ru.data.event, "task.created")
      assert.deepStrictEqual(yield* inbox(people.manager.id), [], "not told of their own deed")
      // Only the one added is told; the one already there is not told again.
      yield* tasks.update(task.id, { assigneeIds: [people.worker.id, people.worker2.id] }).pipe(as(people.admin))
      assert.strictEqual((yield* inbox(people.worker.id)).length, 1)
      const zh = only(yield* inbox(people.worker2.id))
      assert.strictEqual(zh.subject, "分配给您的任务：Проверить огнетушители")
      assert.include(zh.body, `${people.admin.name} 将任务「Проверить огнетушители」分配给您`)
      assert.strictEqual(zh.data.event, "task.updated")
      // A change that does not touch the assignees tells nobody; nor does adding oneself.
      const before = (yield* allNotifications).length
      yield* tasks.update(task.id, { title: "Проверить все огнетушители" }).pipe(as(people.manager))
      yield* tasks
        .update(task.id, { assigneeIds: [people.worker.id, people.worker2.id, people.admin.id] })
        .pipe(as(people.admin))
      assert.strictEqual((yield* allNotifications).length, before)
    }).pipe(Effect.provide(layer))
  )

  // Inactive people cannot be made assignees or executors (`Tasks` refuses them), so only readers need checking here.
  it.effect("a new assignee who may not read the task is told nothing", () =>
    Effect.gen(function* () {
      const { people } = yield* setup
      // A partner reads only their own projects' tasks, though they may be given work.
      yield* (yield* Tasks)
        .create({ title: "Inventory", assigneeIds: [people.partner.id, people.worker.id] })
        .pipe(as(people.manager))
      assert.deepStrictEqual(yield* inbox(people.partner.id), [])
      assert.strictEqual(only(yield* inbox(people.worker.id)).kind, "task_assigned")
    }).pipe(Effect.provide(layer))
  )

  it.effect("a resolution tells each executor once, by the resolution, with the document, text and deadline", () =>
    Effect.gen(function* () {
      const { people, letter, resolutions } = yield* office
      const issued = yield* resolutions
        .issue(letter.id, {
          title: "Подготовить ответ",
          body: "Иванову — сведения об оргтехнике, Петровой — о ПО.",
          assigneeIds: [people.worker.id, people.worker2.id, people.manager.id],
          dueAt: at("2026-03-06T15:00:00Z")
        })
        .pipe(as(people.manager))
      // One notice, not a second one for the task the resolution created.
      const ru = only(yield* inbox(people.worker.id))
      assert.strictEqual(ru.kind, "resolution_issued")
      assert.strictEqual(ru.subject, "Резолюция RES-0001: Подготовить ответ")
      assert.include(ru.body, `${people.manager.name} назначает вас исполнителем резолюции RES-0001`)
      assert.include(ru.body, "по документу IN-0001 «Запрос сведений»")
      assert.include(ru.body, "\nИванову — сведения об оргтехнике, Петровой — о ПО.\n")
      assert.include(ru.body, "Срок: 2026-03-06 15:00 UTC")
      assert.strictEqual(ru.data.resolutionId, issued.resolution.id)
      assert.strictEqual(ru.data.incomingId, letter.id)
      assert.strictEqual(ru.data.taskId, issued.task.id)
      assert.strictEqual(ru.data.path, `/tasks/${issued.task.id}`)
      assert.strictEqual(ru.data.event, "resolution.issued")
      const zh = only(yield* inbox(people.worker2.id))
      assert.strictEqual(zh.subject, "批示 RES-0001：Подготовить ответ")
      assert.include(zh.body, "截止时间：2026-03-06 15:00 UTC")
      // The issuer, an executor too, is not told of their own resolution.
      assert.deepStrictEqual(yield* inbox(people.manager.id), [])
      assert.strictEqual((yield* allNotifications).length, 2)
    }).pipe(Effect.provide(layer))
  )

  it.effect("a report tells the issuer who reported, and the last one that the resolution is executed", () =>
    Effect.gen(function* () {
      const { people, letter, resolutions } = yield* office
      const { task, resolution } = yield* resolutions
        .issue(letter.id, {
          title: "Подготовить ответ",
          body: "Подготовить сведения.",
          assigneeIds: [people.worker.id, people.worker2.id],
          dueAt: at("2026-03-06T15:00:00Z")
        })
        .pipe(as(people.manager))
      yield* resolutions
        .fileReport(task.id, { title: "Отчёт", body: "Сведения об оргтехнике готовы" })
        .pipe(as(people.worker))
      const first = only(yield* inbox(people.manager.id))
      assert.strictEqual(first.kind, "report_filed")
      assert.strictEqual(first.subject, "Report on resolution RES-0001")
      assert.include(
        first.body,
        `${people.worker.name} filed report REP-0001 on resolution RES-0001 "Подготовить ответ"`
      )
      assert.include(first.body, "Сведения об оргтехнике готовы")
      assert.notInclude(first.body, "executed")
      assert.strictEqual(first.data.resolutionId, resolution.id)
      assert.strictEqual(first.data.completed, false)
      assert.strictEqual(first.data.path, `/tasks/${task.id}`)
      yield* resolutions.fileReport(task.id, { title: "Отчёт", body: "ПО описано" }).pipe(as(people.worker2))
      const [last] = yield* inbox(people.manager.id)
      assert.strictEqual(last!.subject, "Resolution RES-0001 executed")
      assert.include(last!.body, `${people.worker2.name} filed report REP-0002`)
      assert.include(last!.body, "Every executor has reported: the resolution is executed.")
      assert.strictEqual(last!.data.completed, true)
      assert.strictEqual((yield* inbox(people.manager.id)).length, 2)
      // The executors hear nothing of each other's reports.
      assert.deepStrictEqual(
        (yield* inbox(people.worker.id)).map((n) => n.kind),
        ["resolution_issued"]
      )
    }).pipe(Effect.provide(layer))
  )

  it.effect("a report tells nobody when the issuer filed it or is inactive", () =>
    Effect.gen(function* () {
      const { people, letter, resolutions } = yield* office
      const { task } = yield* resolutions
        .issue(letter.id, {
          title: "Подготовить ответ",
          body: "",
          assigneeIds: [people.manager.id, people.worker.id],
          dueAt: at("2026-03-06T15:00:00Z")
        })
        .pipe(as(people.manager))
      assert.notInclude(only(yield* inbox(people.worker.id)).body, "\n\n", "an empty text adds no empty line")
      const before = (yield* allNotifications).length
      yield* resolutions.fileReport(task.id, { title: "Отчёт", body: "Моя часть" }).pipe(as(people.manager))
      assert.strictEqual((yield* allNotifications).length, before, "the issuer's own report")
      yield* (yield* Users).deactivate(people.manager.id).pipe(asSystem)
      yield* resolutions.fileReport(task.id, { title: "Отчёт", body: "Готово" }).pipe(as(people.worker))
      assert.strictEqual((yield* allNotifications).length, before, "an inactive issuer")
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
