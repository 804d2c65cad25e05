import { assert, describe, layer as withStorage } from "@effect/vitest"
import { DateTime, Effect, Equal, FastCheck, type Layer, Option } from "effect"
import { CommentId, RepairRequestId, UserId } from "../../src/Ids.js"
import { compareKeys, type SortKey } from "../../src/Page.js"
import {
  matches,
  RepairFilter,
  type RepairRepoQuery,
  type RepairSort,
  type RepairVisibility,
  sortDirections,
  sortKey
} from "../../src/RepairQuery.js"
import {
  isOpen,
  Rating,
  RepairComment,
  RepairRequest,
  type RepairStatus,
  repairStatuses
} from "../../src/RepairRequest.js"
import { RepairRequestRepo } from "../../src/RepairRequestRepo.js"
import type { RepairStatistics } from "../../src/RepairStatistics.js"
import { StatisticsRange, StatisticsRepo } from "../../src/StatisticsRepo.js"
import type { Storage } from "../../src/Storage.js"
import { Transaction } from "../../src/Transaction.js"
import { at, uniqueId } from "../fixtures.js"

const hour = 3_600_000
const day = 24 * hour

// Request numbers of fixtures: far above what `nextNumber` hands out, unique per process, below 2^31.
let numberCounter = 1_000_000_000 + Math.floor(Math.random() * 100_000) * 10_000

// Statistics and created-time filters cover every row of a store, so each dataset lives in its own
// 60-day window somewhere between the years 2200 and 7100, away from other tests and other runs.
let windowSlot = Math.floor(Math.random() * 30_000)
const windowBase = Date.UTC(2200, 0, 1)

/** A fresh 60-day time window no other dataset of this process uses; data in it is alone. */
export const freshWindow = (): { readonly start: DateTime.Utc; readonly end: DateTime.Utc } => {
  const start = windowBase + (windowSlot++ % 30_000) * 60 * day
  return { start: DateTime.unsafeMake(start), end: DateTime.unsafeMake(start + 60 * day) }
}

/** A valid new repair request; override any field. Its number is unique but far from real ones. */
export const makeRepairRequest = (overrides: Partial<ConstructorParameters<typeof RepairRequest>[0]> = {}) =>
  new RepairRequest({
    id: RepairRequestId.make(uniqueId("repair")),
    number: ++numberCounter,
    clientId: UserId.make("client"),
    technicianId: Option.none(),
    deviceType: "Холодильник",
    deviceModel: "Атлант ХМ-4021",
    serialNumber: Option.none(),
    problemDescription: "Не морозит",
    category: Option.none(),
    status: "new",
    deadline: Option.none(),
    createdBy: UserId.make("client"),
    createdAt: at("2026-01-01T00:00:00Z"),
    updatedAt: at("2026-01-01T00:00:00Z"),
    startedAt: Option.none(),
    completedAt: Option.none(),
    completionNote: Option.none(),
    holdReason: Option.none(),
    cancelReason: Option.none(),
    rating: Option.none(),
    version: 1,
    ...overrides
  })

/** A valid comment on a repair request; override any field. */
export const makeRepairComment = (overrides: Partial<ConstructorParameters<typeof RepairComment>[0]> = {}) =>
  new RepairComment({
    id: CommentId.make(uniqueId("rcomment")),
    requestId: RepairRequestId.make("repair"),
    authorId: UserId.make("author"),
    body: "Заказали уплотнитель",
    createdAt: at("2026-01-01T00:00:00Z"),
    ...overrides
  })

// ---------------------------------------------------------------------------------------------
// Statistics: the reference computation, written plainly (one pass per number) so it shares no
// code with any store's implementation.

const hoursBetween = (start: DateTime.Utc, end: DateTime.Utc) =>
  (DateTime.toEpochMillis(end) - DateTime.toEpochMillis(start)) / hour

const average = (values: ReadonlyArray<number>): Option.Option<number> =>
  values.length === 0 ? Option.none() : Option.some(values.reduce((a, b) => a + b, 0) / values.length)

const medianOf = (values: ReadonlyArray<number>): Option.Option<number> => {
  if (values.length === 0) return Option.none()
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  return Option.some(n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2)
}

const keyCounts = (keys: ReadonlyArray<string>) =>
  [...new Set(keys)]
    .map((key) => ({ key, count: keys.filter((k) => k === key).length }))
    .sort((a, b) => (a.count !== b.count ? b.count - a.count : a.key < b.key ? -1 : 1))

const toCompleteHours = (rows: ReadonlyArray<RepairRequest>) =>
  rows.flatMap((r) =>
    r.status === "completed" && Option.isSome(r.completedAt) ? [hoursBetween(r.createdAt, r.completedAt.value)] : []
  )

const inWorkHours = (rows: ReadonlyArray<RepairRequest>) =>
  rows.flatMap((r) =>
    r.status === "completed" && Option.isSome(r.startedAt) && Option.isSome(r.completedAt)
      ? [hoursBetween(r.startedAt.value, r.completedAt.value)]
      : []
  )

