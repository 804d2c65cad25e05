import { assert, describe, layer as withStorage } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { as } from "../../src/Actor.js"
import { Assignments } from "../../src/Assignments.js"
import { RepairRequests } from "../../src/RepairRequests.js"
import type { Storage } from "../../src/Storage.js"
import * as TaskDesk from "../../src/TaskDesk.js"
import { Tasks } from "../../src/Tasks.js"
import { createPeople, createUser } from "../people.js"

/** How many writers race on one row: more than a PostgreSQL pool's connections, so they queue and clash. */
const writers = 40

const all = <A, E, R>(effects: ReadonlyArray<Effect.Effect<A, E, R>>) =>
  Effect.all(effects, { concurrency: "unbounded" })

/**
 * Changes made without an expected version (no `If-Match`) asked for no concurrency check: whatever the
 * store, concurrent ones all succeed and the last writer wins. With an expected version, a stale one
 * still fails.
 */
export const concurrentChangesSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("concurrent changes without an expected version", () => {
    withStorage(TaskDesk.layer.pipe(Layer.provideMerge(Layer.merge(layer, TaskDesk.layerDefaults))), {
      timeout: "60 seconds"
    })((it) => {
      it.effect(
        "many concurrent task updates all succeed, each one applied once",
        () =>
          Effect.gen(function* () {
            const people = yield* createPeople
            const tasks = yield* Tasks
            const task = yield* tasks.create({ title: "Contended" }).pipe(as(people.manager))
            const results = yield* all(
              Array.from({ length: writers }, (_, i) =>
                tasks.update(task.id, { title: `Title ${i}` }).pipe(as(people.manager), Effect.either)
              )
            )
            assert.deepStrictEqual(
              results.filter((r) => r._tag === "Left").map((r) => r.left),
              []
            )
            const stored = yield* tasks.get(task.id).pipe(as(people.manager))
            assert.strictEqual(stored.version, 1 + writers)
            const history = yield* tasks.history(task.id).pipe(as(people.manager))
            assert.strictEqual(history.filter((e) => e.type === "task.updated").length, writers)
            // The expected version still guards: a stale one is refused.
            const stale = yield* tasks.update(task.id, { title: "late" }, 1).pipe(as(people.manager), Effect.flip)
            assert.strictEqual(stale._tag, "VersionConflict")
          }),
        60_000
      )

      it.effect(
        "concurrent status changes and repair request changes all succeed",
        () =>
          Effect.gen(function* () {
            const people = yield* createPeople
            const tasks = yield* Tasks
            const repairs = yield* RepairRequests
            const task = yield* tasks.create({ title: "Flip-flop" }).pipe(as(people.manager))
            const moves = yield* all(
              Array.from({ length: writers }, (_, i) =>
                tasks
                  .changeStatus(task.id, i % 2 === 0 ? "in_progress" : "todo")
                  .pipe(as(people.manager), Effect.either)
              )
            )
            // A move to the status the task is in may be refused by the state machine, never by a clash.
            assert.deepStrictEqual(
              moves.flatMap((r) => (r._tag === "Left" && r.left._tag === "VersionConflict" ? [r.left] : [])),
              []
            )
            const request = yield* repairs
              .create({ deviceType: "Холодильник", deviceModel: "Atlant", problemDescription: "Не морозит" })
              .pipe(as(people.client))
            const changes = yield* all(
              Array.from({ length: writers }, (_, i) =>
                repairs.update(request.id, { deviceModel: `Atlant ${i}` }).pipe(as(people.manager), Effect.either)
              )
            )
            assert.deepStrictEqual(
              changes.filter((r) => r._tag === "Left").map((r) => r.left),
              []
            )
            const stored = yield* repairs.get(request.id).pipe(as(people.manager))
            assert.strictEqual(stored.version, request.version + writers)
          }),
        60_000
      )

      it.effect(
        "assignees accepting their hand-outs of one task at once all join it",
        () =>
          Effect.gen(function* () {
            const people = yield* createPeople
            const tasks = yield* Tasks
            const assignments = yield* Assignments
            const task = yield* tasks.create({ title: "Shared" }).pipe(as(people.manager))
            const workers = yield* Effect.all(Array.from({ length: 12 }, () => createUser("worker")))
            const made = yield* assignments
              .batch({ items: workers.map((w) => ({ taskId: task.id, assigneeId: w.id })) })
              .pipe(as(people.manager))
            const accepted = yield* all(
              made.map((a, i) => assignments.accept(a.id).pipe(as(workers[i]!), Effect.either))
            )
            assert.deepStrictEqual(
              accepted.filter((r) => r._tag === "Left").map((r) => r.left),
              []
            )
            const stored = yield* tasks.get(task.id).pipe(as(people.manager))
            assert.deepStrictEqual([...stored.assigneeIds].sort(), workers.map((w) => w.id).sort())
            assert.strictEqual(stored.status, "in_progress")
          }),
        60_000
      )

      it.effect(
        "assignees completing the last hand-outs of one task at once complete the task",
        () =>
          Effect.gen(function* () {
            const people = yield* createPeople
            const tasks = yield* Tasks
            const assignments = yield* Assignments
            const workers = yield* Effect.all(Array.from({ length: 6 }, () => createUser("worker")))
            // Several rounds: a lost completion shows only when the commits interleave.
            for (let round = 0; round < 5; round++) {
              const task = yield* tasks.create({ title: `Shared ${round}` }).pipe(as(people.manager))
              const made = yield* assignments
                .batch({ items: workers.map((w) => ({ taskId: task.id, assigneeId: w.id })) })
                .pipe(as(people.manager))
              for (const [i, a] of made.entries()) yield* assignments.accept(a.id).pipe(as(workers[i]!))
              const completed = yield* all(
                made.map((a, i) => assignments.complete(a.id).pipe(as(workers[i]!), Effect.either))
              )
              assert.deepStrictEqual(
                completed.filter((r) => r._tag === "Left").map((r) => r.left),
                []
              )
              const stored = yield* tasks.get(task.id).pipe(as(people.manager))
              assert.strictEqual(stored.status, "done")
            }
          }),
        60_000
      )
    })
  })
