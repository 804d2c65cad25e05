import { assert, describe, it } from "@effect/vitest"
import { Context, DateTime, Duration, Effect, Layer, Option, Ref, Schema, TestClock } from "effect"
import { as, asSystem } from "../src/Actor.js"
import { AssignmentRepo } from "../src/AssignmentRepo.js"
import * as BuiltinJobs from "../src/BuiltinJobs.js"
import * as DailyReport from "../src/DailyReport.js"
import { JobId, UserId } from "../src/Ids.js"
import * as JobHandlers from "../src/JobHandlers.js"
import * as JobSchedule from "../src/JobSchedule.js"
import * as LocalTime from "../src/LocalTime.js"
import type { Notification } from "../src/Notification.js"
import { DeliveryFailed, maxAttempts, NotificationChannel, Notifications } from "../src/Notifications.js"
import { Outbox } from "../src/Outbox.js"
import { RepairRequestRepo } from "../src/RepairRequestRepo.js"
import { Scheduler, SchedulerConfig } from "../src/Scheduler.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { TaskRepo } from "../src/TaskRepo.js"
import { UserRepo } from "../src/UserRepo.js"
import { Users } from "../src/Users.js"
import {
  at,
  createPeople,
  makeAssignment,
  makeRepairRequest,
  makeTask,
  makeUser,
  supervised
} from "../testing/index.js"

/** What the test channel delivered; subjects containing "unreachable" fail. */
class Delivered extends Context.Tag("test/Delivered")<Delivered, Ref.Ref<ReadonlyArray<Notification>>>() {}

const channel = Layer.effect(
  NotificationChannel,
  Effect.map(Delivered, (delivered) => ({
    name: "test",
    deliver: (n: Notification) =>
      n.subject.includes("unreachable")
        ? Effect.fail(new DeliveryFailed({ channel: "test", message: "chat not found", permanent: false }))
        : n.subject.includes("throttled")
          ? Effect.fail(
              new DeliveryFailed({ channel: "test", message: "429", permanent: false, retryAfterSeconds: 900 })
            )
          : Ref.update(delivered, (all) => [...all, n])
  }))
)

// The server's handlers for the two jobs the core only names.
const stub = (name: string) =>
  JobHandlers.make({ name, parameters: Schema.Struct({}), run: () => Effect.succeed(`${name} done`) })

const layer = Scheduler.Default.pipe(
  Layer.provide(SchedulerConfig.layer({ pollInterval: Duration.hours(1) })),
  Layer.provideMerge(JobHandlers.JobHandlers.layer([...BuiltinJobs.handlers, stub("backup"), stub("cleanup")])),
  Layer.provideMerge(Notifications.Default),
  Layer.provideMerge(channel),
  Layer.provideMerge(Layer.effect(Delivered, Ref.make<ReadonlyArray<Notification>>([]))),
  Layer.provideMerge(TaskDesk.layerMemory)
)

const setTime = (text: string) => TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake(text)))

const outbox = Effect.flatMap(Outbox, (o) => o.list({ limit: 500 }))

const ensureBuiltins = Effect.flatMap(Scheduler, (s) =>
  Effect.forEach(BuiltinJobs.definitions(), (d) => s.ensure(d).pipe(asSystem))
)

