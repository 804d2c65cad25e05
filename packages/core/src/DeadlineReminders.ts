import { DateTime, Effect, Option, Schema } from "effect"
import { AssignmentRepo } from "./AssignmentRepo.js"
import type { UserId } from "./Ids.js"
import * as JobHandlers from "./JobHandlers.js"
import { formatLocal } from "./LocalTime.js"
import { NotificationDraft } from "./Notification.js"
import { Notifications } from "./Notifications.js"
import { render } from "./NotificationTemplates.js"
import { RepairFilter, sortKey as repairSortKey } from "./RepairQuery.js"
import { RepairRequestRepo } from "./RepairRequestRepo.js"
import { TaskFilter, sortKey as taskSortKey } from "./TaskQuery.js"
import { TaskRepo } from "./TaskRepo.js"
import { Transaction } from "./Transaction.js"
import { UserRepo } from "./UserRepo.js"

/** The handler name of the deadline reminders job. */
export const name = "deadline-reminders"

/** How far ahead "due soon" looks. */
export class Parameters extends Schema.Class<Parameters>("DeadlineRemindersParameters")({
  horizonHours: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 24 * 14)), { default: () => 24 })
}) {}

/** One thing a person is reminded of. */
export interface Item {
  readonly kind: "task" | "assignment" | "repair"
  readonly id: string
  readonly title: string
  readonly dueAt: DateTime.Utc
  readonly overdue: boolean
}

const page = 200

/**
 * The `deadline-reminders` handler: tasks, assignments and repair requests due within the horizon
 * (24 hours by default) or overdue give one reminder per person listing their items, all written
 * to the outbox in one transaction. A person's accepted assignment and the task it joined them to
 * are one item.
 */
export const handler = Effect.gen(function* () {
  const tasks = yield* TaskRepo
  const assignments = yield* AssignmentRepo
  const repairs = yield* RepairRequestRepo
  const users = yield* UserRepo
  const notifications = yield* Notifications
  const tx = yield* Transaction

  return JobHandlers.make({
    name,
    description: "Reminds people of tasks, assignments and repair requests due within 24 hours or overdue",
    parameters: Parameters,
    run: (parameters, context) =>
      Effect.gen(function* () {
        const now = yield* DateTime.now
        const horizon = DateTime.add(now, { hours: parameters.horizonHours })
        // person → (task id or repair id → item): an assignment replaces its task's entry.
        const byPerson = new Map<UserId, Map<string, Item>>()
        const add = (person: UserId, key: string, item: Item) => {
          const items = byPerson.get(person) ?? new Map<string, Item>()
          byPerson.set(person, items)
          if (item.kind === "assignment" || !items.has(key)) items.set(key, item)
        }

        let after = Option.none<ReadonlyArray<string | number>>()
        for (;;) {
          const rows = yield* tasks.list({
            filter: new TaskFilter({ status: ["todo", "in_progress"], dueTo: horizon }),
            visibility: { _tag: "All" },
            sort: "due",
            order: "asc",
            after,
            limit: page,
            now
          })
          for (const task of rows) {
            if (Option.isNone(task.dueAt)) continue
            const item: Item = {
              kind: "task",
              id: task.id,
              title: task.title,
              dueAt: task.dueAt.value,
              overdue: DateTime.lessThan(task.dueAt.value, now)
            }
            const people = task.assigneeIds.length > 0 ? task.assigneeIds : [task.createdBy]
            for (const person of people) add(person, `task:${task.id}`, item)
          }
          if (rows.length < page) break
          after = Option.some(taskSortKey(rows[rows.length - 1]!, "due"))
        }

        const open = (yield* assignments.list({ status: ["pending", "accepted"] })).filter((a) =>
          Option.exists(a.dueAt, (due) => DateTime.lessThanOrEqualTo(due, horizon))
        )
        const titles = new Map((yield* tasks.findByIds([...new Set(open.map((a) => a.taskId))])).map((t) => [t.id, t]))
        for (const a of open) {
          const due = Option.getOrThrow(a.dueAt)
          add(a.assigneeId, `task:${a.taskId}`, {
            kind: "assignment",
            id: a.id,
            title: titles.get(a.taskId)?.title ?? a.taskId,
            dueAt: due,
            overdue: DateTime.lessThan(due, now)
          })
        }

        let afterRepair = Option.none<ReadonlyArray<string | number>>()
        repairsLoop: for (;;) {
          const rows = yield* repairs.list({
            filter: new RepairFilter({ status: ["new", "in_progress", "on_hold"], assigned: true }),
            visibility: { _tag: "All" },
            sort: "deadline",
            order: "asc",
            after: afterRepair,
            limit: page,
            now
          })
          for (const request of rows) {
            // Sorted by deadline, those without one last: past the horizon, nothing more is due.
            if (Option.isNone(request.deadline) || DateTime.greaterThan(request.deadline.value, horizon))
              break repairsLoop
            if (Option.isNone(request.technicianId)) continue
            add(request.technicianId.value, `repair:${request.id}`, {
              kind: "repair",
              id: request.id,
              title: `${request.reference} ${request.deviceType} ${request.deviceModel}`,
              dueAt: request.deadline.value,
              overdue: DateTime.lessThan(request.deadline.value, now)
            })
          }
          if (rows.length < page) break
          afterRepair = Option.some(repairSortKey(rows[rows.length - 1]!, "deadline"))
        }

        const languages = new Map(
          (yield* users.findByIds([...byPerson.keys()])).filter((u) => u.active).map((u) => [u.id, u.language])
        )
        const drafts: Array<NotificationDraft> = []
        let total = 0
        for (const [person, entries] of byPerson) {
          const language = languages.get(person)
          if (language === undefined) continue
          const items = [...entries.values()].sort(
            (a, b) => DateTime.toEpochMillis(a.dueAt) - DateTime.toEpochMillis(b.dueAt)
          )
          total += items.length
          const text = render(
            {
              _tag: "deadline_reminder",
              items: items.map((i) => ({ ...i, due: formatLocal(i.dueAt, context.timeZone) }))
            },
            language
          )
          drafts.push(
            new NotificationDraft({
              recipientId: person,
              kind: "deadline_reminder",
              subject: text.subject,
              body: text.body,
              data: {
                jobRunId: context.runId,
                items: items.map((i) => ({ ...i, dueAt: DateTime.formatIso(i.dueAt) }))
              }
            })
          )
        }
        yield* tx.run(notifications.enqueue(drafts))
        return `${drafts.length} reminder${drafts.length === 1 ? "" : "s"} for ${total} item${total === 1 ? "" : "s"}`
      })
  })
})
