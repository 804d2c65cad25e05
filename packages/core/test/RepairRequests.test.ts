import { assert, describe, it } from "@effect/vitest"
import {
  DateTime,
  Duration,
  Effect,
  Either,
  Equal,
  FastCheck,
  type Layer,
  Option,
  TestClock,
  type TestServices
} from "effect"
import type { CurrentActor } from "../src/Actor.js"
import type { InvalidInput } from "../src/Errors.js"
import { type RepairRequestId, UserId } from "../src/Ids.js"
import {
  formatNumber,
  invariantViolations,
  parseNumber,
  Rating,
  type RepairMove,
  RepairRequest,
  repairStatuses,
  transition,
  transitions
} from "../src/RepairRequest.js"
import { RepairRequestRepo } from "../src/RepairRequestRepo.js"
import { RepairRequests } from "../src/RepairRequests.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Users } from "../src/Users.js"
import { as, asSystem, at, createPeople, createUser, makeRepairRequest } from "../testing/index.js"

const start = at("2026-02-02T09:00:00Z")

const fridge = {
  deviceType: "Холодильник",
  deviceModel: "Атлант ХМ-4021",
  problemDescription: "Не морозит морозильная камера"
} as const

/** A field of an error, whichever error it is. */
const field = (error: unknown, key: string): unknown => (error as Record<string, unknown>)[key]

/** The path of the first bad field of an `InvalidInput`. */
const firstPath = (error: unknown): unknown => (error as InvalidInput).issues[0]?.path

/** The tag of the failure, or "ok": what authorization tables compare. */
const outcome = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.match(effect, { onFailure: (e) => e._tag, onSuccess: () => "ok" })

/** Fresh in-memory taskdesk at a fixed time, one person of each role, and a way to file requests. */
const world = Effect.gen(function* () {
  yield* TestClock.setTime(DateTime.toEpochMillis(start))
  const people = yield* createPeople
  const repairs = yield* RepairRequests
  /** A request by `people.client`, assigned to `people.worker`, moved on to `state`. */
  const file = (state: "new" | "in_progress" | "on_hold" | "completed" | "unassigned" = "new") =>
    Effect.gen(function* () {
      const request = yield* as(people.client)(repairs.create(fridge))
      if (state === "unassigned") return request.id
      yield* as(people.manager)(repairs.assign(request.id, people.worker.id))
      if (state === "new") return request.id
      yield* as(people.worker)(repairs.start(request.id))
      if (state === "on_hold") yield* as(people.worker)(repairs.hold(request.id, "Ждём компрессор"))
      if (state === "completed") yield* as(people.worker)(repairs.complete(request.id, "Заменили компрессор"))
      return request.id
    }).pipe(Effect.orDie)
  return { people, repairs, file }
})

type People = Effect.Effect.Success<typeof world>["people"]
type Repairs = Effect.Effect.Success<typeof world>["repairs"]

/** A test on a fresh in-memory taskdesk. */
const test = <A, E>(
  name: string,
  body: () => Effect.Effect<A, E, Layer.Layer.Success<typeof TaskDesk.layerMemory> | TestServices.TestServices>
) => it.effect(name, () => Effect.provide(body(), TaskDesk.layerMemory))

