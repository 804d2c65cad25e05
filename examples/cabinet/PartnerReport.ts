import {
  JobHandlers,
  LocalTime,
  Notification,
  Notifications,
  Projects,
  Statistics,
  StatisticsRepo,
  Users
} from "@taskdesk/core"
import { DateTime, Effect, Schema } from "effect"

/** What an administrator may set on a report job at run time: the greeting, and how many days it covers. */
export const Parameters = Schema.Struct({
  greeting: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(100)), { default: () => "Добрый вечер" }),
  days: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 31)), { default: () => 1 })
})

/**
 * The cabinet's `calculate_metrics_and_send`: each partner gets one Telegram message with the figures of
 * the projects they own over the last days (tasks created, completed, overdue), sent before the run ends.
 */
export const handler = Effect.gen(function* () {
  const users = yield* Users.Users
  const projects = yield* Projects.Projects
  const statistics = yield* Statistics.Statistics
  const notifications = yield* Notifications.Notifications

  return JobHandlers.make({
    name: "partner-report",
    description: "Each partner's figures per project, to their Telegram",
    parameters: Parameters,
    run: (parameters, context) =>
      Effect.gen(function* () {
        const to = context.scheduledAt
        const range = new StatisticsRepo.StatisticsRange({ from: DateTime.subtract(to, { days: parameters.days }), to })
        const figures = yield* statistics.tasks(range)
        const byProject = new Map(figures.byProject.map((p) => [p.projectId, p]))
        const all = yield* projects.list({ archived: false })
        const drafts = (yield* users.list({ role: "partner", active: true })).flatMap((partner) => {
          const own = all.filter((p) => p.ownerId === partner.id)
          if (own.length === 0) return []
          const lines = own.map((p) => {
            const f = byProject.get(p.id)
            return `• ${p.name}: создано ${f?.created ?? 0}, выполнено ${f?.completed ?? 0}, просрочено ${f?.overdue ?? 0}`
          })
          return [
            new Notification.NotificationDraft({
              recipientId: partner.id,
              kind: "cabinet.partner-report",
              subject: `Отчёт на ${LocalTime.formatLocal(to, context.timeZone)}`,
              body: `${parameters.greeting}, ${partner.name}!\n${lines.join("\n")}`
            })
          ]
        })
        yield* notifications.enqueue(drafts)
        const delivered = yield* notifications.deliverPending()
        return `${drafts.length} reports, ${delivered.sent} sent, ${delivered.retrying} to retry, ${delivered.failed} failed`
      })
  })
})
