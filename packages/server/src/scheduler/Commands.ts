import { Args, Command, Options } from "@effect/cli"
import { Actor, type Errors, Ids, Job, JobSchedule, Scheduler } from "@taskdesk/core"
import { Console, DateTime, Effect, Option, Schema } from "effect"
import { failWith, settingsOr } from "../CliSettings.js"
import * as Server from "../Server.js"
import * as Jobs from "./Jobs.js"

/**
 * `taskdesk jobs list|show|set|run`: the scheduler's jobs, changed and run straight on the
 * database, as the administrator. A running server reads a change at its next poll
 * (`scheduler.poll_seconds`); the HTTP API's changes take effect at once.
 */

const when = (at: Option.Option<DateTime.Utc>) => Option.match(at, { onNone: () => "-", onSome: DateTime.formatIso })

const lastOf = (view: Scheduler.JobView) =>
  Option.match(view.running, {
    onSome: () => "running",
    onNone: () =>
      Option.match(view.lastRun, {
        onNone: () => "never run",
        onSome: (run) => `${run.status} at ${when(run.finishedAt)}`
      })
  })

const table = (rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

const describeRun = (run: Job.JobRun) =>
  [
    DateTime.formatIso(run.scheduledAt),
    run.trigger,
    run.status,
    Option.getOrElse(run.summary, () => Option.getOrElse(run.error, () => ""))
  ].join("  ")

/** Core refusals as one line each; anything else is a bug and stays a defect. */
const explained = <A, R>(
  effect: Effect.Effect<
    A,
    | Errors.NotFound
    | Errors.Forbidden
    | Errors.InvalidInput
    | Errors.VersionConflict
    | JobSchedule.InvalidSchedule
    | { readonly _tag: "JobBusy" }
    | { readonly _tag: "OccurrenceClaimed" },
    R
  >
) =>
  effect.pipe(
    Effect.catchAll((error) => {
      switch (error._tag) {
        case "NotFound":
          return failWith(`no job ${error.id}`)
        case "InvalidSchedule":
          return failWith(`invalid schedule "${error.expression}": ${error.message}`)
        case "InvalidInput":
          return failWith(
            `invalid: ${error.issues.map((i) => `${i.path.join(".") || "(input)"}: ${i.message}`).join("; ") || error.message}`
          )
        case "JobBusy":
        case "OccurrenceClaimed":
          return failWith("the job is running now; try again when it ends")
        default:
          return failWith(`refused: ${error._tag}`)
      }
    })
  )

/** Runs `body` with the server's services (no HTTP), the built-in jobs defined, as the system actor. */
const withScheduler = <A, E>(body: (scheduler: Scheduler.Scheduler) => Effect.Effect<A, E, Actor.CurrentActor>) =>
  Effect.gen(function* () {
    const settings = yield* settingsOr()
    return yield* Effect.gen(function* () {
      yield* Jobs.ensureBuiltins
      return yield* body(yield* Scheduler.Scheduler).pipe(Actor.asSystem)
    }).pipe(Effect.provide(Server.layerServices(settings)))
  })

const json = Options.boolean("json").pipe(Options.withDescription("print JSON instead of text"))
const jobId = Args.text({ name: "job" }).pipe(Args.withDescription("the job's id, e.g. daily-report"))

const list = Command.make("list", { json }, (options) =>
  withScheduler((scheduler) =>
    Effect.gen(function* () {
      const views = yield* scheduler.list()
      if (options.json)
        return yield* Console.log(JSON.stringify(Schema.encodeSync(Schema.Array(Scheduler.JobView))(views), null, 2))
      yield* Console.log(
        table([
          ["JOB", "SCHEDULE", "ENABLED", "NEXT RUN", "LAST RUN"],
          ...views.map((v) => [
            v.job.id,
            JobSchedule.describe(v.job.schedule),
            v.job.enabled ? "yes" : "no",
            when(v.job.nextRunAt),
            lastOf(v)
          ])
        ])
      )
    })
  )
).pipe(Command.withDescription("List the scheduled jobs with their next and last runs"))

const show = Command.make("show", { job: jobId, json }, (options) =>
  withScheduler((scheduler) =>
    explained(
      Effect.gen(function* () {
        const id = Ids.JobId.make(options.job)
        const view = yield* scheduler.get(id)
        const runs = yield* scheduler.runs(id, { limit: 10 })
        if (options.json) {
          return yield* Console.log(
            JSON.stringify(
              {
                ...Schema.encodeSync(Scheduler.JobView)(view),
                runs: runs.items.map((r) => Schema.encodeSync(Job.JobRun)(r))
              },
              null,
              2
            )
          )
        }
        const job = view.job
        yield* Console.log(
          [
            `${job.id}: ${job.description}`,
            `handler      ${job.handler}`,
            `schedule     ${JobSchedule.describe(job.schedule)}`,
            `enabled      ${job.enabled ? "yes" : "no"}`,
            `parameters   ${JSON.stringify(job.parameters)}`,
            `grace        ${job.misfireGraceSeconds} s, coalesce ${job.coalesce ? "on" : "off"}, timeout ${job.timeoutSeconds} s`,
            `next run     ${when(job.nextRunAt)}`,
            `last run     ${lastOf(view)}`,
            "",
            runs.items.length === 0
              ? "no runs yet"
              : `latest runs:\n${runs.items.map((r) => `  ${describeRun(r)}`).join("\n")}`
          ].join("\n")
        )
      })
    )
  )
).pipe(Command.withDescription("Show a job, its settings and its latest runs"))

const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)
const optionalInteger = (name: string, description: string) =>
  Options.integer(name).pipe(Options.withDescription(description), Options.optional)