const scores = (rows: ReadonlyArray<RepairRequest>) =>
  rows.flatMap((r) => Option.toArray(Option.map(r.rating, (rating) => rating.score)))

/** What a correct `StatisticsRepo.repairs` answers for these rows, as its JSDoc defines it. */
export const expectedRepairStatistics = (
  rows: ReadonlyArray<RepairRequest>,
  range: StatisticsRange,
  now: DateTime.Utc
) => {
  const inRange = rows.filter(
    (r) => !DateTime.lessThan(r.createdAt, range.from) && DateTime.lessThan(r.createdAt, range.to)
  )
  const toComplete = toCompleteHours(inRange)
  const inWork = inWorkHours(inRange)
  const technicianIds = [...new Set(inRange.flatMap((r) => Option.toArray(r.technicianId)))].sort()
  return {
    total: inRange.length,
    byStatus: Object.fromEntries(
      repairStatuses.map((s) => [s, inRange.filter((r) => r.status === s).length])
    ) as Record<RepairStatus, number>,
    toComplete: { count: toComplete.length, averageHours: average(toComplete), medianHours: medianOf(toComplete) },
    inWork: { count: inWork.length, averageHours: average(inWork), medianHours: medianOf(inWork) },
    byDeviceType: keyCounts(inRange.map((r) => r.deviceType)),
    byCategory: keyCounts(inRange.flatMap((r) => Option.toArray(r.category))),
    uncategorized: inRange.filter((r) => Option.isNone(r.category)).length,
    technicians: technicianIds.map((technicianId) => {
      const mine = inRange.filter((r) => Option.contains(r.technicianId, technicianId))
      return {
        technicianId,
        open: mine.filter(isOpen).length,
        completed: mine.filter((r) => r.status === "completed").length,
        averageHoursToComplete: average(toCompleteHours(mine)),
        averageHoursInWork: average(inWorkHours(mine)),
        ratings: scores(mine).length,
        averageRating: average(scores(mine))
      }
    }),
    overdue: inRange.filter(
      (r) => isOpen(r) && Option.exists(r.deadline, (deadline) => DateTime.lessThan(deadline, now))
    ).length,
    ratings: scores(inRange).length,
    averageRating: average(scores(inRange))
  }
}

const close = (actual: Option.Option<number>, expected: Option.Option<number>, what: string) => {
  assert.strictEqual(Option.isSome(actual), Option.isSome(expected), `${what}: presence`)
  if (Option.isSome(actual) && Option.isSome(expected)) {
    const tolerance = 1e-9 * Math.max(1, Math.abs(expected.value))
    assert.isTrue(Math.abs(actual.value - expected.value) <= tolerance, `${what}: ${actual.value} ≠ ${expected.value}`)
  }
}

/** Asserts statistics equal the expected ones: counts exactly, averages up to floating-point rounding. */
export const assertStatistics = (actual: RepairStatistics, expected: ReturnType<typeof expectedRepairStatistics>) => {
  assert.strictEqual(actual.total, expected.total, "total")
  assert.deepStrictEqual({ ...actual.byStatus }, expected.byStatus, "byStatus")
  for (const name of ["toComplete", "inWork"] as const) {
    assert.strictEqual(actual[name].count, expected[name].count, `${name}.count`)
    close(actual[name].averageHours, expected[name].averageHours, `${name}.averageHours`)
    close(actual[name].medianHours, expected[name].medianHours, `${name}.medianHours`)
  }
  assert.deepStrictEqual(
    actual.byDeviceType.map((k) => ({ key: k.key, count: k.count })),
    expected.byDeviceType,
    "byDeviceType"
  )
  assert.deepStrictEqual(
    actual.byCategory.map((k) => ({ key: k.key, count: k.count })),
    expected.byCategory,
    "byCategory"
  )
  assert.strictEqual(actual.uncategorized, expected.uncategorized, "uncategorized")
  assert.deepStrictEqual(
    actual.technicians.map((t) => t.technicianId),
    expected.technicians.map((t) => t.technicianId),
    "technicians"
  )
  actual.technicians.forEach((t, i) => {
    const e = expected.technicians[i]!
    assert.strictEqual(t.open, e.open, `${t.technicianId}.open`)
    assert.strictEqual(t.completed, e.completed, `${t.technicianId}.completed`)
    assert.strictEqual(t.ratings, e.ratings, `${t.technicianId}.ratings`)
    close(t.averageHoursToComplete, e.averageHoursToComplete, `${t.technicianId}.averageHoursToComplete`)
    close(t.averageHoursInWork, e.averageHoursInWork, `${t.technicianId}.averageHoursInWork`)
    close(t.averageRating, e.averageRating, `${t.technicianId}.averageRating`)
  })
  assert.strictEqual(actual.overdue, expected.overdue, "overdue")
  assert.strictEqual(actual.ratings, expected.ratings, "ratings")
  close(actual.averageRating, expected.averageRating, "averageRating")
}

