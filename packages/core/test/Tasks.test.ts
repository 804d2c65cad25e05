import { assert, describe, it } from "@effect/vitest"
import { Chunk, DateTime, Effect, FastCheck, Fiber, Layer, Option, Stream, TestClock } from "effect"
import { AuditLog } from "../src/AuditLog.js"
import { Comments } from "../src/Comments.js"
import { Documents } from "../src/Documents.js"
import { EventBus } from "../src/EventBus.js"
import { IdGenerator } from "../src/IdGenerator.js"
import { TaskId } from "../src/Ids.js"
import * as MemoryStorage from "../src/memory/MemoryStorage.js"
import { defaultRules, Policy } from "../src/Policy.js"
import { Projects } from "../src/Projects.js"
import { Resolutions } from "../src/Resolutions.js"
import { canTransition, type TaskStatus, transition, transitions } from "../src/Task.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Tasks } from "../src/Tasks.js"
import { as, createPeople, makeTask } from "../testing/index.js"

const start = DateTime.unsafeMake("2026-03-02T09:00:00Z")

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(DateTime.toEpochMillis(start))
  return yield* createPeople
})

describe("Task state machine", () => {
  const statuses: ReadonlyArray<TaskStatus> = ["todo", "in_progress", "done", "cancelled"]

  it.prop(
    "every move either follows the table or names both states",
    { moves: FastCheck.array(FastCheck.constantFrom(...statuses), { maxLength: 20 }) },
    ({ moves }) => {
      let task = makeTask()
      for (const [i, to] of moves.entries()) {
        const now = DateTime.add(start, { minutes: i })
        const result = transition(task, to, now)
        if (result._tag === "Right") {
          assert.isTrue(canTransition(task.status, to))
          assert.strictEqual(result.right.version, task.version + 1)
          assert.strictEqual(result.right.status, to)
          task = result.right
        } else {
          assert.isFalse(transitions[task.status].includes(to))
          assert.strictEqual(result.left.from, task.status)
          assert.strictEqual(result.left.to, to)
          assert.include(result.left.message, `from ${task.status} to ${to}`)
        }
        // completedAt is set exactly when the task is done.
        assert.strictEqual(Option.isSome(task.completedAt), task.status === "done")
      }
    }
  )
})