describe("RepairRequests", () => {
  test("takes a request from filing to rating, recording every step", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(start))
      const people = yield* createPeople
      const repairs = yield* RepairRequests
      const { client, manager, worker } = people
      const filed = yield* as(client)(repairs.create({ ...fridge, serialNumber: "SN-1", category: "Не охлаждает" }))
      assert.strictEqual(filed.status, "new")
      assert.strictEqual(filed.number, 1)
      assert.strictEqual(filed.reference, "R-000001")
      assert.strictEqual(filed.clientId, client.id)
      assert.strictEqual(filed.createdBy, client.id)
      const deadline = DateTime.add(start, { days: 3 })
      yield* as(manager)(repairs.update(filed.id, { deadline }))
      const assigned = yield* as(manager)(repairs.assign(filed.id, worker.id))
      assert.isTrue(Option.contains(assigned.technicianId, worker.id))
      yield* TestClock.adjust(Duration.hours(2))
      const started = yield* as(worker)(repairs.start(filed.id))
      assert.isTrue(Option.contains(started.startedAt, DateTime.add(start, { hours: 2 })))
      yield* as(worker)(repairs.comment(filed.id, "  Нужен новый компрессор  "))
      const held = yield* as(worker)(repairs.hold(filed.id, "Ждём компрессор"))
      assert.deepStrictEqual([held.status, held.holdReason], ["on_hold", Option.some("Ждём компрессор")])
      yield* as(client)(repairs.comment(filed.id, "Когда будет готово?"))
      yield* TestClock.adjust(Duration.hours(24))
      const resumed = yield* as(worker)(repairs.resume(filed.id))
      assert.isTrue(Option.isNone(resumed.holdReason))
      assert.isTrue(Equal.equals(resumed.startedAt, started.startedAt), "a hold keeps the first start time")
      yield* as(manager)(repairs.comment(filed.id, "Клиент предупреждён"))
      yield* TestClock.adjust(Duration.hours(3))
      const completed = yield* as(worker)(repairs.complete(filed.id, "Заменили компрессор"))
      assert.strictEqual(completed.status, "completed")
      assert.isTrue(Option.contains(completed.completedAt, DateTime.add(start, { hours: 29 })))
      assert.isTrue(Option.contains(completed.completionNote, "Заменили компрессор"))
      const rated = yield* as(client)(repairs.rate(filed.id, 5, "  Спасибо!  "))
      assert.strictEqual(Option.getOrThrow(rated.rating).score, 5)
      assert.isTrue(Option.contains(Option.getOrThrow(rated.rating).feedback, "Спасибо!"))
      assert.deepStrictEqual(invariantViolations(rated), [])
      assert.strictEqual(rated.version, 8)

      const comments = yield* as(client)(repairs.comments(filed.id))
      assert.deepStrictEqual(
        comments.map((c) => [c.authorId, c.body, DateTime.formatIso(c.createdAt)]),
        [
          [worker.id, "Нужен новый компрессор", "2026-02-02T11:00:00.000Z"],
          [client.id, "Когда будет готово?", "2026-02-02T11:00:00.000Z"],
          [manager.id, "Клиент предупреждён", "2026-02-03T11:00:00.000Z"]
        ]
      )
      const history = yield* as(manager)(repairs.history(filed.id))
      assert.deepStrictEqual(
        history.map((e) => e.type),
        [
          "repair.created",
          "repair.updated",
          "repair.assigned",
          "repair.status_changed",
          "repair.commented",
          "repair.status_changed",
          "repair.commented",
          "repair.status_changed",
          "repair.commented",
          "repair.status_changed",
          "repair.rated"
        ]
      )
      assert.deepStrictEqual(
        history.map((e) => e.actorId),
        [client.id, manager.id, manager.id, worker.id, worker.id, worker.id, client.id, worker.id, manager.id].concat([
          worker.id,
          client.id
        ])
      )
      assert.deepStrictEqual(history[5]!.payload, {
        _tag: "repair.status_changed",
        from: "in_progress",
        to: "on_hold",
        note: "Ждём компрессор"
      })
      assert.deepStrictEqual(history[10]!.payload, { _tag: "repair.rated", score: 5, feedback: "Спасибо!" })
      assert.isTrue(Equal.equals(yield* as(client)(repairs.getByNumber(1)), rated))
    }))

  test("numbers requests sequentially and finds them by number", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      const ids = [yield* file(), yield* file(), yield* file()]
      const numbers = yield* Effect.forEach(ids, (id) => as(people.manager)(repairs.get(id)))
      assert.deepStrictEqual(
        numbers.map((r) => r.reference),
        ["R-000001", "R-000002", "R-000003"]
      )
      // A create that fails files nothing and uses no number.
      yield* as(people.client)(repairs.create({ ...fridge, deviceType: "" })).pipe(Effect.flip)
      const next = yield* as(people.client)(repairs.create(fridge))
      assert.strictEqual(next.number, 4)
      assert.strictEqual((yield* as(people.client)(repairs.getByNumber(2))).id, ids[1])
      const missing = yield* as(people.client)(repairs.getByNumber(99)).pipe(Effect.flip)
      assert.deepStrictEqual([missing._tag, field(missing, "id")], ["NotFound", "R-000099"])
      const hidden = yield* as(people.client2)(repairs.getByNumber(2)).pipe(Effect.flip)
      assert.strictEqual(hidden._tag, "NotFound")
    }))

  test("refuses illegal moves with a typed error naming both states", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      const { worker, manager } = people
      const unassigned = yield* file("unassigned")
      const noTechnician = yield* asSystem(repairs.start(unassigned)).pipe(Effect.flip)
      assert.deepStrictEqual(
        [noTechnician._tag, field(noTechnician, "rule")],
        ["RuleViolation", "repair.technician_required"]
      )
      const fresh = yield* file("new")
      const cases: ReadonlyArray<[string, Effect.Effect<unknown, { _tag: string }, never>, string, string]> = [
        ["hold a new request", as(worker)(repairs.hold(fresh)), "new", "on_hold"],
        ["complete a new request", as(worker)(repairs.complete(fresh, "x")), "new", "completed"]
      ]
      for (const [what, effect, from, to] of cases) {
        const error = yield* Effect.flip(effect)
        assert.deepStrictEqual(
          [error._tag, field(error, "from"), field(error, "to")],
          ["IllegalTransition", from, to],
          what
        )
      }
      const inProgress = yield* file("in_progress")
      const resume = yield* as(worker)(repairs.resume(inProgress)).pipe(Effect.flip)
      assert.strictEqual(resume._tag, "IllegalTransition")
      assert.strictEqual(resume.message, `RepairRequest ${inProgress} cannot move from in_progress to in_progress`)
      const done = yield* file("completed")
      for (const effect of [
        as(worker)(repairs.start(done)),
        as(worker)(repairs.hold(done)),
        as(manager)(repairs.cancel(done, "late"))
      ]) {
        const error = yield* Effect.flip(effect)
        assert.deepStrictEqual([error._tag, field(error, "from")], ["IllegalTransition", "completed"])
      }
      const cancelled = yield* file("on_hold")
      const c = yield* as(manager)(repairs.cancel(cancelled, "Клиент отказался"))
      assert.deepStrictEqual(
        [c.status, c.cancelReason, c.holdReason],
        ["cancelled", Option.some("Клиент отказался"), Option.none()]
      )
      const again = yield* as(manager)(repairs.cancel(cancelled)).pipe(Effect.flip)
      assert.deepStrictEqual([again._tag, field(again, "from")], ["IllegalTransition", "cancelled"])
    }))

  test("completing needs a completion note; notes and reasons are checked", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      const id = yield* file("in_progress")
      for (const note of ["", "   "]) {
        const error = yield* as(people.worker)(repairs.complete(id, note)).pipe(Effect.flip)
        assert.strictEqual(error._tag, "InvalidInput")
        assert.deepStrictEqual(firstPath(error), ["note"])
      }
      const long = yield* as(people.worker)(repairs.hold(id, "x".repeat(5_001))).pipe(Effect.flip)
      assert.deepStrictEqual(firstPath(long), ["reason"])
      const held = yield* as(people.worker)(repairs.hold(id, "   "))
      assert.isTrue(Option.isNone(held.holdReason), "a blank reason is no reason")
      assert.strictEqual((yield* as(people.worker)(repairs.get(id))).status, "on_hold")
      const noComment = yield* as(people.worker)(repairs.comment(id, "  ")).pipe(Effect.flip)
      assert.strictEqual(noComment._tag, "InvalidInput")
    }))

  test("lets the client rate a completed request once, 1 to 5", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      const { client } = people
      const open = yield* file("in_progress")
      const early = yield* as(client)(repairs.rate(open, 4)).pipe(Effect.flip)
      assert.deepStrictEqual([early._tag, field(early, "rule")], ["RuleViolation", "repair.rate_completed_only"])
      const done = yield* file("completed")
      for (const score of [0, 6, 2.5]) {
        const bad = yield* as(client)(repairs.rate(done, score)).pipe(Effect.flip)
        assert.strictEqual(bad._tag, "InvalidInput", String(score))
      }
      const rated = yield* as(client)(repairs.rate(done, 3, "   "))
      assert.isTrue(Option.isNone(Option.getOrThrow(rated.rating).feedback))
      const twice = yield* as(client)(repairs.rate(done, 5)).pipe(Effect.flip)
      assert.deepStrictEqual([twice._tag, field(twice, "rule")], ["RuleViolation", "repair.rated_once"])
      assert.strictEqual(Option.getOrThrow((yield* as(client)(repairs.get(done))).rating).score, 3)
    }))

  test("assigns only active technicians, and records reassignment", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      const { manager, worker, worker2, client } = people
      const id = yield* file("new")
      const users = yield* Users
      const retired = yield* createUser("worker")
      yield* asSystem(users.deactivate(retired.id))
      for (const technicianId of [UserId.make("nobody"), retired.id, client.id, people.supervisor.id]) {
        const error = yield* as(manager)(repairs.assign(id, technicianId)).pipe(Effect.flip)
        assert.strictEqual(error._tag, "InvalidInput", technicianId)
        assert.deepStrictEqual(firstPath(error), ["technicianId"])
      }
      const same = yield* as(manager)(repairs.assign(id, worker.id))
      assert.strictEqual(same.version, 2, "assigning the same technician changes nothing")
      yield* as(worker)(repairs.start(id))
      const reassigned = yield* as(manager)(repairs.assign(id, worker2.id))
      assert.isTrue(Option.contains(reassigned.technicianId, worker2.id))
      const byManager = yield* as(manager)(repairs.assign(id, manager.id))
      assert.isTrue(Option.contains(byManager.technicianId, manager.id), "a manager may take a request")
      const history = yield* as(manager)(repairs.history(id))
      assert.deepStrictEqual(
        history.filter((e) => e.type === "repair.assigned").map((e) => e.payload),
        [
          { _tag: "repair.assigned", technicianId: worker.id },
          { _tag: "repair.assigned", technicianId: worker2.id, previousTechnicianId: worker.id },
          { _tag: "repair.assigned", technicianId: manager.id, previousTechnicianId: worker2.id }
        ]
      )
      const lost = yield* as(worker)(repairs.get(id)).pipe(Effect.flip)
      assert.strictEqual(lost._tag, "NotFound", "the former technician no longer sees it")
      const done = yield* file("completed")
      const closed = yield* as(manager)(repairs.assign(done, worker2.id)).pipe(Effect.flip)
      assert.deepStrictEqual([closed._tag, field(closed, "rule")], ["RuleViolation", "repair.closed"])
    }))

  test("files for oneself, or (managers) on behalf of someone who may file", () =>
    Effect.gen(function* () {
      const { people, repairs } = yield* world
      const { manager, client, client2, worker, admin } = people
      const mine = yield* as(client)(repairs.create({ ...fridge, clientId: client.id }))
      assert.deepStrictEqual([mine.clientId, mine.createdBy], [client.id, client.id])
      const deadline = DateTime.add(start, { days: 1 })
      const onBehalf = yield* as(manager)(
        repairs.create({ ...fridge, clientId: client.id, technicianId: worker.id, deadline, category: "Шум" })
      )
      assert.deepStrictEqual([onBehalf.clientId, onBehalf.createdBy], [client.id, manager.id])
      assert.isTrue(Option.contains(onBehalf.technicianId, worker.id) && Option.contains(onBehalf.deadline, deadline))
      assert.strictEqual((yield* as(client)(repairs.get(onBehalf.id))).id, onBehalf.id)
      const created = (yield* as(client)(repairs.history(onBehalf.id)))[0]!
      assert.deepStrictEqual(created.payload, {
        _tag: "repair.created",
        number: onBehalf.number,
        clientId: client.id,
        deviceType: "Холодильник",
        technicianId: worker.id
      })
      // A manager files for themselves too.
      assert.strictEqual((yield* as(manager)(repairs.create(fridge))).clientId, manager.id)
      const cases: ReadonlyArray<[string, Effect.Effect<unknown, { _tag: string }>, string]> = [
        ["a client for another client", as(client)(repairs.create({ ...fridge, clientId: client2.id })), "Forbidden"],
        [
          "a client picking a technician",
          as(client)(repairs.create({ ...fridge, technicianId: worker.id })),
          "Forbidden"
        ],
        ["a client setting a deadline", as(client)(repairs.create({ ...fridge, deadline })), "Forbidden"],
        [
          "for a worker, who may not file",
          as(manager)(repairs.create({ ...fridge, clientId: worker.id })),
          "InvalidInput"
        ],
        ["for nobody", as(admin)(repairs.create({ ...fridge, clientId: UserId.make("nobody") })), "InvalidInput"],
        [
          "with a client as technician",
          as(manager)(repairs.create({ ...fridge, technicianId: client2.id })),
          "InvalidInput"
        ],
        ["without a model", as(client)(repairs.create({ ...fridge, deviceModel: "" })), "InvalidInput"]
      ]
      for (const [what, effect, tag] of cases) assert.strictEqual(yield* outcome(effect), tag, what)
    }))

  test("setting a deadline needs repair.setDeadline, and the refusal names that action", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      const deadline = DateTime.add(start, { days: 1 })
      const byClient = yield* as(people.client)(repairs.create({ ...fridge, deadline })).pipe(Effect.flip)
      assert.deepStrictEqual([byClient._tag, field(byClient, "action")], ["Forbidden", "repair.setDeadline"])
      const id = yield* file("in_progress")
      const byTechnician = yield* as(people.worker)(repairs.update(id, { deadline, category: "Шум" })).pipe(Effect.flip)
      assert.deepStrictEqual([byTechnician._tag, field(byTechnician, "action")], ["Forbidden", "repair.setDeadline"])
      const byClientLater = yield* as(people.client)(repairs.update(id, { deviceModel: "X" })).pipe(Effect.flip)
      assert.deepStrictEqual([byClientLater._tag, field(byClientLater, "action")], ["Forbidden", "repair.assign"])
      const set = yield* as(people.manager)(repairs.update(id, { deadline }))
      assert.isTrue(Option.contains(set.deadline, deadline))
    }))

  test("updates details: managers anything, the technician what diagnosis finds", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      const { manager, worker, client } = people
      const id = yield* file("in_progress")
      const deadline = DateTime.add(start, { days: 2 })
      const byManager = yield* as(manager)(repairs.update(id, { deadline, deviceModel: "Атлант ХМ-4025" }))
      assert.isTrue(Option.contains(byManager.deadline, deadline))
      const diagnosed = yield* as(worker)(repairs.update(id, { category: "Утечка фреона", serialNumber: "A1" }))
      assert.deepStrictEqual(
        [diagnosed.category, diagnosed.serialNumber],
        [Option.some("Утечка фреона"), Option.some("A1")]
      )
      const cleared = yield* as(manager)(repairs.update(id, { category: null, deadline: null }))
      assert.isTrue(Option.isNone(cleared.category) && Option.isNone(cleared.deadline))
      assert.strictEqual(yield* outcome(as(worker)(repairs.update(id, { deadline }))), "Forbidden")
      assert.strictEqual(yield* outcome(as(client)(repairs.update(id, { category: "x" }))), "Forbidden")
      assert.strictEqual(yield* outcome(as(people.client2)(repairs.update(id, { category: "x" }))), "NotFound")
      assert.strictEqual(yield* outcome(as(manager)(repairs.update(id, { deviceType: " " }))), "InvalidInput")
      const stale = yield* as(manager)(repairs.update(id, { category: "y" }, 1)).pipe(Effect.flip)
      assert.strictEqual(stale._tag, "VersionConflict")
      const unchanged = yield* as(manager)(repairs.update(id, {}))
      assert.strictEqual(unchanged.version, cleared.version, "an empty patch changes nothing")
      const history = yield* as(manager)(repairs.history(id))
      assert.deepStrictEqual(
        history.filter((e) => e.type === "repair.updated").map((e) => e.payload),
        [
          {
            _tag: "repair.updated",
            fields: ["deviceModel", "deadline"],
            changes: [
              { field: "deviceModel", from: "Атлант ХМ-4021", to: "Атлант ХМ-4025" },
              { field: "deadline", from: null, to: "2026-02-04T09:00:00.000Z" }
            ]
          },
          {
            _tag: "repair.updated",
            fields: ["serialNumber", "category"],
            changes: [
              { field: "serialNumber", from: null, to: "A1" },
              { field: "category", from: null, to: "Утечка фреона" }
            ]
          },
          {
            _tag: "repair.updated",
            fields: ["category", "deadline"],
            changes: [
              { field: "category", from: "Утечка фреона", to: null },
              { field: "deadline", from: "2026-02-04T09:00:00.000Z", to: null }
            ]
          }
        ]
      )
    }))

  test("checks the expected version of every change", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      const id = yield* file("new")
      const { manager, worker, client } = people
      assert.strictEqual(yield* outcome(as(manager)(repairs.assign(id, people.worker2.id, 1))), "VersionConflict")
      assert.strictEqual(yield* outcome(as(worker)(repairs.start(id, 1))), "VersionConflict")
      const started = yield* as(worker)(repairs.start(id, 2))
      assert.strictEqual(yield* outcome(as(worker)(repairs.hold(id, undefined, 2))), "VersionConflict")
      yield* as(worker)(repairs.hold(id, undefined, started.version))
      assert.strictEqual(yield* outcome(as(worker)(repairs.resume(id, 3))), "VersionConflict")
      yield* as(worker)(repairs.resume(id, 4))
      assert.strictEqual(yield* outcome(as(worker)(repairs.complete(id, "ok", 4))), "VersionConflict")
      assert.strictEqual(yield* outcome(as(manager)(repairs.cancel(id, undefined, 4))), "VersionConflict")
      yield* as(worker)(repairs.complete(id, "ok", 5))
      assert.strictEqual(yield* outcome(as(client)(repairs.rate(id, 5, undefined, 5))), "VersionConflict")
      assert.strictEqual((yield* as(client)(repairs.rate(id, 5, undefined, 6))).version, 7)
    }))

  test("lists what each role may see, with filters and cursors", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      const { manager, worker, worker2, client, client2, supervisor, partner, admin } = people
      const a = yield* file("new")
      const b = yield* file("in_progress")
      const c = yield* file("unassigned")
      const other = yield* as(client2)(repairs.create({ ...fridge, deviceType: "Стиральная машина" }))
      yield* as(manager)(repairs.assign(other.id, worker2.id))
      const ids = (page: { readonly items: ReadonlyArray<RepairRequest> }) => page.items.map((r) => r.id)
      const visible = (who: typeof client) => Effect.map(as(who)(repairs.list({ sort: "number", order: "asc" })), ids)
      assert.deepStrictEqual(yield* visible(client), [a, b, c])
      assert.deepStrictEqual(yield* visible(client2), [other.id])
      assert.deepStrictEqual(yield* visible(worker), [a, b])
      assert.deepStrictEqual(yield* visible(worker2), [other.id])
      for (const who of [manager, supervisor, admin]) assert.deepStrictEqual(yield* visible(who), [a, b, c, other.id])
      assert.deepStrictEqual(yield* visible(partner), [])
      const filtered = yield* as(manager)(repairs.list({ status: ["new"], assigned: false }))
      assert.deepStrictEqual(ids(filtered), [c])
      const washers = yield* as(manager)(repairs.list({ deviceType: "Стиральная машина" }))
      assert.deepStrictEqual(ids(washers), [other.id])
      // A client cannot widen their view with a filter.
      assert.deepStrictEqual(ids(yield* as(client)(repairs.list({ clientId: client2.id }))), [])
      const first = yield* as(manager)(repairs.list({ sort: "number", order: "desc", limit: 3 }))
      assert.deepStrictEqual(ids(first), [other.id, c, b])
      const second = yield* as(manager)(
        repairs.list({ sort: "number", order: "desc", limit: 3, cursor: Option.getOrThrow(first.nextCursor) })
      )
      assert.deepStrictEqual(ids(second), [a])
      assert.isTrue(Option.isNone(second.nextCursor))
      const wrongSort = yield* as(manager)(
        repairs.list({ sort: "created", order: "desc", cursor: Option.getOrThrow(first.nextCursor) })
      ).pipe(Effect.flip)
      assert.strictEqual(wrongSort._tag, "InvalidInput")
      assert.strictEqual(yield* outcome(as(manager)(repairs.list({ cursor: "garbage" }))), "InvalidInput")
      // Overdue is judged at the current time.
      yield* as(manager)(repairs.update(b, { deadline: DateTime.add(start, { hours: 1 }) }))
      assert.deepStrictEqual(ids(yield* as(manager)(repairs.list({ overdue: true }))), [])
      yield* TestClock.adjust(Duration.hours(2))
      assert.deepStrictEqual(ids(yield* as(manager)(repairs.list({ overdue: true }))), [b])
    }))

  // Columns: admin, manager, worker (the technician), worker2, client (the request's), client2, supervisor, partner.
  // o = allowed, F = Forbidden, N = NotFound (may not know the request exists).
  const who = ["admin", "manager", "worker", "worker2", "client", "client2", "supervisor", "partner"] as const
  const matrix: ReadonlyArray<{
    readonly op: string
    readonly state: "new" | "in_progress" | "completed"
    readonly run: (
      repairs: Repairs,
      id: RepairRequestId,
      people: People
    ) => Effect.Effect<unknown, { readonly _tag: string }, CurrentActor>
    readonly expect: string
  }> = [
    { op: "get", state: "new", run: (r, id) => r.get(id), expect: "oooNoNoN" },
    { op: "comments", state: "new", run: (r, id) => r.comments(id), expect: "oooNoNoN" },
    { op: "history", state: "new", run: (r, id) => r.history(id), expect: "oooNoNoN" },
    { op: "comment", state: "new", run: (r, id) => r.comment(id, "Привет"), expect: "oooNoNFN" },
    { op: "assign", state: "new", run: (r, id, p) => r.assign(id, p.worker2.id), expect: "ooFNFNFN" },
    {
      op: "set the deadline",
      state: "new",
      run: (r, id) => r.update(id, { deadline: DateTime.add(start, { days: 1 }) }),
      expect: "ooFNFNFN"
    },
    { op: "set the category", state: "new", run: (r, id) => r.update(id, { category: "Шум" }), expect: "oooNFNFN" },
    { op: "start", state: "new", run: (r, id) => r.start(id), expect: "oFoNFNFN" },
    { op: "hold", state: "in_progress", run: (r, id) => r.hold(id, "Запчасть"), expect: "oFoNFNFN" },
    { op: "complete", state: "in_progress", run: (r, id) => r.complete(id, "Готово"), expect: "oFoNFNFN" },
    { op: "cancel", state: "in_progress", run: (r, id) => r.cancel(id, "Дубль"), expect: "ooFNFNFN" },
    { op: "rate", state: "completed", run: (r, id) => r.rate(id, 4), expect: "FFFNoNFN" }
  ]

  test("authorizes every operation for every role", () =>
    Effect.gen(function* () {
      const { people, repairs, file } = yield* world
      for (const row of matrix) {
        const got = yield* Effect.forEach(who, (name) =>
          Effect.flatMap(file(row.state), (id) => outcome(as(people[name])(row.run(repairs, id, people))))
        )
        const expected = [...row.expect].map((c) => (c === "o" ? "ok" : c === "F" ? "Forbidden" : "NotFound"))
        assert.deepStrictEqual<ReadonlyArray<string>>(got, expected, row.op)
      }
      const creating = yield* Effect.forEach(who, (name) => outcome(as(people[name])(repairs.create(fridge))))
      assert.deepStrictEqual(creating, ["ok", "ok", "Forbidden", "Forbidden", "ok", "ok", "Forbidden", "Forbidden"])
    }))
})