// ---------------------------------------------------------------------------------------------
// Random but consistent requests: what the state machine can produce, with awkward values
// (range boundaries, equal durations, Cyrillic, CJK and differently-cased keys).

const deviceTypes = ["Холодильник", "Стиральная машина", "fridge", "Fridge", "洗衣机"] as const
const categories = ["Не охлаждает", "Шум", "leak", "Leak"] as const

/** What one random request is made of; `repairFrom` turns it into a request. */
export const repairSpec = FastCheck.record({
  status: FastCheck.constantFrom(...repairStatuses),
  /** Milliseconds after the window start; the specials hit the range ends. */
  createdMs: FastCheck.oneof(
    FastCheck.integer({ min: -2 * day, max: 25 * day }),
    FastCheck.constantFrom(-1, 0, 20 * day - 1, 20 * day)
  ),
  startAfterMs: FastCheck.oneof(FastCheck.integer({ min: 0, max: 5 * day }), FastCheck.constant(hour)),
  workMs: FastCheck.oneof(FastCheck.integer({ min: 0, max: 9 * day }), FastCheck.constant(2 * hour)),
  startedBeforeCancel: FastCheck.boolean(),
  technician: FastCheck.option(FastCheck.integer({ min: 0, max: 3 }), { nil: undefined }),
  deviceType: FastCheck.constantFrom(...deviceTypes),
  category: FastCheck.option(FastCheck.constantFrom(...categories), { nil: undefined }),
  /** Milliseconds after `now`; negative is past. */
  deadlineMs: FastCheck.option(
    FastCheck.oneof(FastCheck.integer({ min: -10 * day, max: 10 * day }), FastCheck.constant(0)),
    { nil: undefined }
  ),
  score: FastCheck.option(FastCheck.integer({ min: 1, max: 5 }), { nil: undefined })
})
export type RepairSpec = typeof repairSpec extends FastCheck.Arbitrary<infer A> ? A : never

/** `now` of a window: ten days in, while requests are still being created. */
export const windowNow = (window: { readonly start: DateTime.Utc }) => DateTime.add(window.start, { days: 10 })

/** The statistics range of a window: its first 20 days. */
export const windowRange = (window: { readonly start: DateTime.Utc }) =>
  new StatisticsRange({ from: window.start, to: DateTime.add(window.start, { days: 20 }) })

/** Builds a consistent request from a spec, in a window, with technicians from `technicians`. */
export const repairFrom = (
  spec: RepairSpec,
  window: { readonly start: DateTime.Utc },
  technicians: ReadonlyArray<UserId>
): RepairRequest => {
  const created = DateTime.toEpochMillis(window.start) + spec.createdMs
  const started = created + spec.startAfterMs
  const completed = started + spec.workMs
  const worked =
    spec.status === "in_progress" ||
    spec.status === "on_hold" ||
    spec.status === "completed" ||
    (spec.status === "cancelled" && spec.startedBeforeCancel)
  const isCompleted = spec.status === "completed"
  const technician =
    worked || spec.technician !== undefined
      ? Option.some(technicians[(spec.technician ?? 0) % technicians.length]!)
      : Option.none()
  const ms = (n: number) => DateTime.unsafeMake(n)
  return makeRepairRequest({
    status: spec.status,
    technicianId: technician,
    deviceType: spec.deviceType,
    category: Option.fromNullable(spec.category),
    deadline: Option.map(Option.fromNullable(spec.deadlineMs), (d) => DateTime.add(windowNow(window), { millis: d })),
    createdAt: ms(created),
    updatedAt: ms(isCompleted ? completed : worked ? started : created),
    startedAt: worked ? Option.some(ms(started)) : Option.none(),
    completedAt: isCompleted ? Option.some(ms(completed)) : Option.none(),
    completionNote: isCompleted ? Option.some("Заменили компрессор") : Option.none(),
    holdReason: spec.status === "on_hold" ? Option.some("Ждём запчасть") : Option.none(),
    rating:
      isCompleted && spec.score !== undefined
        ? Option.some(new Rating({ score: spec.score, feedback: Option.none(), ratedAt: ms(completed) }))
        : Option.none()
  })
}

// ---------------------------------------------------------------------------------------------
// The repository contract.

const sorts: ReadonlyArray<RepairSort> = ["created", "deadline", "updated", "number"]

