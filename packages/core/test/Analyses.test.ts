import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, TestClock } from "effect"
import { Analyses, type AnalysisLimits, AnalysisQuotaExceeded, AnalysisSettings } from "../src/Analyses.js"
import { Analysis, RepairAnalysis, type RepairBrief, SuggestedPriority, type TaskBrief } from "../src/Analysis.js"
import { AuditLog } from "../src/AuditLog.js"
import { NotFound } from "../src/Errors.js"
import { RepairRequests, repairSubject } from "../src/RepairRequests.js"
import { AnalysisMalformed, AnalysisNotConfigured, TaskAnalysis } from "../src/TaskAnalysis.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Tasks, taskSubject } from "../src/Tasks.js"
import { as, createPeople } from "../testing/index.js"

const start = DateTime.unsafeMake("2026-03-02T09:00:00Z")

/** A provider that answers from the brief and remembers every brief it was sent. */
const recording = () => {
  const sent: Array<TaskBrief | RepairBrief> = []
  let fail = false
  const repair = (brief: RepairBrief) => {
    sent.push(brief)
    return Effect.succeed(
      new RepairAnalysis({
        summary: `${brief.deviceType}: ${brief.problemDescription}`,
        likelyCauses: ["a worn seal"],
        partsToBring: ["seal kit"],
        risks: [],
        estimateHours: 1
      })
    )
  }
  const layer = TaskAnalysis.layerTest(
    (brief) => {
      sent.push(brief)
      if (fail) return Effect.fail(new AnalysisMalformed({ reason: "not JSON" }))
      return Effect.succeed(
        new Analysis({
          summary: `about ${brief.title}`,
          risks: [],
          suggestedPriority: new SuggestedPriority({ priority: "high", reason: "it says so" }),
          subtasks: ["do it"],
          estimateHours: 2
        })
      )
    },
    { repair }
  )
  return { sent, layer, failNext: (on: boolean) => (fail = on) }
}

/** A fresh `Analyses` (a "process") over the storage in context. */
const analysesWith = (provider: Layer.Layer<TaskAnalysis>, limits: Partial<AnalysisLimits> = {}) =>
  Analyses.Default.pipe(
    Layer.provide(provider),
    Layer.provide(AnalysisSettings.layer({ ...AnalysisSettings.defaults, ...limits }))
  )

const withAnalyses =
  (provider: Layer.Layer<TaskAnalysis>, limits: Partial<AnalysisLimits> = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.provide(effect, analysesWith(provider, limits))

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(DateTime.toEpochMillis(start))
  const people = yield* createPeople
  const tasks = yield* Tasks
  const task = yield* tasks
    .create({ title: "Replace the boiler", description: "It leaks.", assigneeIds: [people.worker.id] })
    .pipe(as(people.manager), Effect.orDie)
  return { ...people, tasks, task }
})

