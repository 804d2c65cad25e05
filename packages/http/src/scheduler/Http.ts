import { HttpServerResponse } from "@effect/platform"
import { Job, Scheduler } from "@taskdesk/core"
import { Effect, Schema } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Etag from "../Etag.js"
import * as Dispatcher from "../serve/Dispatcher.js"

const encodeRun = Schema.encodeSync(Job.JobRun)

/** Answers with a job and its `ETag` (the job's version). */
const taggedView = <E, R>(effect: Effect.Effect<Scheduler.JobView, E, R>) =>
  Effect.tap(effect, (view) => Etag.set(Etag.of(view.job)))

/** The scheduler's jobs and runs: each handler hands over to the core's `Scheduler`. */
export const SchedulerLive = Dispatcher.group(TaskdeskApi, "scheduler", (handlers) =>
  Effect.gen(function* () {
    const scheduler = yield* Scheduler.Scheduler
    return handlers
      .handle("status", () => scheduler.status())
      .handle("list", () => scheduler.list())
      .handle("get", ({ path }) => taggedView(scheduler.get(path.id)))
      .handle("update", ({ path, headers, payload }) =>
        Effect.flatMap(Etag.expectedVersion(headers["if-match"], { entity: "Job", id: path.id }), (expected) =>
          scheduler
            .update(path.id, payload, expected)
            .pipe(Effect.zipRight(scheduler.get(path.id)), Etag.conflictFails(headers["if-match"]), taggedView)
        )
      )
      .handle("run", ({ path, urlParams }) =>
        scheduler.runNow(path.id, { wait: urlParams.wait === true }).pipe(
          // Three clashing claims in a row within a millisecond each: not a state a caller can act on.
          Effect.catchTag("OccurrenceClaimed", Effect.die),
          Effect.map((run) => HttpServerResponse.unsafeJson(encodeRun(run), { status: urlParams.wait ? 200 : 202 }))
        )
      )
      .handle("runs", ({ path, urlParams }) => scheduler.runs(path.id, urlParams))
  })
)