describe("Built-in jobs", () => {
  it.effect("are the seeds' four jobs, in Moscow time by default", () =>
    Effect.gen(function* () {
      yield* setTime("2026-03-02T12:00:00Z") // Monday, 15:00 in Moscow
      const jobs = yield* ensureBuiltins
      assert.deepStrictEqual(
        jobs.map((j) => [j.id, JobSchedule.describe(j.schedule), DateTime.formatIso(Option.getOrThrow(j.nextRunAt))]),
        [
          ["deadline-reminders", "0 9 * * * (Europe/Moscow)", "2026-03-03T06:00:00.000Z"],
          ["daily-report", "0 18 * * 1-5 (Europe/Moscow)", "2026-03-02T15:00:00.000Z"],
          ["backup", "0 2 * * * (Europe/Moscow)", "2026-03-02T23:00:00.000Z"],
          ["cleanup", "0 * * * * (Europe/Moscow)", "2026-03-02T13:00:00.000Z"]
        ]
      )
      assert.isTrue(jobs.every((j) => j.enabled && j.coalesce && j.misfireGraceSeconds === 600))
      // Ensuring again keeps what an administrator changed.
      const scheduler = yield* Scheduler
      yield* scheduler.update(JobId.make("daily-report"), { expression: "* * * * *" }).pipe(asSystem)
      const again = yield* ensureBuiltins
      assert.deepStrictEqual(again[1]!.schedule, JobSchedule.cron("* * * * *", "Europe/Moscow"))
      assert.deepStrictEqual(
        BuiltinJobs.definitions("Europe/Berlin").map((d) => d.schedule),
        [
          JobSchedule.cron("0 9 * * *", "Europe/Berlin"),
          JobSchedule.cron("0 18 * * 1-5", "Europe/Berlin"),
          JobSchedule.cron("0 2 * * *", "Europe/Berlin"),
          JobSchedule.cron("0 * * * *", "Europe/Berlin")
        ]
      )
    }).pipe(Effect.provide(layer), supervised)
  )

  it.effect("backup and cleanup need the server's handlers", () =>
    Effect.gen(function* () {
      const scheduler = yield* Scheduler
      const backup = BuiltinJobs.definitions().find((d) => d.id === "backup")!
      const refused = yield* scheduler.define(backup).pipe(asSystem, Effect.flip)
      assert.isTrue(refused._tag === "InvalidInput" && refused.issues[0]!.path[0] === "handler")
    }).pipe(
      Effect.provide(
        Scheduler.Default.pipe(
          Layer.provideMerge(BuiltinJobs.layerHandlers),
          Layer.provideMerge(Notifications.Default),
          Layer.provideMerge(NotificationChannel.layerLog),
          Layer.provideMerge(TaskDesk.layerMemory)
        )
      )
    )
  )

  it.effect("deadline reminders: one per person, listing their items due within 24 hours or overdue", () =>
    Effect.gen(function* () {
      const people = yield* createPeople
      const tasks = yield* TaskRepo
      const assignments = yield* AssignmentRepo
      const repairs = yield* RepairRequestRepo
      const now = "2026-03-02T06:00:00Z" // 09:00 in Moscow
      const hours = (h: number) => DateTime.add(at(now), { hours: h })
      const inactive = makeUser({ active: false })
      yield* Effect.flatMap(UserRepo, (u) => u.insert(inactive))

      const soon = makeTask({ title: "Soon", assigneeIds: [people.worker.id], dueAt: Option.some(hours(3)) })
      const late = makeTask({
        title: "Late",
        assigneeIds: [people.worker.id, people.worker2.id],
        dueAt: Option.some(hours(-24))
      })
      const later = makeTask({ title: "Later", assigneeIds: [people.worker.id], dueAt: Option.some(hours(72)) })
      const done = makeTask({
        title: "Done",
        assigneeIds: [people.worker.id],
        status: "done",
        dueAt: Option.some(hours(1))
      })
      const nobody = makeTask({ title: "Nobody's", createdBy: people.manager.id, dueAt: Option.some(hours(2)) })
      const offered = makeTask({ title: "Offered", assigneeIds: [people.worker2.id] })
      const gone = makeTask({ title: "Gone", assigneeIds: [inactive.id], dueAt: Option.some(hours(1)) })
      for (const t of [soon, late, later, done, nobody, offered, gone]) yield* tasks.insert(t)
      // worker2 accepted it, so the task lists them too: one item, not two.
      const assignment = makeAssignment({
        taskId: offered.id,
        assigneeId: people.worker2.id,
        status: "accepted",
        dueAt: Option.some(hours(5))
      })
      yield* assignments.insert(assignment)
      yield* assignments.insert(
        makeAssignment({
          taskId: offered.id,
          assigneeId: people.worker.id,
          status: "rejected",
          dueAt: Option.some(hours(1))
        })
      )
      const fridge = makeRepairRequest({
        technicianId: Option.some(people.worker.id),
        status: "in_progress",
        deadline: Option.some(hours(10))
      })
      yield* repairs.insert(fridge)
      yield* repairs.insert(
        makeRepairRequest({
          technicianId: Option.some(people.worker2.id),
          status: "new",
          deadline: Option.some(hours(80))
        })
      )
      yield* repairs.insert(
        makeRepairRequest({
          technicianId: Option.some(people.worker2.id),
          status: "completed",
          deadline: Option.some(hours(1))
        })
      )

      yield* setTime("2026-03-02T05:30:00Z")
      yield* ensureBuiltins
      yield* Effect.flatMap(Scheduler, (s) => s.start().pipe(asSystem))
      yield* TestClock.adjust("30 minutes")

      const sent = (yield* outbox).filter((n) => n.kind === "deadline_reminder")
      const byPerson = new Map(sent.map((n) => [n.recipientId, n]))
      assert.strictEqual(sent.length, 3)
      const items = (id: UserId) => (byPerson.get(id)!.data.items as ReadonlyArray<{ id: string }>).map((i) => i.id)
      assert.deepStrictEqual(items(people.worker.id), [late.id, soon.id, fridge.id])
      assert.deepStrictEqual(items(people.worker2.id), [late.id, assignment.id])
      assert.deepStrictEqual(items(people.manager.id), [nobody.id])
      const worker = byPerson.get(people.worker.id)!
      assert.strictEqual(worker.subject, "3 items due soon (1 overdue)")
      assert.include(worker.body, "[overdue] task: Late — due 2026-03-01 09:00")
      assert.include(worker.body, "task: Soon — due 2026-03-02 12:00")
      assert.include(worker.body, `repair: ${fridge.reference}`)
      assert.strictEqual(byPerson.get(people.manager.id)!.subject, "1 item due soon")

      const runs = yield* Effect.flatMap(Scheduler, (s) => s.runs(JobId.make("deadline-reminders")).pipe(asSystem))
      assert.deepStrictEqual(
        runs.items.map((r) => [r.status, Option.getOrNull(r.summary)]),
        [["succeeded", "3 reminders for 6 items"]]
      )

      // Delivery marks them sent; nothing is delivered twice.
      const report = yield* Effect.flatMap(Notifications, (n) => n.deliverPending())
      assert.deepStrictEqual(report, { sent: 3, retrying: 0, failed: 0 })
      assert.deepStrictEqual(yield* Effect.flatMap(Notifications, (n) => n.deliverPending()), {
        sent: 0,
        retrying: 0,
        failed: 0
      })
      assert.strictEqual((yield* Effect.flatMap(Delivered, Ref.get)).length, 3)
      assert.isTrue((yield* outbox).every((n) => n.status === "sent" && Option.contains(n.channel, "test")))
    }).pipe(Effect.provide(layer), supervised)
  )

  it.effect("daily report: each manager gets the day's created, completed, overdue, repairs and rejections", () =>
    Effect.gen(function* () {
      const people = yield* createPeople
      const tasks = yield* TaskRepo
      const assignments = yield* AssignmentRepo
      const repairs = yield* RepairRequestRepo
      yield* Effect.flatMap(Users, (u) =>
        u.create({ name: "Second manager", username: "manager_two", role: "manager" })
      ).pipe(asSystem)
      const retired = yield* Effect.flatMap(Users, (u) =>
        u.create({ name: "Retired manager", username: "manager_old", role: "manager" })
      ).pipe(asSystem)
      yield* Effect.flatMap(Users, (u) => u.deactivate(retired.id)).pipe(asSystem)
      // Monday 2 March in Moscow is [2026-03-01T21:00Z, 2026-03-02T21:00Z).
      const created = makeTask({
        title: "Created today",
        createdAt: at("2026-03-02T07:00:00Z"),
        updatedAt: at("2026-03-02T07:00:00Z")
      })
      const yesterday = makeTask({
        title: "Created yesterday",
        createdAt: at("2026-03-01T20:59:00Z"),
        updatedAt: at("2026-03-01T20:59:00Z")
      })
      const completed = makeTask({
        title: "Completed today",
        status: "done",
        createdAt: at("2026-02-20T07:00:00Z"),
        updatedAt: at("2026-03-02T10:00:00Z"),
        completedAt: Option.some(at("2026-03-02T10:00:00Z"))
      })
      const completedBefore = makeTask({
        title: "Completed before",
        status: "done",
        createdAt: at("2026-02-20T07:00:00Z"),
        updatedAt: at("2026-03-01T10:00:00Z"),
        completedAt: Option.some(at("2026-03-01T10:00:00Z"))
      })
      const overdue = makeTask({
        title: "Overdue today",
        createdAt: at("2026-02-20T07:00:00Z"),
        updatedAt: at("2026-02-20T07:00:00Z"),
        dueAt: Option.some(at("2026-03-02T08:00:00Z"))
      })
      const overdueBefore = makeTask({
        title: "Overdue since Sunday",
        createdAt: at("2026-02-20T07:00:00Z"),
        updatedAt: at("2026-02-20T07:00:00Z"),
        dueAt: Option.some(at("2026-03-01T08:00:00Z"))
      })
      for (const t of [created, yesterday, completed, completedBefore, overdue, overdueBefore]) yield* tasks.insert(t)
      const rejected = makeAssignment({
        taskId: overdue.id,
        assigneeId: people.worker.id,
        status: "rejected",
        rejectionReason: Option.some("Нет запчастей"),
        respondedAt: Option.some(at("2026-03-02T09:00:00Z"))
      })
      yield* assignments.insert(rejected)
      yield* assignments.insert(
        makeAssignment({
          taskId: overdue.id,
          assigneeId: people.worker2.id,
          status: "rejected",
          rejectionReason: Option.some("old news"),
          respondedAt: Option.some(at("2026-03-01T09:00:00Z"))
        })
      )
      yield* repairs.insert(
        makeRepairRequest({ createdAt: at("2026-03-02T08:00:00Z"), updatedAt: at("2026-03-02T08:00:00Z") })
      )
      yield* repairs.insert(
        makeRepairRequest({
          status: "completed",
          technicianId: Option.some(people.worker.id),
          createdAt: at("2026-03-02T06:00:00Z"),
          updatedAt: at("2026-03-02T12:00:00Z"),
          startedAt: Option.some(at("2026-03-02T07:00:00Z")),
          completedAt: Option.some(at("2026-03-02T12:00:00Z"))
        })
      )

      yield* setTime("2026-03-02T14:00:00Z")
      yield* ensureBuiltins
      yield* Effect.flatMap(Scheduler, (s) => s.start().pipe(asSystem))
      yield* TestClock.adjust("1 hour")

      const reports = (yield* outbox).filter((n) => n.kind === "daily_report")
      assert.strictEqual(reports.length, 2)
      assert.isFalse(reports.some((n) => n.recipientId === retired.id))
      assert.isTrue(reports.some((n) => n.recipientId === people.manager.id))
      const report = reports[0]!
      assert.strictEqual(report.subject, "Daily report 2026-03-02")
      const data = report.data as {
        readonly created: ReadonlyArray<string>
        readonly completed: ReadonlyArray<string>
        readonly overdue: ReadonlyArray<string>
        readonly repairs: { readonly total: number; readonly byStatus: { readonly completed: number } }
        readonly rejected: ReadonlyArray<unknown>
      }
      assert.deepStrictEqual(data.created, [created.id])
      assert.deepStrictEqual(data.completed, [completed.id])
      assert.deepStrictEqual(data.overdue, [overdue.id])
      assert.deepStrictEqual([data.repairs.total, data.repairs.byStatus.completed], [2, 1])
      assert.deepStrictEqual(data.rejected, [
        { assignmentId: rejected.id, taskId: overdue.id, assigneeId: people.worker.id, reason: "Нет запчастей" }
      ])
      assert.include(report.body, "Created: 1\n- Created today")
      assert.include(report.body, "Repair requests: 2 new, 1 completed, 0 overdue")
      assert.include(report.body, `Overdue today (${people.worker.id}): Нет запчастей`)

      // The recipients are a parameter, checked when set.
      const scheduler = yield* Scheduler
      const refused = yield* scheduler
        .update(JobId.make(DailyReport.name), { parameters: { roles: ["boss"] } })
        .pipe(asSystem, Effect.flip)
      assert.strictEqual(refused._tag, "InvalidInput")
      yield* scheduler.update(JobId.make(DailyReport.name), { parameters: { roles: ["supervisor"] } }).pipe(asSystem)
      const run = yield* scheduler.runNow(JobId.make(DailyReport.name)).pipe(asSystem)
      assert.deepStrictEqual(
        run.summary.pipe(Option.map((s) => s.slice(0, 36))),
        Option.some("report for 2026-03-02 to 1 recipient")
      )
      assert.isTrue((yield* outbox).some((n) => n.recipientId === people.supervisor.id && n.kind === "daily_report"))
    }).pipe(Effect.provide(layer), supervised)
  )
})

