import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Option, TestClock } from "effect"
import { Actor, CurrentActor, system } from "../src/Actor.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Tasks } from "../src/Tasks.js"
import { Users } from "../src/Users.js"

describe("Tasks", () => {
  it.effect("creates, moves and records history", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake("2026-01-05T09:00:00Z")))
      const users = yield* Users
      const tasks = yield* Tasks
      const boss = yield* users
        .create({ name: "Boss", username: "boss", role: "manager" })
        .pipe(Effect.provideService(CurrentActor, system))
      const worker = yield* users
        .create({ name: "Ivan", username: "ivan", role: "worker" })
        .pipe(Effect.provideService(CurrentActor, system))
      const asBoss = Effect.provideService(CurrentActor, new Actor({ id: boss.id, role: boss.role }))
      const asWorker = Effect.provideService(CurrentActor, new Actor({ id: worker.id, role: worker.role }))
      const task = yield* tasks.create({ title: "Fix the fridge", assigneeIds: [worker.id] }).pipe(asBoss)
      const started = yield* tasks.changeStatus(task.id, "in_progress").pipe(asWorker)
      assert.strictEqual(started.status, "in_progress")
      const illegal = yield* tasks.changeStatus(task.id, "in_progress").pipe(asWorker, Effect.flip)
      assert.strictEqual(illegal._tag, "IllegalTransition")
      const history = yield* tasks.history(task.id).pipe(asBoss)
      assert.deepStrictEqual(
        history.map((e) => e.type),
        ["task.created", "task.status_changed"]
      )
      const page = yield* tasks.list({ status: ["in_progress"] }).pipe(asWorker)
      assert.strictEqual(page.items.length, 1)
      assert.isTrue(Option.isNone(page.nextCursor))
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})