// ---------------------------------------------------------------------------------------------
// Property tests: no sequence of operations reaches an illegal state.

const moveArb: FastCheck.Arbitrary<RepairMove | { readonly to: "assign" }> = FastCheck.oneof(
  FastCheck.constant({ to: "in_progress" as const }),
  FastCheck.record({
    to: FastCheck.constant("on_hold" as const),
    reason: FastCheck.option(FastCheck.string(), { nil: undefined })
  }),
  FastCheck.record({ to: FastCheck.constant("completed" as const), note: FastCheck.constantFrom("", "  ", "Готово") }),
  FastCheck.record({
    to: FastCheck.constant("cancelled" as const),
    reason: FastCheck.option(FastCheck.string(), { nil: undefined })
  }),
  FastCheck.constant({ to: "assign" as const })
)

describe("RepairRequest state machine", () => {
  it.prop(
    "no sequence of moves reaches an illegal state",
    { moves: FastCheck.array(moveArb, { maxLength: 30 }) },
    ({ moves }) => {
      let request = makeRepairRequest({ createdAt: start, updatedAt: start })
      let now = start
      for (const move of moves) {
        now = DateTime.add(now, { minutes: 7 })
        if (move.to === "assign") {
          request = new RepairRequest({ ...request, technicianId: Option.some(UserId.make("tech")) })
          continue
        }
        const before = request
        const result = transition(request, move, now)
        const legal = transitions[before.status].includes(move.to)
        if (Either.isRight(result)) {
          assert.isTrue(legal, `${before.status} → ${move.to}`)
          request = result.right
          assert.strictEqual(request.status, move.to)
          assert.strictEqual(request.version, before.version + 1)
          assert.isTrue(DateTime.Equivalence(request.updatedAt, now))
        } else if (result.left._tag === "IllegalTransition") {
          assert.isFalse(legal)
          assert.deepStrictEqual([result.left.from, result.left.to], [before.status, move.to])
        } else {
          assert.isTrue(legal, "a rule is only checked for a legal move")
          assert.isTrue(
            (move.to === "in_progress" && Option.isNone(before.technicianId)) ||
              (move.to === "completed" && move.note.trim() === ""),
            result.left.rule
          )
        }
        assert.deepStrictEqual(invariantViolations(request), [], `after ${JSON.stringify(move)}`)
      }
    }
  )

  it("closed states are final and every state is reachable from new", () => {
    assert.deepStrictEqual(transitions.completed, [])
    assert.deepStrictEqual(transitions.cancelled, [])
    const reached = new Set(["new"])
    for (let i = 0; i < repairStatuses.length; i++) {
      for (const from of [...reached]) for (const to of transitions[from as keyof typeof transitions]) reached.add(to)
    }
    assert.strictEqual(reached.size, repairStatuses.length)
  })

  it("invariants catch inconsistent requests", () => {
    const tech = Option.some(UserId.make("tech"))
    const bad = [
      makeRepairRequest({ status: "in_progress" }),
      makeRepairRequest({ startedAt: Option.some(start) }),
      makeRepairRequest({ status: "cancelled", startedAt: Option.some(start) }),
      makeRepairRequest({ status: "completed", technicianId: tech, startedAt: Option.some(start) }),
      makeRepairRequest({ holdReason: Option.some("x") }),
      makeRepairRequest({ cancelReason: Option.some("x") }),
      makeRepairRequest({ rating: Option.some(new Rating({ score: 5, feedback: Option.none(), ratedAt: start })) }),
      makeRepairRequest({
        status: "on_hold",
        technicianId: tech,
        createdAt: start,
        startedAt: Option.some(DateTime.subtract(start, { hours: 1 }))
      })
    ]
    for (const request of bad) assert.isAbove(invariantViolations(request).length, 0, JSON.stringify(request))
  })

  it("formats and parses request numbers", () => {
    assert.strictEqual(formatNumber(42), "R-000042")
    assert.strictEqual(formatNumber(1_234_567), "R-1234567")
    for (const text of ["R-000042", "r-42", " 42 ", "R42"]) assert.isTrue(Option.contains(parseNumber(text), 42), text)
    for (const text of ["", "R-", "R-0", "0", "-1", "R-4.2", "x42", "9".repeat(20)]) {
      assert.isTrue(Option.isNone(parseNumber(text)), text)
    }
  })
})