/** A varied set of requests in a fresh window, with fresh people, so queries can be scoped to it. */
const dataset = (size: number) => {
  const window = freshWindow()
  const now = windowNow(window)
  const clients = [UserId.make(uniqueId("client")), UserId.make(uniqueId("client"))] as const
  const technicians = [UserId.make(uniqueId("tech")), UserId.make(uniqueId("tech"))] as const
  const manager = UserId.make(uniqueId("manager"))
  const requests = Array.from({ length: size }, (_, i) => {
    const status = repairStatuses[i % 5]!
    const worked = status !== "new" && !(status === "cancelled" && i % 2 === 0)
    const createdAt = DateTime.add(now, { minutes: -((i * 11) % 17) * 60 })
    return makeRepairRequest({
      clientId: clients[i % 2]!,
      createdBy: i % 3 === 0 ? manager : clients[i % 2]!,
      technicianId: worked || i % 4 === 1 ? Option.some(technicians[(i >> 1) % 2]!) : Option.none(),
      deviceType: i % 3 === 0 ? "Холодильник" : i % 3 === 1 ? "Стиральная машина" : "fridge",
      deviceModel: i % 5 === 0 ? `Bosch WAN-${i}` : `Атлант ${i}`,
      serialNumber: i % 4 === 0 ? Option.some(`SN-${i}-XQ`) : Option.none(),
      problemDescription: i % 7 === 0 ? "Течёт вода, нужен НОВЫЙ шланг" : `Проблема ${i}`,
      category: i % 3 === 2 ? Option.none() : Option.some(i % 2 === 0 ? "Протечка" : "Шум"),
      status,
      // Some share a deadline, some have none: ties and "none last" are both exercised.
      deadline: i % 4 === 3 ? Option.none() : Option.some(DateTime.add(now, { hours: ((i * 7) % 13) - 6 })),
      createdAt,
      updatedAt: DateTime.add(now, { minutes: (i * 5) % 9 }),
      startedAt: worked ? Option.some(DateTime.add(createdAt, { minutes: 30 })) : Option.none(),
      completedAt: status === "completed" ? Option.some(now) : Option.none(),
      completionNote: status === "completed" ? Option.some("Готово") : Option.none(),
      version: 1 + (i % 3)
    })
  })
  return { window, now, clients, technicians, manager, requests }
}

/** What a correct store returns: the reference semantics computed in memory. */
const expected = (requests: ReadonlyArray<RepairRequest>, query: RepairRepoQuery): ReadonlyArray<string> => {
  const directions = sortDirections(query.sort, query.order)
  return requests
    .filter((r) => matches(r, query))
    .map((r) => ({ r, key: sortKey(r, query.sort) }))
    .filter(({ key }) =>
      Option.match(query.after, { onNone: () => true, onSome: (a) => compareKeys(key, a, directions) > 0 })
    )
    .sort((a, b) => compareKeys(a.key, b.key, directions))
    .slice(0, query.limit)
    .map(({ r }) => r.id)
}

const baseQuery = (data: ReturnType<typeof dataset>, filter: Partial<RepairFilter> = {}): RepairRepoQuery => ({
  filter: new RepairFilter({ createdFrom: data.window.start, createdTo: data.window.end, ...filter }),
  visibility: { _tag: "All" },
  sort: "created",
  order: "desc",
  after: Option.none(),
  limit: 200,
  now: data.now
})

