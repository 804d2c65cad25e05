import {
  Assignment,
  type Ids,
  RepairRequest,
  RepairStatistics,
  StatisticsRepo,
  Task,
  TaskStatistics
} from "@taskdesk/core"
import { DateTime, Effect, Layer, Option } from "effect"
import { KvStore } from "../KvStore.js"

const hour = 3_600_000

const mean = (sum: number, count: number): Option.Option<number> =>
  count === 0 ? Option.none() : Option.some(sum / count)

/** Mean of the two middle values when the count is even, as SQL's `percentile_cont(0.5)`. */
const median = (values: Array<number>): Option.Option<number> => {
  if (values.length === 0) return Option.none()
  values.sort((a, b) => a - b)
  const mid = values.length >> 1
  return Option.some(values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2)
}

const summary = (values: Array<number>): RepairStatistics.DurationSummary =>
  new RepairStatistics.DurationSummary({
    count: values.length,
    averageHours: mean(
      values.reduce((a, b) => a + b, 0),
      values.length
    ),
    medianHours: median(values)
  })

const codePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const counted = (counts: Map<string, number>): ReadonlyArray<RepairStatistics.KeyCount> =>
  [...counts]
    .sort(([ka, a], [kb, b]) => b - a || codePoints(ka, kb))
    .map(([key, count]) => new RepairStatistics.KeyCount({ key, count }))

/** Hours between two optional times, when both are there. */
const hoursBetween = (start: Option.Option<DateTime.Utc>, end: Option.Option<DateTime.Utc>) =>
  Option.zipWith(start, end, (s, e) => (DateTime.toEpochMillis(e) - DateTime.toEpochMillis(s)) / hour)

interface Accumulator {
  open: number
  completed: number
  toComplete: { sum: number; count: number }
  inWork: { sum: number; count: number }
  rating: { sum: number; count: number }
}