describe("Notifications", () => {
  it.effect("retries a failed delivery with growing delays, then gives up", () =>
    Effect.gen(function* () {
      const notifications = yield* Notifications
      yield* setTime("2026-03-02T09:00:00Z")
      const [n] = yield* notifications.enqueue([
        { recipientId: UserId.make("someone"), kind: "test", subject: "unreachable", body: "…" }
      ])
      const delays: Array<number> = []
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const report = yield* notifications.deliverPending()
        const stored = Option.getOrThrow(yield* Effect.flatMap(Outbox, (o) => o.findById(n!.id)))
        assert.strictEqual(stored.attempts, attempt)
        if (attempt < maxAttempts) {
          assert.deepStrictEqual(report, { sent: 0, retrying: 1, failed: 0 })
          const wait = DateTime.distance(yield* DateTime.now, Option.getOrThrow(stored.lockedUntil))
          delays.push(wait / 1000)
          // Not before its time.
          assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 0, failed: 0 })
          yield* TestClock.adjust(wait)
        } else {
          assert.deepStrictEqual(report, { sent: 0, retrying: 0, failed: 1 })
          assert.strictEqual(stored.status, "failed")
          assert.deepStrictEqual(stored.lastError, Option.some("chat not found"))
        }
      }
      assert.deepStrictEqual(delays, [30, 60, 120, 240])
    }).pipe(Effect.provide(layer), supervised)
  )

  it.effect("waits as long as the service asks when that is longer than the backoff", () =>
    Effect.gen(function* () {
      const notifications = yield* Notifications
      yield* setTime("2026-03-02T09:00:00Z")
      const [n] = yield* notifications.enqueue([
        { recipientId: UserId.make("someone"), kind: "test", subject: "throttled", body: "…" }
      ])
      assert.deepStrictEqual(yield* notifications.deliverPending(), { sent: 0, retrying: 1, failed: 0 })
      const stored = Option.getOrThrow(yield* Effect.flatMap(Outbox, (o) => o.findById(n!.id)))
      assert.strictEqual(DateTime.distance(yield* DateTime.now, Option.getOrThrow(stored.lockedUntil)), 900_000)
    }).pipe(Effect.provide(layer), supervised)
  )

  it.effect("refuses an invalid notification and lets people read their own", () =>
    Effect.gen(function* () {
      const people = yield* createPeople
      const notifications = yield* Notifications
      const bad = yield* notifications
        .enqueue([{ recipientId: people.worker.id, kind: "Not a kind!", subject: "x", body: "y" }])
        .pipe(Effect.flip)
      assert.strictEqual(bad._tag, "InvalidInput")
      yield* notifications.enqueue([
        { recipientId: people.worker.id, kind: "test", subject: "for the worker", body: "" },
        { recipientId: people.worker2.id, kind: "test", subject: "for the other", body: "" }
      ])
      const own = yield* notifications.list({ recipientId: people.worker.id }).pipe(as(people.worker))
      assert.deepStrictEqual(
        own.map((n) => n.subject),
        ["for the worker"]
      )
      const other = yield* notifications.list({ recipientId: people.worker2.id }).pipe(as(people.worker), Effect.flip)
      assert.strictEqual(other._tag, "Forbidden")
      assert.strictEqual((yield* notifications.list({}).pipe(as(people.supervisor))).length, 2)
    }).pipe(Effect.provide(layer), supervised)
  )

  it("formats local times and days in the job's zone", () => {
    const moscow = DateTime.zoneMakeNamed("Europe/Moscow")
    assert.strictEqual(LocalTime.formatLocal(at("2026-03-02T06:00:00Z"), moscow), "2026-03-02 09:00")
    assert.strictEqual(LocalTime.formatLocal(at("2026-03-02T06:00:00Z"), Option.none()), "2026-03-02 06:00")
    const berlinAutumn = LocalTime.localDay(at("2026-10-25T12:00:00Z"), DateTime.zoneMakeNamed("Europe/Berlin"))
    assert.strictEqual(DateTime.distance(berlinAutumn.from, berlinAutumn.to), 25 * 3600 * 1000)
  })
})
