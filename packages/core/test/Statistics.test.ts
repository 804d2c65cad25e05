import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, FastCheck, Option, TestClock } from "effect"
import { Assignments } from "../src/Assignments.js"
import { UserId } from "../src/Ids.js"
import * as MemoryStorage from "../src/memory/MemoryStorage.js"
import { RepairRequestRepo } from "../src/RepairRequestRepo.js"
import { RepairRequests } from "../src/RepairRequests.js"
import { Statistics } from "../src/Statistics.js"
import { StatisticsRange, StatisticsRepo } from "../src/StatisticsRepo.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Templates } from "../src/Templates.js"
import {
  assertStatistics,
  expectedRepairStatistics,
  freshWindow,
  repairFrom,
  repairSpec
} from "../testing/conformance/repairs.js"
import { as, at, createPeople } from "../testing/index.js"

const start = at("2026-03-02T08:00:00Z")
const fridge = { deviceType: "Холодильник", deviceModel: "Indesit DF-5200", problemDescription: "Течёт" } as const
const washer = { deviceType: "Стиральная машина", deviceModel: "LG F2J3", problemDescription: "Не сливает" } as const

describe("Statistics", () => {
  it.effect("is for managers, supervisors and administrators; the range must not end before it starts", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(start))
      const people = yield* createPeople
      const statistics = yield* Statistics
      const range = new StatisticsRange({ from: start, to: DateTime.add(start, { days: 1 }) })
      const outcomes = yield* Effect.forEach(
        ["admin", "manager", "supervisor", "worker", "client", "partner"] as const,
        (who) =>
          as(people[who])(statistics.repairs(range)).pipe(
            Effect.match({ onFailure: (e) => e._tag, onSuccess: () => "ok" })
          )
      )
      assert.deepStrictEqual(outcomes, ["ok", "ok", "ok", "Forbidden", "Forbidden", "Forbidden"])
      const inverted = new StatisticsRange({ from: range.to, to: range.from })
      const error = yield* as(people.manager)(statistics.repairs(inverted)).pipe(Effect.flip)
      assert.strictEqual(error._tag, "InvalidInput")
      const empty = yield* as(people.manager)(statistics.repairs(new StatisticsRange({ from: start, to: start })))
      assert.strictEqual(empty.total, 0)
      // Authorization comes first: a worker learns nothing about the range either.
      assert.strictEqual((yield* as(people.worker)(statistics.repairs(inverted)).pipe(Effect.flip))._tag, "Forbidden")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("reports the requests worked through the services, with times from the clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(start))
      const { client, client2, manager, worker, worker2, supervisor } = yield* createPeople
      const repairs = yield* RepairRequests
      const statistics = yield* Statistics
      // Filed before the range: not counted.
      yield* as(client)(repairs.create(fridge))
      yield* TestClock.adjust(Duration.hours(1))
      const from = yield* DateTime.now
      const a = yield* as(client)(repairs.create({ ...fridge, category: "Протечка" }))
      const b = yield* as(client2)(repairs.create(washer))
      const c = yield* as(manager)(
        repairs.create({ ...washer, clientId: client.id, deadline: DateTime.add(from, { hours: 5 }) })
      )
      yield* as(manager)(repairs.assign(a.id, worker.id))
      yield* as(manager)(repairs.assign(b.id, worker2.id))
      yield* as(manager)(repairs.assign(c.id, worker.id))
      yield* TestClock.adjust(Duration.hours(2))
      yield* as(worker)(repairs.start(a.id))
      yield* as(worker2)(repairs.start(b.id))
      yield* TestClock.adjust(Duration.hours(4))
      yield* as(worker)(repairs.complete(a.id, "Заменили шланг"))
      yield* as(client)(repairs.rate(a.id, 5))
      yield* TestClock.adjust(Duration.hours(2))
      yield* as(worker2)(repairs.complete(b.id, "Прочистили фильтр"))
      yield* as(client2)(repairs.rate(b.id, 2, "Долго"))
      const range = new StatisticsRange({ from, to: DateTime.add(from, { days: 1 }) })
      const report = yield* as(supervisor)(statistics.repairs(range))
      assert.strictEqual(report.total, 3)
      assert.deepStrictEqual({ ...report.byStatus }, { new: 1, in_progress: 0, on_hold: 0, completed: 2, cancelled: 0 })
      // a: created at +0h, started +2h, completed +6h; b: created +0h, started +2h, completed +8h.
      assert.deepStrictEqual(
        [report.toComplete.averageHours, report.toComplete.medianHours],
        [Option.some(7), Option.some(7)]
      )
      assert.deepStrictEqual([report.inWork.averageHours, report.inWork.medianHours], [Option.some(5), Option.some(5)])
      assert.deepStrictEqual(
        report.byDeviceType.map((k) => [k.key, k.count]),
        [
          ["Стиральная машина", 2],
          ["Холодильник", 1]
        ]
      )
      assert.deepStrictEqual(
        [report.byCategory.map((k) => [k.key, k.count]), report.uncategorized],
        [[["Протечка", 1]], 2]
      )
      const byTechnician = new Map(report.technicians.map((t) => [t.technicianId, t]))
      assert.deepStrictEqual(
        [byTechnician.get(worker.id)?.open, byTechnician.get(worker.id)?.completed],
        [1, 1],
        "c is open with the same technician"
      )
      assert.deepStrictEqual(byTechnician.get(worker2.id)?.averageHoursInWork, Option.some(6))
      assert.deepStrictEqual(byTechnician.get(worker2.id)?.averageRating, Option.some(2))
      assert.strictEqual(report.overdue, 1, "c's deadline passed three hours ago")
      assert.deepStrictEqual([report.ratings, report.averageRating], [2, Option.some(3.5)])
      assert.isTrue(DateTime.Equivalence(report.from, from) && DateTime.Equivalence(report.to, range.to))
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect.prop(
    "the aggregate port agrees with a naive computation over random data",
    {
      specs: FastCheck.array(repairSpec, { maxLength: 80 }),
      fromDays: FastCheck.integer({ min: -3, max: 22 }),
      lengthMs: FastCheck.oneof(FastCheck.integer({ min: 0, max: 30 * 86_400_000 }), FastCheck.constant(0)),
      // Day 10 is when `repairFrom` puts deadlines at offset 0: a deadline exactly at `now`.
      nowDays: FastCheck.oneof(FastCheck.double({ min: -1, max: 30, noNaN: true }), FastCheck.constant(10))
    },
    ({ specs, fromDays, lengthMs, nowDays }) =>
      Effect.gen(function* () {
        const repo = yield* RepairRequestRepo
        const stats = yield* StatisticsRepo
        const window = freshWindow()
        const technicians = [UserId.make("tech-b"), UserId.make("tech-a"), UserId.make("Tech-c")]
        const rows = specs.map((spec) => repairFrom(spec, window, technicians))
        yield* Effect.forEach(rows, repo.insert, { discard: true })
        const from = DateTime.add(window.start, { days: fromDays })
        const range = new StatisticsRange({ from, to: DateTime.add(from, { millis: lengthMs }) })
        const now = DateTime.add(window.start, { millis: Math.round(nowDays * 86_400_000) })
        assertStatistics(yield* stats.repairs(range, now), expectedRepairStatistics(rows, range, now))
      }).pipe(Effect.provide(MemoryStorage.layer)),
    { fastCheck: { numRuns: 150 } }
  )
})

describe("Statistics.tasks", () => {
  it.effect("reports a day of hand-outs worked through the services", () =>
    Effect.gen(function* () {
      const monday = at("2026-03-02T08:00:00Z")
      yield* TestClock.setTime(DateTime.toEpochMillis(monday))
      const people = yield* createPeople
      const templates = yield* Templates
      const assignments = yield* Assignments
      const statistics = yield* Statistics
      const template = yield* templates.create({ title: "Обход" }).pipe(as(people.manager))
      const [first, second] = yield* assignments
        .batch({
          items: [
            { templateId: template.id, assigneeId: people.worker.id, dueAt: DateTime.add(monday, { hours: 2 }) },
            { templateId: template.id, assigneeId: people.worker2.id }
          ]
        })
        .pipe(as(people.manager))
      yield* TestClock.adjust("1 hour")
      yield* assignments.accept(first!.id).pipe(as(people.worker))
      yield* assignments.reject(second!.id, "В отпуске").pipe(as(people.worker2))
      yield* TestClock.adjust("3 hours")
      const day = new StatisticsRange({ from: monday, to: DateTime.add(monday, { days: 1 }) })
      const stats = yield* statistics.tasks(day).pipe(as(people.supervisor))
      assert.deepStrictEqual([stats.totals.created, stats.totals.completed, stats.totals.overdue], [2, 0, 1])
      assert.deepStrictEqual(
        [stats.assignments.offered, stats.assignments.accepted, stats.assignments.rejected],
        [2, 1, 1]
      )
      assert.deepStrictEqual(
        stats.rejections.map((r) => [r.assigneeId, r.reason]),
        [[people.worker2.id, "В отпуске"]]
      )
      const worker = stats.byAssignee.find((x) => x.assigneeId === people.worker.id)!
      assert.deepStrictEqual([worker.created, worker.overdue, worker.accepted], [1, 1, 1])
      assert.strictEqual((yield* statistics.tasks(day).pipe(as(people.worker), Effect.flip))._tag, "Forbidden")
      const backwards = new StatisticsRange({ from: day.to, to: day.from })
      assert.strictEqual(
        (yield* statistics.tasks(backwards).pipe(as(people.manager), Effect.flip))._tag,
        "InvalidInput"
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})