type Who = "admin" | "manager" | "worker" | "worker2" | "client" | "client2" | "supervisor" | "partner"
/** Mostly whoever would normally do the operation ("proper"), so sequences get far; sometimes anyone. */
const whoArb = FastCheck.oneof(
  { weight: 3, arbitrary: FastCheck.constant("proper" as const) },
  {
    weight: 1,
    arbitrary: FastCheck.constantFrom<Who>(
      "admin",
      "manager",
      "worker",
      "worker2",
      "client",
      "client2",
      "supervisor",
      "partner"
    )
  }
)
const reasonArb = FastCheck.option(FastCheck.constantFrom("Запчасть", "Клиент не отвечает", " "), {
  nil: undefined,
  freq: 4
})
/** Operations weighted so that sequences often get through the whole lifecycle, and sometimes stop early. */
const opArb = FastCheck.oneof(
  {
    weight: 3,
    arbitrary: FastCheck.record({
      kind: FastCheck.constant("assign" as const),
      who: whoArb,
      to: FastCheck.constantFrom<Who>("worker", "worker2", "client", "manager")
    })
  },
  {
    weight: 5,
    arbitrary: FastCheck.record({ kind: FastCheck.constantFrom("start" as const, "resume" as const), who: whoArb })
  },
  {
    weight: 3,
    arbitrary: FastCheck.record({ kind: FastCheck.constant("hold" as const), who: whoArb, reason: reasonArb })
  },
  {
    weight: 1,
    arbitrary: FastCheck.record({ kind: FastCheck.constant("cancel" as const), who: whoArb, reason: reasonArb })
  },
  {
    weight: 3,
    arbitrary: FastCheck.record({
      kind: FastCheck.constant("complete" as const),
      who: whoArb,
      note: FastCheck.constantFrom("", "Готово", "Заменили ТЭН")
    })
  },
  {
    weight: 2,
    arbitrary: FastCheck.record({
      kind: FastCheck.constant("rate" as const),
      who: whoArb,
      score: FastCheck.integer({ min: 0, max: 6 })
    })
  },
  { weight: 1, arbitrary: FastCheck.record({ kind: FastCheck.constant("comment" as const), who: whoArb }) },
  {
    weight: 1,
    arbitrary: FastCheck.record({
      kind: FastCheck.constant("update" as const),
      who: whoArb,
      deadlineHours: FastCheck.integer({ min: -5, max: 50 })
    })
  }
)

