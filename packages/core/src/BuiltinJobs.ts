import * as DailyReport from "./DailyReport.js"
import * as DeadlineReminders from "./DeadlineReminders.js"
import { JobId } from "./Ids.js"
import { DefineJob } from "./Job.js"
import { JobHandlers } from "./JobHandlers.js"
import { cron } from "./JobSchedule.js"

/** The seeds' scheduler zone. */
export const defaultTimeZone = "Europe/Moscow"

/** Handler names of the built-in jobs; a built-in job's id is its handler's name. */
export const names = {
  deadlineReminders: DeadlineReminders.name,
  dailyReport: DailyReport.name,
  /** Its handler belongs to the server (SQLite online backup, PostgreSQL export). */
  backup: "backup",
  /** Its handler belongs to the server (sessions, idempotency records, run history). */
  cleanup: "cleanup"
} as const

const job = (name: string, expression: string, timeZone: string, description: string) =>
  new DefineJob({ id: JobId.make(name), handler: name, description, schedule: cron(expression, timeZone) })

/** The four built-in jobs with the seeds' schedules, in `timeZone` (Europe/Moscow by default). */
export const definitions = (timeZone: string = defaultTimeZone): ReadonlyArray<DefineJob> => [
  job(
    names.deadlineReminders,
    "0 9 * * *",
    timeZone,
    "Reminds people of tasks, assignments and repair requests due within 24 hours or overdue"
  ),
  job(
    names.dailyReport,
    "0 18 * * 1-5",
    timeZone,
    "Sends managers the day's created, completed and overdue tasks, repair statistics and rejections"
  ),
  job(names.backup, "0 2 * * *", timeZone, "Backs up the database: 7 daily, 4 weekly and 12 monthly copies"),
  job(names.cleanup, "0 * * * *", timeZone, "Deletes expired sessions, idempotency records and old run history")
]

/** The built-in handlers the core implements: deadline reminders and the daily report. */
export const handlers = [DeadlineReminders.handler, DailyReport.handler] as const

/** A `JobHandlers` registry of the core's built-in handlers, for hosts that add none of their own. */
export const layerHandlers = JobHandlers.layer(handlers)