/** The RepairRequestRepo contract. */
export const repairRequestRepoSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("RepairRequestRepo", () => {
    withStorage(layer)((it) => {
      it.effect("stores and reads back a request unchanged, by id and by number", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const request = makeRepairRequest({
            technicianId: Option.some(UserId.make(uniqueId("tech"))),
            deviceType: "Стиральная машина 洗衣机",
            serialNumber: Option.some("SN 0042/Б"),
            problemDescription: "x".repeat(20_000),
            category: Option.some("Не сливает"),
            status: "completed",
            deadline: Option.some(at("2026-05-01T10:30:00.123Z")),
            startedAt: Option.some(at("2026-01-02T08:00:00.001Z")),
            completedAt: Option.some(at("2026-01-03T17:45:00.999Z")),
            completionNote: Option.some("Заменили насос"),
            cancelReason: Option.none(),
            rating: Option.some(
              new Rating({ score: 4, feedback: Option.some("Быстро, спасибо"), ratedAt: at("2026-01-04T00:00:00Z") })
            ),
            version: 7
          })
          const held = makeRepairRequest({
            status: "on_hold",
            technicianId: Option.some(UserId.make(uniqueId("tech"))),
            startedAt: Option.some(at("2026-01-02T08:00:00Z")),
            holdReason: Option.some("Ждём деталь")
          })
          const cancelled = makeRepairRequest({
            status: "cancelled",
            cancelReason: Option.some("Клиент передумал"),
            rating: Option.some(new Rating({ score: 1, feedback: Option.none(), ratedAt: at("2026-01-04T00:00:00Z") }))
          })
          for (const r of [request, held, cancelled]) {
            yield* repo.insert(r)
            assert.isTrue(Equal.equals((yield* repo.findById(r.id)).pipe(Option.getOrThrow), r), r.status)
          }
          assert.isTrue(Equal.equals((yield* repo.findByNumber(request.number)).pipe(Option.getOrThrow), request))
          assert.isTrue(Option.isNone(yield* repo.findById(RepairRequestId.make("missing"))))
          assert.isTrue(Option.isNone(yield* repo.findByNumber(2_147_000_000)))
        })
      )

      it.effect("refuses a second request with the same id or number", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const request = makeRepairRequest()
          yield* repo.insert(request)
          const sameId = yield* repo.insert(makeRepairRequest({ id: request.id })).pipe(Effect.flip)
          assert.strictEqual(sameId._tag, "DuplicateKey")
          assert.strictEqual(sameId.field, "id")
          const sameNumber = yield* repo.insert(makeRepairRequest({ number: request.number })).pipe(Effect.flip)
          assert.strictEqual(sameNumber._tag, "DuplicateKey")
          assert.strictEqual(sameNumber.field, "number")
        })
      )

      it.effect("updates only at the expected version", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const request = makeRepairRequest()
          yield* repo.insert(request)
          const next = makeRepairRequest({ ...request, problemDescription: "Шумит", version: 2 })
          const conflict = yield* repo.update(next, 5).pipe(Effect.flip)
          assert.strictEqual(conflict._tag, "VersionConflict")
          assert.strictEqual(
            (yield* repo.findById(request.id)).pipe(Option.getOrThrow).problemDescription,
            "Не морозит"
          )
          yield* repo.update(next, 1)
          assert.isTrue(Equal.equals((yield* repo.findById(request.id)).pipe(Option.getOrThrow), next))
          const stale = yield* repo.update(makeRepairRequest({ ...request, version: 2 }), 1).pipe(Effect.flip)
          assert.strictEqual(stale._tag, "VersionConflict")
          const missing = yield* repo.update(makeRepairRequest({ version: 2 }), 1).pipe(Effect.flip)
          assert.strictEqual(missing._tag, "NotFound")
        })
      )

      it.effect("hands out growing numbers, gives back those of rolled-back transactions, never twice", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const tx = yield* Transaction
          const first = yield* repo.nextNumber
          assert.isTrue(Number.isInteger(first) && first >= 1)
          const inFailed = yield* tx.run(Effect.flatMap(repo.nextNumber, (n) => Effect.fail(n))).pipe(Effect.flip)
          assert.strictEqual(inFailed, first + 1)
          const [a, b] = yield* tx.run(Effect.all([repo.nextNumber, repo.nextNumber]))
          assert.deepStrictEqual([a, b], [first + 1, first + 2])
          const concurrent = yield* Effect.forEach(Array.from({ length: 12 }), () => repo.nextNumber, {
            concurrency: 4
          })
          assert.strictEqual(new Set(concurrent).size, 12)
          assert.isTrue(concurrent.every((n) => n > first + 2))
        })
      )

      it.effect("rolls back requests and comments of a failed transaction", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const tx = yield* Transaction
          const request = makeRepairRequest()
          const comment = makeRepairComment({ requestId: request.id })
          const result = yield* tx
            .run(
              Effect.gen(function* () {
                yield* repo.insert(request)
                yield* repo.addComment(comment)
                return yield* Effect.fail("boom" as const)
              })
            )
            .pipe(Effect.flip)
          assert.strictEqual(result, "boom")
          assert.isTrue(Option.isNone(yield* repo.findById(request.id)))
          assert.deepStrictEqual(yield* repo.listComments(request.id), [])
          yield* tx.run(Effect.zipRight(repo.insert(request), repo.addComment(comment)))
          assert.isTrue(Option.isSome(yield* repo.findById(request.id)))
          assert.strictEqual((yield* repo.listComments(request.id)).length, 1)
        })
      )

      it.effect("stores comments and lists a request's oldest first", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const request = makeRepairRequest()
          const other = makeRepairRequest()
          yield* repo.insert(request)
          yield* repo.insert(other)
          const late = makeRepairComment({ requestId: request.id, createdAt: at("2026-01-03T00:00:00Z") })
          const early = makeRepairComment({
            requestId: request.id,
            body: "Мастер приедет завтра 明天",
            createdAt: at("2026-01-02T00:00:00.001Z")
          })
          // Same time: the id decides.
          const tieB = makeRepairComment({
            id: CommentId.make(`${uniqueId("c")}-b`),
            requestId: request.id,
            createdAt: at("2026-01-02T12:00:00Z")
          })
          const tieA = makeRepairComment({
            id: CommentId.make(`${tieB.id.slice(0, -2)}-a`),
            requestId: request.id,
            createdAt: at("2026-01-02T12:00:00Z")
          })
          for (const c of [late, tieB, early, tieA]) yield* repo.addComment(c)
          yield* repo.addComment(makeRepairComment({ requestId: other.id }))
          const listed = yield* repo.listComments(request.id)
          assert.deepStrictEqual(
            listed.map((c) => c.id),
            [early.id, tieA.id, tieB.id, late.id]
          )
          assert.isTrue(Equal.equals(listed[0], early))
          assert.strictEqual((yield* repo.addComment(late).pipe(Effect.flip))._tag, "DuplicateKey")
          assert.deepStrictEqual(yield* repo.listComments(RepairRequestId.make("missing")), [])
        })
      )

      it.effect("applies every filter as the reference semantics say", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const data = dataset(50)
          const { clients, technicians, now, window } = data
          yield* Effect.forEach(data.requests, repo.insert, { discard: true })
          const filters: ReadonlyArray<Partial<RepairFilter>> = [
            {},
            { status: ["new"] },
            { status: ["completed", "cancelled"] },
            { status: [] },
            { clientId: clients[0] },
            { technicianId: technicians[1] },
            { technicianId: technicians[0], status: ["in_progress", "on_hold"] },
            { assigned: true },
            { assigned: false },
            { deviceType: "Холодильник" },
            { deviceType: "холодильник" },
            { deviceType: "fridge" },
            { category: "Шум" },
            { category: "шум" },
            { overdue: true },
            { overdue: false },
            { createdFrom: DateTime.add(now, { hours: -5 }) },
            { createdTo: DateTime.add(now, { hours: -5 }) },
            { createdFrom: DateTime.add(now, { hours: -10 }), createdTo: DateTime.add(now, { hours: -3 }) },
            { createdFrom: window.start, createdTo: window.start },
            { text: "шланг" },
            { text: "НОВЫЙ" },
            { text: "bosch" },
            { text: "sn-4-xq" },
            { text: "стиральная" },
            { text: "%" },
            { text: "_" },
            { clientId: clients[1], deviceType: "fridge", overdue: true, assigned: true }
          ]
          for (const filter of filters) {
            const query = baseQuery(data, filter)
            const got = (yield* repo.list(query)).map((r) => r.id)
            assert.deepStrictEqual(got, expected(data.requests, query), JSON.stringify(filter))
          }
          // The reference itself must select something for the filters that should.
          assert.isAbove(expected(data.requests, baseQuery(data, { overdue: true })).length, 0)
          assert.isAbove(expected(data.requests, baseQuery(data, { text: "sn-4-xq" })).length, 0)
        })
      )

      it.effect("restricts to what the actor may see", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const data = dataset(30)
          yield* Effect.forEach(data.requests, repo.insert, { discard: true })
          const { clients, technicians, manager } = data
          const visibilities: ReadonlyArray<RepairVisibility> = [
            { _tag: "Restricted", clientId: clients[0] },
            { _tag: "Restricted", technicianId: technicians[0] },
            { _tag: "Restricted", createdBy: manager },
            { _tag: "Restricted", clientId: clients[1], technicianId: technicians[1] },
            { _tag: "Restricted", clientId: technicians[0] },
            { _tag: "Restricted" }
          ]
          for (const visibility of visibilities) {
            const query = { ...baseQuery(data), visibility }
            const got = (yield* repo.list(query)).map((r) => r.id)
            assert.deepStrictEqual(got, expected(data.requests, query), JSON.stringify(visibility))
          }
        })
      )

      it.effect("sorts by every key in both orders, with a total order", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const data = dataset(40)
          yield* Effect.forEach(data.requests, repo.insert, { discard: true })
          for (const sort of sorts) {
            for (const order of ["asc", "desc"] as const) {
              const query = { ...baseQuery(data), sort, order }
              const got = (yield* repo.list(query)).map((r) => r.id)
              assert.deepStrictEqual(got, expected(data.requests, query), `${sort} ${order}`)
            }
          }
        })
      )

      it.effect("pages by keyset without skipping or repeating while rows are inserted", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const data = dataset(30)
          yield* Effect.forEach(data.requests, repo.insert, { discard: true })
          for (const sort of sorts) {
            for (const order of ["asc", "desc"] as const) {
              const seen: Array<string> = []
              let after: Option.Option<SortKey> = Option.none()
              for (let page = 0; page < 20; page++) {
                const rows = yield* repo.list({ ...baseQuery(data), sort, order, after, limit: 7 })
                seen.push(...rows.map((r) => r.id))
                // Rows inserted mid-walk land before and after the cursor; the originals must still all appear once.
                const twin = data.requests[(page * 7) % data.requests.length]!
                yield* repo.insert(
                  makeRepairRequest({ ...twin, id: RepairRequestId.make(uniqueId("late")), number: ++numberCounter })
                )
                if (rows.length < 7) break
                after = Option.some(sortKey(rows[rows.length - 1]!, sort))
              }
              const original = expected(data.requests, { ...baseQuery(data), sort, order })
              const originals = new Set(original)
              assert.deepStrictEqual(
                seen.filter((id) => originals.has(id)),
                original,
                `${sort} ${order}`
              )
              assert.strictEqual(new Set(seen).size, seen.length, "no row twice")
            }
          }
        })
      )
    })
  })

