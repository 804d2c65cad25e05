import { DateTime, Effect, Option, Schema } from "effect"
import * as JobHandlers from "./JobHandlers.js"
import { localDate, localDay } from "./LocalTime.js"
import { NotificationDraft } from "./Notification.js"
import { Notifications } from "./Notifications.js"
import { render } from "./NotificationTemplates.js"
import { Role } from "./Role.js"
import { StatisticsRange, StatisticsRepo } from "./StatisticsRepo.js"
import type { Task } from "./Task.js"
import { sortKey, TaskFilter, type TaskSort } from "./TaskQuery.js"
import { TaskRepo } from "./TaskRepo.js"
import { Transaction } from "./Transaction.js"
import { UserRepo } from "./UserRepo.js"

/** The handler name of the daily report job. */
export const name = "daily-report"

/** Who receives the report: active users with these roles (managers by default). */
export class Parameters extends Schema.Class<Parameters>("DailyReportParameters")({
  roles: Schema.optionalWith(Schema.Array(Role).pipe(Schema.minItems(1)), { default: () => ["manager"] as const })
}) {}

const page = 200
/**
 * The `daily-report` handler: for each recipient (managers by default), what was created, completed
 * and became overdue during the local day of the run (in the job's time zone), the day's repair
 * statistics, and the assignments rejected that day with their reasons.
 */
export const handler = Effect.gen(function* () {
  const tasks = yield* TaskRepo
  const statistics = yield* StatisticsRepo
  const users = yield* UserRepo
  const notifications = yield* Notifications
  const tx = yield* Transaction

  /** Tasks newest first by `sort` while `keep` holds for the sorted time. */
  const newestWhile = (sort: TaskSort, time: (t: Task) => DateTime.Utc, since: DateTime.Utc, now: DateTime.Utc) =>
    Effect.gen(function* () {
      const out: Array<Task> = []
      let after = Option.none<ReadonlyArray<string | number>>()
      for (;;) {
        const rows = yield* tasks.list({
          filter: new TaskFilter({}),
          visibility: { _tag: "All" },
          sort,
          order: "desc",
          after,
          limit: page,
          now
        })
        for (const task of rows) {
          if (DateTime.lessThan(time(task), since)) return out
          out.push(task)
        }
        if (rows.length < page) return out
        after = Option.some(sortKey(rows[rows.length - 1]!, sort))
      }
    })

  return JobHandlers.make({
    name,
    description: "Sends managers the day's created, completed and overdue tasks, repair statistics and rejections",
    parameters: Parameters,
    run: (parameters, context) =>
      Effect.gen(function* () {
        const now = yield* DateTime.now
        const day = localDay(context.scheduledAt, context.timeZone)
        const date = localDate(context.scheduledAt, context.timeZone)
        const inDay = (at: DateTime.Utc) => !DateTime.lessThan(at, day.from) && DateTime.lessThan(at, day.to)

        const created = (yield* newestWhile("created", (t) => t.createdAt, day.from, now)).filter((t) =>
          inDay(t.createdAt)
        )
        // Completing a task updates it, so the day's completions are among the day's updates.
        const completed = (yield* newestWhile("updated", (t) => t.updatedAt, day.from, now)).filter(
          (t) => t.status === "done" && Option.exists(t.completedAt, inDay)
        )
        const overdue: Array<Task> = []
        let after = Option.none<ReadonlyArray<string | number>>()
        for (;;) {
          const rows = yield* tasks.list({
            filter: new TaskFilter({ status: ["todo", "in_progress"], dueFrom: day.from, dueTo: now }),
            visibility: { _tag: "All" },
            sort: "due",
            order: "asc",
            after,
            limit: page,
            now
          })
          overdue.push(...rows.filter((t) => Option.exists(t.dueAt, (due) => DateTime.lessThan(due, now))))
          if (rows.length < page) break
          after = Option.some(sortKey(rows[rows.length - 1]!, "due"))
        }
        const repairs = yield* statistics.repairs(new StatisticsRange(day), now)
        // Answers of the day come from the aggregate port, not from reading every assignment.
        const rejected = (yield* statistics.tasks(new StatisticsRange(day), now)).rejections
        const rejectedTasks = new Map(
          (yield* tasks.findByIds([...new Set(rejected.map((a) => a.taskId))])).map((t) => [t.id, t.title])
        )

        const recipients = (yield* Effect.forEach(parameters.roles, (role) =>
          users.list({ role, active: true })
        )).flat()
        const message = {
          _tag: "daily_report",
          date,
          created: created.map((t) => t.title),
          completed: completed.map((t) => t.title),
          overdue: overdue.map((t) => t.title),
          repairs: {
            total: repairs.total,
            completed: repairs.byStatus.completed,
            overdue: repairs.overdue,
            averageRating: repairs.averageRating
          },
          rejected: rejected.map((r) => `${rejectedTasks.get(r.taskId) ?? r.taskId} (${r.assigneeId}): ${r.reason}`)
        } as const
        const data = {
          jobRunId: context.runId,
          date,
          from: DateTime.formatIso(day.from),
          to: DateTime.formatIso(day.to),
          created: created.map((t) => t.id),
          completed: completed.map((t) => t.id),
          overdue: overdue.map((t) => t.id),
          repairs: { total: repairs.total, byStatus: { ...repairs.byStatus }, overdue: repairs.overdue },
          rejected: rejected.map((r) => ({
            assignmentId: r.assignmentId,
            taskId: r.taskId,
            assigneeId: r.assigneeId,
            reason: r.reason
          }))
        }
        yield* tx.run(
          notifications.enqueue(
            recipients.map((user) => {
              // Each manager reads the report in their own language.
              const text = render(message, user.language)
              return new NotificationDraft({
                recipientId: user.id,
                kind: "daily_report",
                subject: text.subject,
                body: text.body,
                data
              })
            })
          )
        )
        return `report for ${date} to ${recipients.length} recipient${recipients.length === 1 ? "" : "s"}: ${created.length} created, ${completed.length} completed, ${overdue.length} overdue, ${rejected.length} rejected`
      })
  })
})
