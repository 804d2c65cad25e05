import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Instant, RepairStatistics, TaskStatistics } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { exact, strict } from "../Schemas.js"

/** A half-open range `[from, to)`; `to` defaults to now and `from` to 30 days before `to`. */
export const RangeQuery = strict(
  Schema.Struct({
    from: exact(Instant.Instant),
    to: exact(Instant.Instant)
  })
)

/** Reports for managers, supervisors and administrators. */
export class StatisticsApi extends HttpApiGroup.make("statistics")
  .add(
    HttpApiEndpoint.get("repairs", "/statistics/repairs")
      .setUrlParams(RangeQuery)
      .addSuccess(RepairStatistics.RepairStatistics)
  )
  .add(
    HttpApiEndpoint.get("tasks", "/statistics/tasks").setUrlParams(RangeQuery).addSuccess(TaskStatistics.TaskStatistics)
  )
  .middleware(Authentication)
  .prefix("/api") {}