type Op = typeof opArb extends FastCheck.Arbitrary<infer A> ? A : never

/** Runs one random operation as its actor. */
const perform = (
  repairs: Repairs,
  id: RepairRequestId,
  people: People,
  op: Op,
  request: RepairRequest
): Effect.Effect<unknown, { readonly _tag: string }> => {
  const technician = Object.values(people).find((p) => Option.contains(request.technicianId, p.id)) ?? people.admin
  const proper =
    op.kind === "assign" || op.kind === "update" || op.kind === "cancel"
      ? people.manager
      : op.kind === "rate" || op.kind === "comment"
        ? people.client
        : technician
  const actor = as(op.who === "proper" ? proper : people[op.who])
  switch (op.kind) {
    case "assign":
      return actor(repairs.assign(id, people[op.to].id))
    case "start":
      return actor(repairs.start(id))
    case "resume":
      return actor(repairs.resume(id))
    case "hold":
      return actor(repairs.hold(id, op.reason))
    case "cancel":
      return actor(repairs.cancel(id, op.reason))
    case "complete":
      return actor(repairs.complete(id, op.note))
    case "rate":
      return actor(repairs.rate(id, op.score))
    case "comment":
      return actor(repairs.comment(id, "Комментарий"))
    case "update":
      return actor(repairs.update(id, { deadline: DateTime.add(start, { hours: op.deadlineHours }) }))
  }
}