// ---------------------------------------------------------------------------------------------
// The statistics contract.

/** The worked example of the StatisticsRepo JSDoc, with every number computed by hand. */
const handmade = () => {
  const window = freshWindow()
  const t = (hours: number) => DateTime.add(window.start, { millis: hours * hour })
  const now = t(10)
  const range = new StatisticsRange({ from: t(0), to: t(24) })
  const techA = UserId.make(uniqueId("techA"))
  const techB = UserId.make(uniqueId("techB"))
  const done = (created: number, started: number, completed: number, technician: UserId, score?: number) => ({
    status: "completed" as const,
    technicianId: Option.some(technician),
    createdAt: t(created),
    startedAt: Option.some(t(started)),
    completedAt: Option.some(t(completed)),
    completionNote: Option.some("Готово"),
    rating:
      score === undefined
        ? Option.none()
        : Option.some(new Rating({ score, feedback: Option.none(), ratedAt: t(completed) }))
  })
  const fridge = "Холодильник"
  const washer = "Стиральная машина"
  const microwave = "Микроволновка"
  const rows = [
    makeRepairRequest({ ...done(0.5, 1, 2, techB, 4), deviceType: fridge, category: Option.some("Шум") }),
    makeRepairRequest({ ...done(0, 1, 3, techA, 5), deviceType: fridge, category: Option.some("Не охлаждает") }),
    makeRepairRequest({ ...done(1, 2, 11, techA, 2), deviceType: washer }),
    makeRepairRequest({ ...done(2, 2.5, 4, techB), deviceType: fridge, category: Option.some("Не охлаждает") }),
    makeRepairRequest({
      status: "in_progress",
      technicianId: Option.some(techB),
      createdAt: t(3),
      startedAt: Option.some(t(4)),
      deadline: Option.some(t(5)),
      deviceType: fridge,
      category: Option.some("Шум")
    }),
    makeRepairRequest({
      status: "on_hold",
      technicianId: Option.some(techA),
      createdAt: t(4),
      startedAt: Option.some(t(4.5)),
      deadline: Option.some(t(20)),
      deviceType: washer
    }),
    // A deadline equal to now is not overdue yet.
    makeRepairRequest({ createdAt: t(5), deadline: Option.some(now), deviceType: microwave }),
    makeRepairRequest({ createdAt: t(6), deadline: Option.some(t(1)), deviceType: microwave }),
    // Cancelled requests are never overdue.
    makeRepairRequest({
      status: "cancelled",
      technicianId: Option.some(techB),
      createdAt: t(7),
      deadline: Option.some(t(1)),
      deviceType: fridge
    }),
    // Outside the range: created exactly at its end, and a millisecond before its start.
    makeRepairRequest({ ...done(24, 25, 26, techA, 1), deviceType: washer, deadline: Option.some(t(0)) }),
    makeRepairRequest({ ...done(0, 1, 2, techB, 1), createdAt: DateTime.subtract(t(0), { millis: 1 }) })
  ]
  return { rows, range, now, techA, techB }
}