/** Statistics by scanning the rows, as the in-memory store does: the stand-in for SQL aggregates. */
export const layer: Layer.Layer<StatisticsRepo.StatisticsRepo, never, KvStore> = Layer.effect(
  StatisticsRepo.StatisticsRepo,
  Effect.gen(function* () {
    const store = yield* KvStore
    const requests = store.table("repair_requests", RepairRequest.RepairRequest)
    const tasks = store.table("tasks", Task.Task)
    const assignments = store.table("assignments", Assignment.Assignment)

    return {
      repairs: (range, now) =>
        Effect.map(requests.values, (all) => {
          const from = DateTime.toEpochMillis(range.from)
          const to = DateTime.toEpochMillis(range.to)
          const byStatus: Record<RepairRequest.RepairStatus, number> = {
            new: 0,
            in_progress: 0,
            on_hold: 0,
            completed: 0,
            cancelled: 0
          }
          const toComplete: Array<number> = []
          const inWork: Array<number> = []
          const deviceTypes = new Map<string, number>()
          const categories = new Map<string, number>()
          const technicians = new Map<Ids.UserId, Accumulator>()
          let total = 0
          let uncategorized = 0
          let overdue = 0
          let ratingSum = 0
          let ratings = 0

          for (const r of all) {
            const created = DateTime.toEpochMillis(r.createdAt)
            if (created < from || created >= to) continue
            total++
            byStatus[r.status]++
            deviceTypes.set(r.deviceType, (deviceTypes.get(r.deviceType) ?? 0) + 1)
            if (Option.isSome(r.category)) categories.set(r.category.value, (categories.get(r.category.value) ?? 0) + 1)
            else uncategorized++
            if (RepairRequest.isOverdue(r, now)) overdue++
            const completed = r.status === "completed"
            const hoursToComplete = completed ? hoursBetween(Option.some(r.createdAt), r.completedAt) : Option.none()
            const hoursInWork = completed ? hoursBetween(r.startedAt, r.completedAt) : Option.none()
            if (Option.isSome(hoursToComplete)) toComplete.push(hoursToComplete.value)
            if (Option.isSome(hoursInWork)) inWork.push(hoursInWork.value)
            if (Option.isSome(r.rating)) {
              ratingSum += r.rating.value.score
              ratings++
            }
            if (Option.isSome(r.technicianId)) {
              const id = r.technicianId.value
              const acc = technicians.get(id) ?? {
                open: 0,
                completed: 0,
                toComplete: { sum: 0, count: 0 },
                inWork: { sum: 0, count: 0 },
                rating: { sum: 0, count: 0 }
              }
              technicians.set(id, acc)
              if (completed) acc.completed++
              else if (r.status !== "cancelled") acc.open++
              if (Option.isSome(hoursToComplete)) {
                acc.toComplete.sum += hoursToComplete.value
                acc.toComplete.count++
              }
              if (Option.isSome(hoursInWork)) {
                acc.inWork.sum += hoursInWork.value
                acc.inWork.count++
              }
              if (Option.isSome(r.rating)) {
                acc.rating.sum += r.rating.value.score
                acc.rating.count++
              }
            }
          }

          return new RepairStatistics.RepairStatistics({
            from: range.from,
            to: range.to,
            total,
            byStatus: new RepairStatistics.RepairStatusCounts(byStatus),
            toComplete: summary(toComplete),
            inWork: summary(inWork),
            byDeviceType: counted(deviceTypes),
            byCategory: counted(categories),
            uncategorized,
            technicians: [...technicians]
              .sort(([a], [b]) => codePoints(a, b))
              .map(
                ([technicianId, acc]) =>
                  new RepairStatistics.TechnicianStatistics({
                    technicianId,
                    open: acc.open,
                    completed: acc.completed,
                    averageHoursToComplete: mean(acc.toComplete.sum, acc.toComplete.count),
                    averageHoursInWork: mean(acc.inWork.sum, acc.inWork.count),
                    ratings: acc.rating.count,
                    averageRating: mean(acc.rating.sum, acc.rating.count)
                  })
              ),
            overdue,
            ratings,
            averageRating: mean(ratingSum, ratings)
          })
        }),

      tasks: (range, now) =>
        Effect.gen(function* () {
          const from = DateTime.toEpochMillis(range.from)
          const to = DateTime.toEpochMillis(range.to)
          const inRange = (t: DateTime.Utc) => {
            const ms = DateTime.toEpochMillis(t)
            return ms >= from && ms < to
          }
          const zero = () => ({ created: 0, completed: 0, overdue: 0 })
          const totals = zero()
          const withoutProject = zero()
          const projects = new Map<string, ReturnType<typeof zero>>()
          const people = new Map<string, ReturnType<typeof zero> & { accepted: number; rejected: number }>()
          const person = (id: string) => {
            const found = people.get(id) ?? { ...zero(), accepted: 0, rejected: 0 }
            people.set(id, found)
            return found
          }
          for (const t of yield* tasks.values) {
            const counts = {
              created: inRange(t.createdAt) ? 1 : 0,
              completed: t.status === "done" && Option.exists(t.completedAt, inRange) ? 1 : 0,
              overdue: Task.isOverdue(t, now) && Option.exists(t.dueAt, inRange) ? 1 : 0
            }
            if (counts.created + counts.completed + counts.overdue === 0) continue
            const buckets = [
              totals,
              Option.isSome(t.projectId)
                ? (projects.get(t.projectId.value) ?? projects.set(t.projectId.value, zero()).get(t.projectId.value)!)
                : withoutProject,
              ...t.assigneeIds.map(person)
            ]
            for (const b of buckets) {
              b.created += counts.created
              b.completed += counts.completed
              b.overdue += counts.overdue
            }
          }
          let offered = 0
          let accepted = 0
          let rejected = 0
          const rejections: Array<TaskStatistics.Rejection> = []
          for (const a of yield* assignments.values) {
            if (inRange(a.createdAt)) offered++
            if (!Option.exists(a.respondedAt, inRange)) continue
            if (a.status === "rejected") {
              rejected++
              person(a.assigneeId).rejected++
              rejections.push(
                new TaskStatistics.Rejection({
                  assignmentId: a.id,
                  taskId: a.taskId,
                  assigneeId: a.assigneeId,
                  reason: Option.getOrElse(a.rejectionReason, () => ""),
                  at: Option.getOrThrow(a.respondedAt)
                })
              )
            } else {
              accepted++
              person(a.assigneeId).accepted++
            }
          }
          rejections.sort(
            (x, y) =>
              DateTime.toEpochMillis(x.at) - DateTime.toEpochMillis(y.at) || codePoints(x.assignmentId, y.assignmentId)
          )
          return new TaskStatistics.TaskStatistics({
            from: range.from,
            to: range.to,
            totals: new TaskStatistics.TaskCounts(totals),
            withoutProject: new TaskStatistics.TaskCounts(withoutProject),
            byProject: [...projects]
              .sort(([a], [b]) => codePoints(a, b))
              .map(
                ([projectId, c]) =>
                  new TaskStatistics.ProjectStatistics({ projectId: projectId as Ids.ProjectId, ...c })
              ),
            byAssignee: [...people]
              .sort(([a], [b]) => codePoints(a, b))
              .map(
                ([assigneeId, c]) =>
                  new TaskStatistics.AssigneeStatistics({ assigneeId: assigneeId as Ids.UserId, ...c })
              ),
            assignments: new TaskStatistics.AssignmentCounts({ offered, accepted, rejected }),
            rejections
          })
        })
    }
  })
)
