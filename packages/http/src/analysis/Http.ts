import { Analyses } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Problem from "../Problem.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** A spent daily allowance answers its problem with `Retry-After` (the seconds to UTC midnight). */
const withRetryAfter = <A, E, R>(effect: Effect.Effect<A, E | Analyses.AnalysisQuotaExceeded, R>) =>
  Effect.catchIf(
    effect,
    (error): error is Analyses.AnalysisQuotaExceeded => error instanceof Analyses.AnalysisQuotaExceeded,
    (error) =>
      Effect.succeed(
        Problem.toResponse(error as unknown as Problem.ApiError, { "retry-after": String(error.retryAfterSeconds) })
      )
  )

/** Analyses of tasks and repair requests: the core's `Analyses`. */
export const AnalysisLive = Dispatcher.group(TaskdeskApi, "analysis", (handlers) =>
  Effect.gen(function* () {
    const analyses = yield* Analyses.Analyses
    return handlers
      .handle("analyseTask", ({ path }) => withRetryAfter(analyses.analyseTask(path.id)))
      .handle("analyseRepair", ({ path }) => withRetryAfter(analyses.analyseRepair(path.id)))
  })
)
