import { Statistics, StatisticsRepo } from "@taskdesk/core"
import { DateTime, Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** Reports. */
export const StatisticsLive = Dispatcher.group(TaskdeskApi, "statistics", (handlers) =>
  Effect.gen(function* () {
    const statistics = yield* Statistics.Statistics
    const range = (query: { readonly from?: DateTime.Utc; readonly to?: DateTime.Utc }) =>
      Effect.map(DateTime.now, (now) => {
        const to = query.to ?? now
        return new StatisticsRepo.StatisticsRange({ from: query.from ?? DateTime.subtract(to, { days: 30 }), to })
      })
    return handlers
      .handle("repairs", ({ urlParams }) => Effect.flatMap(range(urlParams), statistics.repairs))
      .handle("tasks", ({ urlParams }) => Effect.flatMap(range(urlParams), statistics.tasks))
  })
)
