import { Analyses } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Problem from "../Problem.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** Analyses: the core's `Analyses`, with `Retry-After` on a spent daily allowance. */
export const AnalysisLive = Dispatcher.group(TaskdeskApi, "analysis", (handlers) =>
  Effect.gen(function* () {
    const analyses = yield* Analyses.Analyses
    return handlers.handle("analyseTask", ({ path }) =>
      analyses.analyseTask(path.id).pipe(
        Effect.catchTag("AnalysisQuotaExceeded", (error) =>
          Effect.succeed(
            Problem.toResponse(error as unknown as Problem.ApiError, {
              "retry-after": String(error.retryAfterSeconds)
            })
          )
        )
      )
    )
  })
)