// Which statuses the random sequences got to, so a generator that never gets far is noticed.
const statusesReached = new Set<string>()

describe("RepairRequests under random operations", () => {
  it.effect.prop(
    "every stored state is legal, and every change is audited once",
    {
      ops: FastCheck.array(FastCheck.tuple(opArb, FastCheck.integer({ min: 0, max: 600 })), {
        minLength: 10,
        maxLength: 30
      })
    },
    ({ ops }) =>
      Effect.gen(function* () {
        const { people, repairs } = yield* world
        const repo = yield* RepairRequestRepo
        const load = (id: RepairRequestId) => Effect.map(repo.findById(id), Option.getOrThrow)
        const created = yield* as(people.client)(repairs.create(fridge))
        let events = 1
        let version = 1
        const reached = new Set<string>()
        for (const [op, minutes] of ops) {
          yield* TestClock.adjust(Duration.minutes(minutes))
          const before = yield* load(created.id)
          const effect = perform(repairs, created.id, people, op, before)
          const result = yield* outcome(effect)
          const after = yield* load(created.id)
          assert.deepStrictEqual(invariantViolations(after), [], `${JSON.stringify(op)} → ${result}`)
          if (result !== "ok") {
            assert.isTrue(Equal.equals(after, before), `a failed ${op.kind} changes nothing`)
            continue
          }
          const noOp = op.kind === "assign" && Option.contains(before.technicianId, people[op.to].id)
          if (!noOp) events++
          if (!noOp && op.kind !== "comment") version++
          if (op.kind === "rate") assert.strictEqual(before.status, "completed")
          if (op.kind === "start" || op.kind === "resume") assert.strictEqual(after.status, "in_progress")
          reached.add(after.status)
        }
        const final = yield* load(created.id)
        assert.strictEqual(final.version, version)
        assert.strictEqual((yield* asSystem(repairs.history(created.id))).length, events)
        for (const status of reached) statusesReached.add(status)
      }).pipe(Effect.provide(TaskDesk.layerMemory)),
    { fastCheck: { numRuns: 40 } }
  )

  it("got to every status", () => {
    assert.deepStrictEqual([...statusesReached].sort(), [...repairStatuses].sort())
  })
})