/** The StatisticsRepo contract: the numbers its JSDoc defines, over exactly the rows in range. */
export const statisticsRepoSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("StatisticsRepo", () => {
    withStorage(layer)((it) => {
      it.effect("answers zeros and nothing for an empty range", () =>
        Effect.gen(function* () {
          const stats = yield* StatisticsRepo
          const window = freshWindow()
          const result = yield* stats.repairs(windowRange(window), windowNow(window))
          assert.strictEqual(result.total, 0)
          assert.deepStrictEqual(
            { ...result.byStatus },
            { new: 0, in_progress: 0, on_hold: 0, completed: 0, cancelled: 0 }
          )
          assert.strictEqual(result.toComplete.count, 0)
          assert.isTrue(Option.isNone(result.toComplete.averageHours) && Option.isNone(result.toComplete.medianHours))
          assert.isTrue(Option.isNone(result.inWork.averageHours) && Option.isNone(result.inWork.medianHours))
          assert.deepStrictEqual([...result.byDeviceType, ...result.byCategory, ...result.technicians], [])
          assert.strictEqual(result.uncategorized + result.overdue + result.ratings, 0)
          assert.isTrue(Option.isNone(result.averageRating))
          assert.isTrue(DateTime.Equivalence(result.from, window.start))
        })
      )

      it.effect("computes the worked example exactly", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const stats = yield* StatisticsRepo
          const { rows, range, now, techA, techB } = handmade()
          yield* Effect.forEach(rows, repo.insert, { discard: true })
          const r = yield* stats.repairs(range, now)
          assert.strictEqual(r.total, 9)
          assert.deepStrictEqual({ ...r.byStatus }, { new: 2, in_progress: 1, on_hold: 1, completed: 4, cancelled: 1 })
          // createdAt → completedAt: 1.5, 3, 10, 2 hours; startedAt → completedAt: 1, 2, 9, 1.5 hours.
          assert.deepStrictEqual(
            { count: r.toComplete.count, average: r.toComplete.averageHours, median: r.toComplete.medianHours },
            { count: 4, average: Option.some(4.125), median: Option.some(2.5) }
          )
          assert.deepStrictEqual(
            { count: r.inWork.count, average: r.inWork.averageHours, median: r.inWork.medianHours },
            { count: 4, average: Option.some(3.375), median: Option.some(1.75) }
          )
          assert.deepStrictEqual(
            r.byDeviceType.map((k) => [k.key, k.count]),
            [
              ["Холодильник", 5],
              ["Микроволновка", 2],
              ["Стиральная машина", 2]
            ]
          )
          assert.deepStrictEqual(
            r.byCategory.map((k) => [k.key, k.count]),
            [
              ["Не охлаждает", 2],
              ["Шум", 2]
            ]
          )
          assert.strictEqual(r.uncategorized, 5)
          assert.deepStrictEqual(
            r.technicians.map((t) => ({ ...t })),
            [
              {
                technicianId: techA,
                open: 1,
                completed: 2,
                averageHoursToComplete: Option.some(6.5),
                averageHoursInWork: Option.some(5.5),
                ratings: 2,
                averageRating: Option.some(3.5)
              },
              {
                technicianId: techB,
                open: 1,
                completed: 2,
                averageHoursToComplete: Option.some(1.75),
                averageHoursInWork: Option.some(1.25),
                ratings: 1,
                averageRating: Option.some(4)
              }
            ]
          )
          assert.strictEqual(r.overdue, 2)
          assert.strictEqual(r.ratings, 3)
          assert.isTrue(Math.abs(Option.getOrThrow(r.averageRating) - 11 / 3) < 1e-12)
          assertStatistics(r, expectedRepairStatistics(rows, range, now))
        })
      )

      it.effect("a single measurement is its own median; an odd count takes the middle", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const stats = yield* StatisticsRepo
          const window = freshWindow()
          const t = (hours: number) => DateTime.add(window.start, { millis: hours * hour })
          const tech = UserId.make(uniqueId("tech"))
          const completed = (created: number, completedAt: number) =>
            makeRepairRequest({
              status: "completed",
              technicianId: Option.some(tech),
              createdAt: t(created),
              startedAt: Option.some(t(created)),
              completedAt: Option.some(t(completedAt)),
              completionNote: Option.some("ok")
            })
          const range = new StatisticsRange({ from: t(0), to: t(100) })
          yield* repo.insert(completed(0, 7))
          const one = yield* stats.repairs(range, t(50))
          assert.deepStrictEqual(
            [one.toComplete.averageHours, one.toComplete.medianHours],
            [Option.some(7), Option.some(7)]
          )
          yield* repo.insert(completed(1, 2))
          yield* repo.insert(completed(2, 30))
          const three = yield* stats.repairs(range, t(50))
          assert.deepStrictEqual(
            [three.toComplete.averageHours, three.toComplete.medianHours],
            [Option.some(12), Option.some(7)]
          )
        })
      )

      it.effect("agrees with the reference computation on random data", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const stats = yield* StatisticsRepo
          for (const [seed, size] of [
            [1, 1],
            [2, 17],
            [3, 60],
            [4, 150]
          ] as const) {
            const window = freshWindow()
            const technicians = Array.from({ length: 3 }, () => UserId.make(uniqueId("tech")))
            const rows = FastCheck.sample(repairSpec, { seed, numRuns: size }).map((spec) =>
              repairFrom(spec, window, technicians)
            )
            yield* Effect.forEach(rows, repo.insert, { discard: true })
            const range = windowRange(window)
            const now = windowNow(window)
            assertStatistics(yield* stats.repairs(range, now), expectedRepairStatistics(rows, range, now))
            // A narrower range and a later `now` change what is counted.
            const narrow = new StatisticsRange({ from: DateTime.add(window.start, { days: 3 }), to: now })
            const later = DateTime.add(now, { days: 4 })
            assertStatistics(yield* stats.repairs(narrow, later), expectedRepairStatistics(rows, narrow, later))
          }
        })
      )

      it.effect("sees the writes of its own transaction and none of a rolled-back one", () =>
        Effect.gen(function* () {
          const repo = yield* RepairRequestRepo
          const stats = yield* StatisticsRepo
          const tx = yield* Transaction
          const window = freshWindow()
          const range = windowRange(window)
          const now = windowNow(window)
          const request = makeRepairRequest({ createdAt: window.start })
          const inside = yield* tx
            .run(
              Effect.gen(function* () {
                yield* repo.insert(request)
                const seen = yield* stats.repairs(range, now)
                return yield* Effect.fail(seen.total)
              })
            )
            .pipe(Effect.flip)
          assert.strictEqual(inside, 1)
          assert.strictEqual((yield* stats.repairs(range, now)).total, 0)
          yield* repo.insert(request)
          yield* repo.update(makeRepairRequest({ ...request, status: "cancelled", version: 2 }), 1)
          const after = yield* stats.repairs(range, now)
          assert.deepStrictEqual([after.total, after.byStatus.cancelled, after.byStatus.new], [1, 1, 0])
        })
      )
    })
  })
