import { assert, describe, layer as withStorage } from "@effect/vitest"
import { DateTime, Effect, Equal, type Layer, Option } from "effect"
import { AssignmentRepo, sortKey } from "../../src/AssignmentRepo.js"
import { CommentRepo } from "../../src/CommentRepo.js"
import { AssignmentId, ProjectId, TemplateId, UserId } from "../../src/Ids.js"
import type { Storage } from "../../src/Storage.js"
import { TaskRepo } from "../../src/TaskRepo.js"
import { TemplateRepo } from "../../src/TemplateRepo.js"
import { Transaction } from "../../src/Transaction.js"
import { at, makeAssignment, makeComment, makeTask, makeTemplate, uniqueId } from "../fixtures.js"

/** The TemplateRepo, AssignmentRepo and CommentRepo contracts, and deleting a task with what hangs on it. */
export const assignmentRepoSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("TemplateRepo, AssignmentRepo and CommentRepo", () => {
    withStorage(layer)((it) => {
      it.effect("keeps the task library", () =>
        Effect.gen(function* () {
          const repo = yield* TemplateRepo
          const marker = uniqueId("lib")
          const b = makeTemplate({ title: `B ${marker}`, estimatedMinutes: Option.some(90) })
          const a = makeTemplate({ title: `A ${marker}`, description: "Проверить СЧЁТЧИК" })
          yield* repo.insert(b)
          yield* repo.insert(a)
          assert.isTrue(Equal.equals((yield* repo.findById(b.id)).pipe(Option.getOrThrow), b))
          assert.deepStrictEqual(
            (yield* repo.list({ text: marker })).map((t) => t.id),
            [a.id, b.id]
          )
          assert.deepStrictEqual((yield* repo.list({ text: "счётчик" })).filter((t) => t.id === a.id).length, 1)
          assert.deepStrictEqual(
            (yield* repo.findByIds([a.id, TemplateId.make("none")])).map((t) => t.id),
            [a.id]
          )
          assert.strictEqual((yield* repo.insert(a).pipe(Effect.flip))._tag, "DuplicateKey")
          const changed = makeTemplate({ ...a, title: `C ${marker}`, version: 2 })
          assert.strictEqual((yield* repo.update(changed, 3).pipe(Effect.flip))._tag, "VersionConflict")
          yield* repo.update(changed, 1)
          assert.deepStrictEqual(
            (yield* repo.list({ text: marker })).map((t) => t.id),
            [b.id, a.id]
          )
          assert.strictEqual((yield* repo.delete(b.id, 2).pipe(Effect.flip))._tag, "VersionConflict")
          yield* repo.delete(b.id, 1)
          assert.isTrue(Option.isNone(yield* repo.findById(b.id)))
        })
      )

      it.effect("pages assignments newest first by key: every one once, ties by id, a forged key gives none", () =>
        Effect.gen(function* () {
          const tasks = yield* TaskRepo
          const repo = yield* AssignmentRepo
          const task = makeTask()
          yield* tasks.insert(task)
          const base = at("2026-05-01T08:00:00Z")
          // Thirteen assignments over five instants: several share a creation time, so ids break ties.
          const made = Array.from({ length: 13 }, (_, i) =>
            makeAssignment({
              id: AssignmentId.make(`${uniqueId("page")}-${(i * 7) % 13}`),
              taskId: task.id,
              createdAt: DateTime.add(base, { minutes: i % 5 })
            })
          )
          for (const a of made) yield* repo.insert(a)
          const expected = [...made]
            .sort((a, b) =>
              a.createdAt.epochMillis !== b.createdAt.epochMillis
                ? b.createdAt.epochMillis - a.createdAt.epochMillis
                : a.id < b.id
                  ? 1
                  : -1
            )
            .map((a) => a.id)
          for (const size of [1, 4, 13]) {
            const seen: Array<string> = []
            let after: ReadonlyArray<string | number> | undefined
            for (;;) {
              const page = yield* repo.list({ taskId: task.id, after, limit: size })
              seen.push(...page.map((a) => a.id))
              if (page.length < size) break
              after = sortKey(page[page.length - 1]!)
            }
            assert.deepStrictEqual(seen, expected, `pages of ${size}`)
          }
          assert.deepStrictEqual(yield* repo.list({ taskId: task.id, after: ["not", "a key"] }), [])
          assert.deepStrictEqual(yield* repo.list({ taskId: task.id, after: [1] }), [])
        })
      )

      it.effect("stores assignments and updates them at the expected version", () =>
        Effect.gen(function* () {
          const tasks = yield* TaskRepo
          const repo = yield* AssignmentRepo
          const task = makeTask()
          yield* tasks.insert(task)
          const a = makeAssignment({ taskId: task.id, dueAt: Option.some(at("2026-04-01T12:00:00Z")) })
          yield* repo.insert(a)
          assert.isTrue(Equal.equals((yield* repo.findById(a.id)).pipe(Option.getOrThrow), a))
          assert.strictEqual((yield* repo.insert(a).pipe(Effect.flip))._tag, "DuplicateKey")
          const rejected = makeAssignment({
            ...a,
            status: "rejected",
            rejectionReason: Option.some("Нет запчастей, 没有零件"),
            respondedAt: Option.some(at("2026-03-01T00:00:00Z")),
            version: 2
          })
          assert.strictEqual((yield* repo.update(rejected, 2).pipe(Effect.flip))._tag, "VersionConflict")
          yield* repo.update(rejected, 1)
          assert.isTrue(Equal.equals((yield* repo.findById(a.id)).pipe(Option.getOrThrow), rejected))
          const missing = yield* repo.update(makeAssignment({ taskId: task.id, version: 2 }), 1).pipe(Effect.flip)
          assert.strictEqual(missing._tag, "NotFound")
          assert.isTrue(Option.isNone(yield* repo.findById(AssignmentId.make("none"))))
        })
      )

      it.effect("lists assignments by every filter, newest first", () =>
        Effect.gen(function* () {
          const tasks = yield* TaskRepo
          const repo = yield* AssignmentRepo
          const project = ProjectId.make(uniqueId("project"))
          const inProject = makeTask({ projectId: Option.some(project) })
          const elsewhere = makeTask()
          yield* tasks.insert(inProject)
          yield* tasks.insert(elsewhere)
          const ann = UserId.make(uniqueId("ann"))
          const ben = UserId.make(uniqueId("ben"))
          const boss = UserId.make(uniqueId("boss"))
          const rows = [
            makeAssignment({
              taskId: inProject.id,
              assigneeId: ann,
              assignedBy: boss,
              createdAt: at("2026-01-01T10:00:00Z")
            }),
            makeAssignment({
              taskId: inProject.id,
              assigneeId: ben,
              assignedBy: boss,
              status: "accepted",
              createdAt: at("2026-01-01T11:00:00Z")
            }),
            makeAssignment({
              taskId: elsewhere.id,
              assigneeId: ann,
              assignedBy: boss,
              status: "rejected",
              rejectionReason: Option.some("busy"),
              createdAt: at("2026-01-01T11:00:00Z")
            }),
            makeAssignment({
              taskId: elsewhere.id,
              assigneeId: ben,
              assignedBy: boss,
              status: "completed",
              createdAt: at("2026-01-01T09:00:00Z")
            })
          ]
          yield* Effect.forEach(rows, repo.insert, { discard: true })
          const ids = (q: Parameters<AssignmentRepo["Type"]["list"]>[0]) =>
            Effect.map(repo.list(q), (r) => r.map((a) => a.id))
          const [a0, a1, a2, a3] = rows.map((r) => r.id) as unknown as [
            AssignmentId,
            AssignmentId,
            AssignmentId,
            AssignmentId
          ]
          const newestFirst = [a1, a2, a0, a3].sort((x, y) => {
            const rx = rows.find((r) => r.id === x)!
            const ry = rows.find((r) => r.id === y)!
            const d = ry.createdAt.epochMillis - rx.createdAt.epochMillis
            return d !== 0 ? d : x < y ? 1 : -1
          })
          assert.deepStrictEqual(yield* ids({ assignedBy: boss }), newestFirst)
          assert.deepStrictEqual(yield* ids({ assignedBy: boss, limit: 2 }), newestFirst.slice(0, 2))
          assert.deepStrictEqual(
            yield* ids({ assigneeId: ann }),
            newestFirst.filter((id) => id === a0 || id === a2)
          )
          assert.deepStrictEqual(
            yield* ids({ taskId: elsewhere.id }),
            newestFirst.filter((id) => id === a2 || id === a3)
          )
          assert.deepStrictEqual(
            yield* ids({ assignedBy: boss, status: ["pending", "accepted"] }),
            newestFirst.filter((id) => id === a0 || id === a1)
          )
          assert.deepStrictEqual(
            yield* ids({ assignedBy: boss, projectIds: [project] }),
            newestFirst.filter((id) => id === a0 || id === a1)
          )
          assert.deepStrictEqual(yield* ids({ assignedBy: boss, projectIds: [] }), [])
          assert.deepStrictEqual(
            yield* ids({ assignedBy: boss, projectIds: [project], visibleTo: ben }),
            newestFirst.filter((id) => id !== a2)
          )
        })
      )

      it.effect("keeps comments in order and deletes them, and assignments, with their task", () =>
        Effect.gen(function* () {
          const tasks = yield* TaskRepo
          const comments = yield* CommentRepo
          const assignments = yield* AssignmentRepo
          const task = makeTask()
          yield* tasks.insert(task)
          const later = makeComment({ taskId: task.id, body: "второй", createdAt: at("2026-02-01T10:00:01Z") })
          const first = makeComment({ taskId: task.id, body: "first 第一", createdAt: at("2026-02-01T10:00:00Z") })
          yield* comments.insert(later)
          yield* comments.insert(first)
          assert.strictEqual((yield* comments.insert(first).pipe(Effect.flip))._tag, "DuplicateKey")
          const listed = yield* comments.listByTask(task.id)
          assert.deepStrictEqual(
            listed.map((c) => c.id),
            [first.id, later.id]
          )
          assert.isTrue(Equal.equals(listed[0], first))
          const assignment = makeAssignment({ taskId: task.id })
          yield* assignments.insert(assignment)
          yield* tasks.delete(task.id, task.version)
          assert.deepStrictEqual(yield* comments.listByTask(task.id), [])
          assert.isTrue(Option.isNone(yield* assignments.findById(assignment.id)))
        })
      )

      it.effect("rolls back assignments and comments with their transaction", () =>
        Effect.gen(function* () {
          const tx = yield* Transaction
          const tasks = yield* TaskRepo
          const comments = yield* CommentRepo
          const assignments = yield* AssignmentRepo
          const task = makeTask()
          yield* tasks.insert(task)
          const assignment = makeAssignment({ taskId: task.id })
          yield* tx
            .run(
              Effect.gen(function* () {
                yield* assignments.insert(assignment)
                yield* comments.insert(makeComment({ taskId: task.id }))
                return yield* Effect.fail("no")
              })
            )
            .pipe(Effect.ignore)
          assert.isTrue(Option.isNone(yield* assignments.findById(assignment.id)))
          assert.deepStrictEqual(yield* comments.listByTask(task.id), [])
        })
      )
    })
  })