const optionalFlag = (name: string, description: string) =>
  Options.choice(name, ["true", "false"]).pipe(
    Options.withDescription(description),
    Options.map((v) => v === "true"),
    Options.optional
  )

const set = Command.make(
  "set",
  {
    job: jobId,
    cron: optionalText("cron", 'a cron expression, 5 fields or 6 with seconds, e.g. "0 18 * * 1-5"'),
    timeZone: optionalText("time-zone", "the IANA zone the cron expression is read in, e.g. Europe/Moscow"),
    every: optionalInteger("every", "run every this many seconds instead of on a cron expression"),
    enabled: optionalFlag("enabled", "true or false"),
    parameters: optionalText("parameters", "the handler's parameters as a JSON object"),
    grace: optionalInteger("grace", "seconds a late run may still start (misfire grace time)"),
    coalesce: optionalFlag("coalesce", "true: several missed runs run once; false: once each"),
    timeout: optionalInteger("timeout", "seconds a run may take before it is interrupted")
  },
  (options) =>
    withScheduler((scheduler) =>
      explained(
        Effect.gen(function* () {
          let parameters: Option.Option<unknown> = Option.none()
          if (Option.isSome(options.parameters)) {
            try {
              parameters = Option.some(JSON.parse(options.parameters.value))
            } catch {
              return yield* failWith("--parameters: not JSON")
            }
          }
          const some = <A, K extends string>(key: K, value: Option.Option<A>) =>
            Option.match(value, { onNone: () => ({}), onSome: (v) => ({ [key]: v }) as Record<K, A> })
          const patch = {
            ...some("expression", options.cron),
            ...some("timeZone", options.timeZone),
            ...some(
              "schedule",
              Option.map(options.every, (s) => JobSchedule.every(s))
            ),
            ...some("enabled", options.enabled),
            ...some("parameters", parameters),
            ...some("misfireGraceSeconds", options.grace),
            ...some("coalesce", options.coalesce),
            ...some("timeoutSeconds", options.timeout)
          }
          if (Object.keys(patch).length === 0) return yield* failWith("nothing to change: give at least one option")
          const job = yield* scheduler.update(Ids.JobId.make(options.job), patch as Job.UpdateJob)
          yield* Console.log(
            `${job.id}: ${JobSchedule.describe(job.schedule)}, ${job.enabled ? "enabled" : "disabled"}, next run ${when(job.nextRunAt)}`
          )
        })
      )
    )
).pipe(Command.withDescription("Change a job's schedule, zone, parameters or rules"))

const run = Command.make("run", { job: jobId }, (options) =>
  withScheduler((scheduler) =>
    explained(
      Effect.gen(function* () {
        const finished = yield* scheduler.runNow(Ids.JobId.make(options.job))
        yield* Console.log(describeRun(finished))
        if (finished.status !== "succeeded") return yield* failWith(`the run ${finished.status}`)
      })
    )
  )
).pipe(Command.withDescription("Run a job now, here, and wait for it to end"))

/** `taskdesk jobs`. */
export const jobs = Command.make("jobs").pipe(
  Command.withDescription("The scheduled jobs: list, show, change, run"),
  Command.withSubcommands([list, show, set, run])
)
