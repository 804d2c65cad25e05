import { assert, describe, layer as withStorage } from "@effect/vitest"
import { DateTime, Effect, type Layer, Option } from "effect"
import { AssignmentRepo } from "../../src/AssignmentRepo.js"
import { ProjectId, UserId } from "../../src/Ids.js"
import { StatisticsRange, StatisticsRepo } from "../../src/StatisticsRepo.js"
import type { Storage } from "../../src/Storage.js"
import { TaskRepo } from "../../src/TaskRepo.js"
import { at, makeAssignment, makeTask, uniqueId } from "../fixtures.js"

/** The `StatisticsRepo.tasks` contract, on a worked example whose every number is counted by hand. */
export const taskStatisticsSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("StatisticsRepo.tasks", () => {
    withStorage(layer)((it) => {
      it.effect("counts created, completed and overdue tasks and the answers to hand-outs", () =>
        Effect.gen(function* () {
          // Statistics cover a whole store, so this example lives in a window of its own, far from other data
          // (and before the year 9999, the last a due time may fall in).
          const w = DateTime.add(at("8000-01-01T00:00:00Z"), { days: Math.floor(Math.random() * 36_000) * 20 })
          const d = (days: number, hours = 0) => DateTime.add(w, { days, hours })
          const range = new StatisticsRange({ from: w, to: d(10) })
          const now = d(5)
          const [a, b, c] = [uniqueId("a"), uniqueId("b"), uniqueId("c")].map((id) => UserId.make(id)) as [
            UserId,
            UserId,
            UserId
          ]
          const [p1, p2] = [uniqueId("p1"), uniqueId("p2")].map((id) => ProjectId.make(id)) as [ProjectId, ProjectId]
          const some = Option.some
          const t1 = makeTask({
            createdAt: d(1),
            projectId: some(p1),
            assigneeIds: [a],
            status: "done",
            completedAt: some(d(2)),
            dueAt: some(d(3))
          })
          const t2 = makeTask({ createdAt: d(2), assigneeIds: [a, b], status: "in_progress", dueAt: some(d(4)) })
          const t3 = makeTask({
            createdAt: d(-5),
            projectId: some(p1),
            assigneeIds: [b],
            status: "done",
            completedAt: some(d(1))
          })
          const t4 = makeTask({ createdAt: d(0), projectId: some(p2), dueAt: some(d(6)) })
          const t5 = makeTask({ createdAt: d(-3), projectId: some(p2), assigneeIds: [b], dueAt: some(d(-1)) })
          const t6 = makeTask({
            createdAt: d(-20),
            projectId: some(p1),
            assigneeIds: [a],
            status: "in_progress",
            dueAt: some(d(1))
          })
          const t7 = makeTask({ createdAt: d(10), assigneeIds: [c] })
          const tasks = yield* TaskRepo
          yield* Effect.forEach([t1, t2, t3, t4, t5, t6, t7], tasks.insert, { discard: true })
          const assignments = yield* AssignmentRepo
          const a1 = makeAssignment({
            taskId: t1.id,
            assigneeId: a,
            createdAt: d(1),
            status: "completed",
            respondedAt: some(d(1, 1)),
            completedAt: some(d(2))
          })
          const a2 = makeAssignment({
            taskId: t2.id,
            assigneeId: b,
            createdAt: d(2),
            status: "rejected",
            respondedAt: some(d(2, 2)),
            rejectionReason: some("Нет времени")
          })
          const a3 = makeAssignment({
            taskId: t2.id,
            assigneeId: c,
            createdAt: d(-2),
            status: "rejected",
            respondedAt: some(d(3)),
            rejectionReason: some("busy")
          })
          const a4 = makeAssignment({ taskId: t1.id, assigneeId: b, createdAt: d(4) })
          const a5 = makeAssignment({
            taskId: t2.id,
            assigneeId: a,
            createdAt: d(1),
            status: "cancelled",
            respondedAt: some(d(1))
          })
          const a6 = makeAssignment({
            taskId: t2.id,
            assigneeId: b,
            createdAt: d(12),
            status: "accepted",
            respondedAt: some(d(12))
          })
          yield* Effect.forEach([a1, a2, a3, a4, a5, a6], assignments.insert, { discard: true })

          const stats = yield* (yield* StatisticsRepo).tasks(range, now)
          const counts = (x: { created: number; completed: number; overdue: number }) => [
            x.created,
            x.completed,
            x.overdue
          ]
          assert.strictEqual(stats.from.epochMillis, range.from.epochMillis)
          assert.deepStrictEqual(counts(stats.totals), [3, 2, 2])
          assert.deepStrictEqual(counts(stats.withoutProject), [1, 0, 1])
          const byId = <K extends string>(xs: ReadonlyArray<{ readonly [k in K]: string }>, key: K) =>
            xs.map((x) => x[key])
          assert.deepStrictEqual(byId(stats.byProject, "projectId"), [p1, p2].sort())
          const project = (id: ProjectId) => stats.byProject.find((x) => x.projectId === id)!
          assert.deepStrictEqual(counts(project(p1)), [1, 2, 1])
          assert.deepStrictEqual(counts(project(p2)), [1, 0, 0])
          assert.deepStrictEqual(byId(stats.byAssignee, "assigneeId"), [a, b, c].sort())
          const person = (id: UserId) => {
            const x = stats.byAssignee.find((p) => p.assigneeId === id)!
            return [...counts(x), x.accepted, x.rejected]
          }
          assert.deepStrictEqual(person(a), [2, 1, 2, 2, 0])
          assert.deepStrictEqual(person(b), [1, 1, 1, 0, 1])
          assert.deepStrictEqual(person(c), [0, 0, 0, 0, 1])
          assert.deepStrictEqual(
            [stats.assignments.offered, stats.assignments.accepted, stats.assignments.rejected],
            [4, 2, 2]
          )
          assert.deepStrictEqual(
            stats.rejections.map((r) => [r.assignmentId, r.taskId, r.assigneeId, r.reason, r.at.epochMillis]),
            [
              [a2.id, t2.id, b, "Нет времени", d(2, 2).epochMillis],
              [a3.id, t2.id, c, "busy", d(3).epochMillis]
            ]
          )
          const empty = yield* (yield* StatisticsRepo).tasks(new StatisticsRange({ from: d(30), to: d(31) }), now)
          assert.deepStrictEqual(counts(empty.totals), [0, 0, 0])
          assert.deepStrictEqual([empty.byAssignee, empty.byProject, empty.rejections], [[], [], []])
        })
      )
    })
  })