describe("Analyses", () => {
  it.effect("sends the brief of a task the caller may read, and records what was sent and answered", () =>
    Effect.gen(function* () {
      const { manager, task } = yield* setup
      const provider = recording()
      const report = yield* Effect.flatMap(Analyses, (a) => a.analyseTask(task.id)).pipe(
        as(manager),
        withAnalyses(provider.layer)
      )
      assert.strictEqual(report.analysis.summary, "about Replace the boiler")
      assert.strictEqual(report.taskVersion, task.version)
      assert.isFalse(report.cached)
      assert.strictEqual(provider.sent.length, 1)
      assert.deepStrictEqual(Object.keys(provider.sent[0]!).sort(), [
        "description",
        "priority",
        "status",
        "tags",
        "title"
      ])
      const history = yield* Effect.flatMap(AuditLog, (log) => log.history(taskSubject(task.id)))
      const event = history.find((e) => e.type === "task.analysed")
      assert.isDefined(event)
      assert.strictEqual(event!.actorId, manager.id)
      assert.deepStrictEqual(
        Option.map(event!.parent, (p) => p.id),
        Option.some(manager.id)
      )
      assert.deepInclude(event!.payload, { model: "test-model" })
      assert.strictEqual((event!.payload as { analysis?: Analysis }).analysis?.estimateHours, 2)
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("answers NotFound for a task the caller may not see, and sends nothing", () =>
    Effect.gen(function* () {
      const { worker2, task } = yield* setup
      const provider = recording()
      const error = yield* Effect.flatMap(Analyses, (a) => a.analyseTask(task.id)).pipe(
        as(worker2),
        withAnalyses(provider.layer),
        Effect.flip
      )
      assert.instanceOf(error, NotFound)
      assert.deepInclude(error, { entity: "Task", id: task.id })
      assert.strictEqual(provider.sent.length, 0)
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("reuses an answer for the same version of the task, and asks afresh once it changed or expired", () =>
    Effect.gen(function* () {
      const { manager, tasks, task } = yield* setup
      const provider = recording()
      yield* Effect.gen(function* () {
        const analyses = yield* Analyses
        const first = yield* analyses.analyseTask(task.id)
        const again = yield* analyses.analyseTask(task.id)
        assert.isTrue(again.cached)
        assert.deepStrictEqual(again.analysis, first.analysis)
        assert.strictEqual(provider.sent.length, 1)
        yield* tasks.update(task.id, { title: "Replace the boiler in building C" })
        const changed = yield* analyses.analyseTask(task.id)
        assert.isFalse(changed.cached)
        assert.strictEqual(changed.taskVersion, task.version + 1)
        assert.strictEqual((provider.sent[1] as TaskBrief).title, "Replace the boiler in building C")
        yield* TestClock.adjust("59 minutes")
        assert.isTrue((yield* analyses.analyseTask(task.id)).cached)
        yield* TestClock.adjust("1 minute")
        assert.isFalse((yield* analyses.analyseTask(task.id)).cached)
        assert.strictEqual(provider.sent.length, 3)
      }).pipe(as(manager), withAnalyses(provider.layer, { cacheMinutes: 60, dailyLimit: 3 }))
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("allows N calls a UTC day per person, counted from the log across restarts; cached answers are free", () =>
    Effect.gen(function* () {
      const { manager, admin, tasks, task } = yield* setup
      const other = yield* tasks.create({ title: "Paint the hall" }).pipe(as(manager), Effect.orDie)
      const provider = recording()
      const limits = { dailyLimit: 2 }
      const analyse = (id: typeof task.id) => Effect.flatMap(Analyses, (a) => a.analyseTask(id))
      yield* analyse(task.id).pipe(as(manager), withAnalyses(provider.layer, limits))
      // Another process (a restart): the first call is in the log, and a failed call counts too.
      provider.failNext(true)
      const failed = yield* analyse(other.id).pipe(as(manager), withAnalyses(provider.layer, limits), Effect.flip)
      assert.instanceOf(failed, AnalysisMalformed)
      provider.failNext(false)
      const refused = yield* analyse(other.id).pipe(as(manager), withAnalyses(provider.layer, limits), Effect.flip)
      // 09:00 UTC: fifteen hours to midnight.
      assert.instanceOf(refused, AnalysisQuotaExceeded)
      assert.deepInclude(refused, { limit: 2, retryAfterSeconds: 15 * 3600 })
      assert.strictEqual(provider.sent.length, 2)
      yield* Effect.gen(function* () {
        const analyses = yield* Analyses
        // Someone else's allowance is their own; a cached answer costs nothing.
        yield* analyses.analyseTask(task.id).pipe(as(admin))
        assert.isTrue((yield* analyses.analyseTask(task.id).pipe(as(admin))).cached)
        yield* analyses.analyseTask(other.id).pipe(as(admin))
        assert.strictEqual(provider.sent.length, 4)
        yield* TestClock.adjust("15 hours")
        // A new UTC day: the manager may ask again (the cached answers have expired by now).
        const tomorrow = yield* analyses.analyseTask(other.id).pipe(as(manager))
        assert.isFalse(tomorrow.cached)
        yield* tasks.update(other.id, { title: "Paint the hall blue" }).pipe(as(manager))
        yield* analyses.analyseTask(other.id).pipe(as(manager))
        assert.strictEqual(provider.sent.length, 6)
        const third = yield* analyses.analyseTask(task.id).pipe(as(manager), Effect.flip)
        assert.instanceOf(third, AnalysisQuotaExceeded)
      }).pipe(withAnalyses(provider.layer, limits))
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("analyses a repair request its client may see, sharing the daily allowance and the rules", () =>
    Effect.gen(function* () {
      const { manager, client, client2, task } = yield* setup
      const repairs = yield* RepairRequests
      const file = (problemDescription: string) =>
        repairs
          .create({ deviceType: "Fridge", deviceModel: "X1", problemDescription, serialNumber: "SN-1" })
          .pipe(as(client), Effect.orDie)
      const request = yield* file("Warm inside")
      const another = yield* file("Noisy")
      const provider = recording()
      yield* Effect.gen(function* () {
        const analyses = yield* Analyses
        const hidden = yield* analyses.analyseRepair(request.id).pipe(as(client2), Effect.flip)
        assert.instanceOf(hidden, NotFound)
        assert.strictEqual(provider.sent.length, 0)
        const report = yield* analyses.analyseRepair(request.id).pipe(as(client))
        assert.deepStrictEqual(report.analysis.partsToBring, ["seal kit"])
        assert.deepInclude(report, { requestId: request.id, requestVersion: request.version, cached: false })
        // The device and the problem only: no serial number, no people.
        assert.deepStrictEqual(Object.keys(provider.sent[0]!).sort(), [
          "deviceModel",
          "deviceType",
          "problemDescription",
          "status"
        ])
        // Cached answers are free, also for another person who may see the request.
        assert.isTrue((yield* analyses.analyseRepair(request.id).pipe(as(client))).cached)
        assert.isTrue((yield* analyses.analyseRepair(request.id).pipe(as(manager))).cached)
        const spent = yield* analyses.analyseRepair(another.id).pipe(as(client), Effect.flip)
        assert.instanceOf(spent, AnalysisQuotaExceeded)
        yield* analyses.analyseTask(task.id).pipe(as(manager))
        assert.strictEqual(provider.sent.length, 2)
      }).pipe(withAnalyses(provider.layer, { dailyLimit: 1 }))
      const history = yield* Effect.flatMap(AuditLog, (log) => log.history(repairSubject(request.id)))
      assert.deepStrictEqual(
        history.filter((e) => e.type === "repair.analysed").map((e) => e.actorId),
        [client.id]
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("fails with how to enable it when no provider is configured, recording nothing", () =>
    Effect.gen(function* () {
      const { manager, task } = yield* setup
      const error = yield* Effect.flatMap(Analyses, (a) => a.analyseTask(task.id)).pipe(
        as(manager),
        withAnalyses(TaskAnalysis.layerUnconfigured("set a key")),
        Effect.flip
      )
      assert.instanceOf(error, AnalysisNotConfigured)
      assert.strictEqual((error as AnalysisNotConfigured).hint, "set a key")
      const history = yield* Effect.flatMap(AuditLog, (log) => log.history(taskSubject(task.id)))
      assert.isFalse(history.some((e) => e.type === "task.analysed"))
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})
