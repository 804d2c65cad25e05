import { Backup } from "@taskdesk/adapters/backup"
import { Actor, BuiltinJobs, JobHandlers, JobStore, Outbox, Scheduler } from "@taskdesk/core"
import { AuthStore } from "@taskdesk/http/auth/AuthStore.js"
import { Clock, DateTime, Effect, type Layer, Option, Schema } from "effect"
import { backupDirectory, ServerSettings, type Settings } from "../Config.js"

const Count = Schema.Int.pipe(Schema.between(0, 1_000))

/** Overrides of the configured retention (`backup.keep_*`) for one backup job. */
export const BackupParameters = Schema.Struct({
  keepDaily: Schema.optional(Count),
  keepWeekly: Schema.optional(Count),
  keepMonthly: Schema.optional(Count)
})

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`

/**
 * `backup`: the database to a dated file in the backup directory (SQLite's online backup, or a
 * logical export of PostgreSQL), then deletes the copies retention no longer keeps. Days, weeks and
 * months are counted in the job's time zone.
 */
export const backupHandler = Effect.gen(function* () {
  const database = yield* Backup.DatabaseBackup
  const settings = yield* ServerSettings
  return JobHandlers.make({
    name: BuiltinJobs.names.backup,
    description: "Backs up the database: 7 daily, 4 weekly and 12 monthly copies",
    parameters: BackupParameters,
    run: (parameters, context) =>
      Effect.gen(function* () {
        const directory = backupDirectory(settings)
        const file = yield* database.backup(directory, yield* DateTime.now)
        const zone = Option.getOrElse(context.timeZone, () => DateTime.zoneUnsafeMakeNamed(settings.scheduler.timeZone))
        const removed = yield* Backup.prune(
          directory,
          {
            daily: parameters.keepDaily ?? settings.backup.keepDaily,
            weekly: parameters.keepWeekly ?? settings.backup.keepWeekly,
            monthly: parameters.keepMonthly ?? settings.backup.keepMonthly
          },
          zone
        )
        return `${file.name} (${megabytes(file.bytes)}) in ${directory}; ${removed.length} old cop${removed.length === 1 ? "y" : "ies"} deleted`
      })
  })
})

/** Overrides of the configured run history retention (`scheduler.run_history_days`). */
export const CleanupParameters = Schema.Struct({
  runHistoryDays: Schema.optional(Schema.Int.pipe(Schema.between(0, 3_650)))
})

/** `cleanup`: expired sessions, tokens and idempotency records, and finished runs past the history's retention. */
export const cleanupHandler = Effect.gen(function* () {
  const auth = yield* AuthStore
  const jobs = yield* JobStore.JobStore
  const outbox = yield* Outbox.Outbox
  const settings = yield* ServerSettings
  return JobHandlers.make({
    name: BuiltinJobs.names.cleanup,
    description: "Deletes expired sessions, idempotency records, old run history and old delivered notifications",
    parameters: CleanupParameters,
    run: (parameters) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        yield* auth.purgeExpired(now)
        const days = parameters.runHistoryDays ?? settings.scheduler.runHistoryDays
        // The store directly, not `Scheduler.pruneRuns`: a handler of the scheduler cannot need the scheduler.
        const cut = DateTime.subtract(DateTime.unsafeMake(now), { days })
        const pruned = yield* jobs.pruneRuns(cut)
        // Delivered and failed notifications follow the same retention; pending ones wait for delivery.
        const notifications = yield* outbox.prune(cut)
        return `expired sessions, tokens and idempotency records deleted; ${pruned} run${pruned === 1 ? "" : "s"} and ${notifications} notification${notifications === 1 ? "" : "s"} older than ${days} days deleted`
      })
  })
})

/** The handlers the server runs: the core's (deadline reminders, daily report), backup and cleanup. */
export const layerHandlers = JobHandlers.JobHandlers.layer([...BuiltinJobs.handlers, backupHandler, cleanupHandler])

/** The scheduler's settings: the poll interval, and an instance id that names the host and process. */
export const layerConfig = (settings: Settings, instanceId: string): Layer.Layer<never> =>
  Scheduler.SchedulerConfig.layer({
    pollInterval: `${settings.scheduler.pollSeconds} seconds`,
    instanceId: Option.some(instanceId.slice(0, 64))
  })

/** Defines the four built-in jobs that are not defined yet (in the configured zone); leaves existing ones alone. */
export const ensureBuiltins = Effect.gen(function* () {
  const scheduler = yield* Scheduler.Scheduler
  const settings = yield* ServerSettings
  yield* Effect.forEach(BuiltinJobs.definitions(settings.scheduler.timeZone), (job) => scheduler.ensure(job), {
    discard: true
  })
}).pipe(
  Actor.asSystem,
  // The definitions are ours and the zone is validated with the settings: a refusal is a bug.
  Effect.orDie
)