describe("Tasks", () => {
  it.effect("creates, moves and records history", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const task = yield* tasks
        .create({ title: "Fix the fridge", assigneeIds: [people.worker.id], tags: ["repair", "repair"] })
        .pipe(as(people.manager))
      assert.deepStrictEqual(task.tags, ["repair"])
      assert.strictEqual(task.priority, "normal")
      const started = yield* tasks.changeStatus(task.id, "in_progress").pipe(as(people.worker))
      assert.strictEqual(started.status, "in_progress")
      const illegal = yield* tasks.changeStatus(task.id, "in_progress").pipe(as(people.worker), Effect.flip)
      assert.strictEqual(illegal._tag, "IllegalTransition")
      const history = yield* tasks.history(task.id).pipe(as(people.manager))
      assert.deepStrictEqual(
        history.map((e) => e.type),
        ["task.created", "task.status_changed"]
      )
      assert.strictEqual(history[1]!.actorId, people.worker.id)
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("refuses invalid input with the path of every bad field", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const error = yield* tasks
        .create({ title: "", description: "x".repeat(20_001), assigneeIds: [people.worker.id] })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(error._tag, "InvalidInput")
      if (error._tag !== "InvalidInput") return
      assert.deepStrictEqual([...new Set(error.issues.map((i) => i.path.join(".")))], ["title", "description"])
      const nobody = yield* tasks
        .create({ title: "x", assigneeIds: [people.worker.id, TaskId.make("ghost") as never] })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(nobody._tag, "InvalidInput")
      if (nobody._tag === "InvalidInput") assert.deepStrictEqual(nobody.issues[0]!.path, ["assigneeIds", 1])
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("lets each role do what the default policy says", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const mine = yield* tasks.create({ title: "Worker's", assigneeIds: [people.worker.id] }).pipe(as(people.manager))
      const other = yield* tasks.create({ title: "Someone else's" }).pipe(as(people.admin))
      const tag = (e: { readonly _tag: string }) => e._tag
      // Workers see and move only their own tasks, and cannot create or cancel.
      assert.strictEqual(tag(yield* tasks.get(other.id).pipe(as(people.worker), Effect.flip)), "NotFound")
      assert.strictEqual(tag(yield* tasks.create({ title: "x" }).pipe(as(people.worker), Effect.flip)), "Forbidden")
      assert.strictEqual(
        tag(yield* tasks.changeStatus(mine.id, "cancelled").pipe(as(people.worker), Effect.flip)),
        "Forbidden"
      )
      assert.strictEqual(
        tag(yield* tasks.update(mine.id, { title: "y" }).pipe(as(people.worker), Effect.flip)),
        "Forbidden"
      )
      assert.strictEqual(tag(yield* tasks.delete(mine.id).pipe(as(people.worker), Effect.flip)), "Forbidden")
      // Supervisors read everything and change nothing.
      assert.strictEqual((yield* tasks.get(other.id).pipe(as(people.supervisor))).id, other.id)
      assert.strictEqual(
        tag(yield* tasks.changeStatus(other.id, "in_progress").pipe(as(people.supervisor), Effect.flip)),
        "Forbidden"
      )
      // Clients and partners see nothing that is not theirs.
      assert.strictEqual(tag(yield* tasks.get(mine.id).pipe(as(people.client), Effect.flip)), "NotFound")
      assert.strictEqual(tag(yield* tasks.get(mine.id).pipe(as(people.partner), Effect.flip)), "NotFound")
      assert.strictEqual(tag(yield* tasks.create({ title: "x" }).pipe(as(people.partner), Effect.flip)), "Forbidden")
      const listed = (yield* tasks.list({}).pipe(as(people.worker))).items.map((t) => t.id)
      assert.deepStrictEqual(listed, [mine.id])
      assert.deepStrictEqual((yield* tasks.list({}).pipe(as(people.client))).items, [])
      assert.strictEqual((yield* tasks.list({}).pipe(as(people.supervisor))).items.length, 2)
      // Managers cancel and restore; the history keeps every step.
      yield* tasks.changeStatus(other.id, "cancelled").pipe(as(people.manager))
      const restored = yield* tasks.changeStatus(other.id, "todo").pipe(as(people.manager))
      assert.strictEqual(restored.status, "todo")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("a partner manages tasks in the projects they own, and nothing else", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const projects = yield* Projects
      const own = yield* projects.create({ name: "Partner's farm" }).pipe(as(people.partner))
      const foreign = yield* projects.create({ name: "HQ" }).pipe(as(people.manager))
      const inOwn = yield* tasks.create({ title: "Check rigs", projectId: own.id }).pipe(as(people.partner))
      const refused = yield* tasks.create({ title: "x", projectId: foreign.id }).pipe(as(people.partner), Effect.flip)
      assert.strictEqual(refused._tag, "Forbidden")
      const hq = yield* tasks.create({ title: "HQ task", projectId: foreign.id }).pipe(as(people.manager))
      assert.strictEqual((yield* tasks.get(hq.id).pipe(as(people.partner), Effect.flip))._tag, "NotFound")
      yield* tasks.update(inOwn.id, { priority: "urgent" }).pipe(as(people.partner))
      const moved = yield* tasks.update(inOwn.id, { projectId: foreign.id }).pipe(as(people.partner), Effect.flip)
      assert.strictEqual(moved._tag, "Forbidden")
      const listed = (yield* tasks.list({}).pipe(as(people.partner))).items.map((t) => t.id)
      assert.deepStrictEqual(listed, [inOwn.id])
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("updates with optimistic concurrency and clears optional fields with null", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const task = yield* tasks
        .create({ title: "Paint", dueAt: DateTime.add(start, { days: 1 }) })
        .pipe(as(people.manager))
      const updated = yield* tasks
        .update(task.id, { title: "Paint the wall", dueAt: null, tags: ["b"] }, 1)
        .pipe(as(people.manager))
      assert.strictEqual(updated.version, 2)
      assert.isTrue(Option.isNone(updated.dueAt))
      const stale = yield* tasks.update(task.id, { title: "Late" }, 1).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(stale._tag, "VersionConflict")
      const staleMove = yield* tasks.changeStatus(task.id, "in_progress", 1).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(staleMove._tag, "VersionConflict")
      const history = yield* tasks.history(task.id).pipe(as(people.manager))
      assert.deepStrictEqual(history[1]!.payload, {
        _tag: "task.updated",
        fields: ["title", "dueAt", "tags"],
        changes: [
          { field: "title", from: "Paint", to: "Paint the wall" },
          { field: "dueAt", from: "2026-03-03T09:00:00.000Z", to: null },
          { field: "tags", from: [], to: ["b"] }
        ]
      })
      yield* tasks.delete(task.id, 2).pipe(as(people.manager))
      assert.strictEqual((yield* tasks.get(task.id).pipe(as(people.manager), Effect.flip))._tag, "NotFound")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("history records the old and new value of each changed field", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const task = yield* tasks
        .create({ title: "Paint", assigneeIds: [people.worker.id], priority: "low" })
        .pipe(as(people.manager))
      yield* tasks
        .update(task.id, {
          title: "Paint",
          priority: "urgent",
          assigneeIds: [people.worker.id, people.worker2.id, people.worker.id],
          description: "Белая краска, 两层"
        })
        .pipe(as(people.manager))
      const history = yield* tasks.history(task.id).pipe(as(people.manager))
      // The title was named but kept: it is among `fields`, not among `changes`.
      assert.deepStrictEqual(history[1]!.payload, {
        _tag: "task.updated",
        fields: ["title", "description", "priority", "assigneeIds"],
        changes: [
          { field: "description", from: "", to: "Белая краска, 两层" },
          { field: "priority", from: "low", to: "urgent" },
          { field: "assigneeIds", from: [people.worker.id], to: [people.worker.id, people.worker2.id] }
        ]
      })
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("pages with an opaque cursor and refuses a forged one", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      for (let i = 0; i < 7; i++) {
        yield* tasks
          .create({ title: `T${i}`, priority: (["low", "normal", "high", "urgent"] as const)[i % 4]! })
          .pipe(as(people.manager))
        yield* TestClock.adjust("1 minute")
      }
      const seen: Array<string> = []
      let cursor: string | undefined
      do {
        const page: { items: ReadonlyArray<{ title: string }>; nextCursor: Option.Option<string> } = yield* tasks
          .list({ sort: "priority", order: "desc", limit: 3, ...(cursor ? { cursor } : {}) })
          .pipe(as(people.manager))
        seen.push(...page.items.map((t) => t.title))
        cursor = Option.getOrUndefined(page.nextCursor)
      } while (cursor)
      // Priority descending, ties newest first (ids follow creation).
      assert.deepStrictEqual(seen, ["T3", "T6", "T2", "T5", "T1", "T4", "T0"])
      const forged = yield* tasks.list({ cursor: "not-a-cursor" }).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(forged._tag, "InvalidInput")
      const first = yield* tasks.list({ sort: "due", limit: 1 }).pipe(as(people.manager))
      const replayed = yield* tasks
        .list({ sort: "created", cursor: Option.getOrThrow(first.nextCursor) })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(replayed._tag, "InvalidInput")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("publishes events to live subscribers after commit, never for a failed change", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const people = yield* setup
        const tasks = yield* Tasks
        const audit = yield* AuditLog
        const stream = yield* audit.subscribe
        const collected = yield* stream.pipe(Stream.take(2), Stream.runCollect, Effect.fork)
        const task = yield* tasks.create({ title: "Live" }).pipe(as(people.manager))
        yield* tasks.create({ title: "" }).pipe(as(people.manager), Effect.ignore)
        yield* tasks.changeStatus(task.id, "done").pipe(as(people.manager), Effect.ignore)
        yield* tasks.changeStatus(task.id, "in_progress").pipe(as(people.manager))
        const events = Chunk.toReadonlyArray(yield* Fiber.join(collected))
        assert.deepStrictEqual(
          events.map((e) => [e.subject.id, e.type]),
          [
            [task.id, "task.created"],
            [task.id, "task.status_changed"]
          ]
        )
      })
    ).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("comments: whoever may see the task comments on it", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const comments = yield* Comments
      const task = yield* tasks.create({ title: "Talk", assigneeIds: [people.worker.id] }).pipe(as(people.manager))
      yield* comments.add(task.id, "Запчасть заказана").pipe(as(people.worker))
      yield* TestClock.adjust("1 second")
      yield* comments.add(task.id, "好的").pipe(as(people.manager))
      const listed = yield* comments.list(task.id).pipe(as(people.supervisor))
      assert.deepStrictEqual(
        listed.map((c) => c.body),
        ["Запчасть заказана", "好的"]
      )
      assert.strictEqual(
        (yield* comments.add(task.id, "hi").pipe(as(people.supervisor), Effect.flip))._tag,
        "Forbidden"
      )
      assert.strictEqual((yield* comments.add(task.id, "hi").pipe(as(people.worker2), Effect.flip))._tag, "NotFound")
      assert.strictEqual((yield* comments.add(task.id, "").pipe(as(people.worker), Effect.flip))._tag, "InvalidInput")
      const history = yield* tasks.history(task.id).pipe(as(people.manager))
      assert.deepStrictEqual(
        history.map((e) => e.type),
        ["task.created", "task.commented", "task.commented"]
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("a resolution's task cannot be deleted, only cancelled", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const project = yield* (yield* Projects).create({ name: "Канцелярия" }).pipe(as(people.manager))
      const letter = yield* (yield* Documents).file({ projectId: project.id, title: "Письмо" }).pipe(as(people.manager))
      const issued = yield* (yield* Resolutions)
        .issue(letter.id, {
          title: "Подготовить ответ",
          body: "",
          assigneeIds: [people.worker.id],
          dueAt: DateTime.add(start, { days: 2 })
        })
        .pipe(as(people.manager))
      const tasks = yield* Tasks
      const refused = yield* tasks.delete(issued.task.id).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(refused._tag, "RuleViolation")
      assert.strictEqual(
        (yield* tasks.changeStatus(issued.task.id, "cancelled").pipe(as(people.manager))).status,
        "cancelled"
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})

describe("Who may be given work", () => {
  /** taskdesk in memory under other rules: clients may receive work too. */
  const clientsWork = TaskDesk.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        MemoryStorage.layer,
        Policy.layer({ ...defaultRules, client: { ...defaultRules.client, "work.receive": ["self"] } }),
        IdGenerator.layerTest,
        EventBus.layerLocal
      )
    )
  )

  it.effect("a client or a supervisor is refused as a task's assignee, naming the person and role", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const refused = yield* tasks
        .create({ title: "Fix the fridge", assigneeIds: [people.worker.id, people.client.id] })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(refused._tag, "InvalidInput")
      if (refused._tag !== "InvalidInput") return
      assert.deepStrictEqual(refused.issues[0]!.path, ["assigneeIds", 1])
      assert.include(refused.issues[0]!.message, people.client.id)
      assert.include(refused.issues[0]!.message, "client")
      const task = yield* tasks
        .create({ title: "Fix the fridge", assigneeIds: [people.worker.id, people.partner.id, people.manager.id] })
        .pipe(as(people.manager))
      const update = yield* tasks
        .update(task.id, { assigneeIds: [people.supervisor.id] })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(update._tag, "InvalidInput")
      if (update._tag !== "InvalidInput") return
      assert.deepStrictEqual(update.issues[0]!.path, ["assigneeIds", 0])
      assert.include(update.issues[0]!.message, "supervisor")
      assert.deepStrictEqual((yield* tasks.get(task.id).pipe(as(people.manager))).assigneeIds, task.assigneeIds)
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("the policy decides: rules that let clients receive work let them be assigned", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const task = yield* (yield* Tasks)
        .create({ title: "Fix the fridge", assigneeIds: [people.client.id] })
        .pipe(as(people.manager))
      assert.deepStrictEqual(task.assigneeIds, [people.client.id])
    }).pipe(Effect.provide(clientsWork))
  )
})
