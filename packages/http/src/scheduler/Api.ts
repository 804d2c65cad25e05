import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Ids, Job, Scheduler } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { InvalidScheduleProblem, JobBusyProblem } from "../Problem.js"
import { BooleanParam, CursorParam, exact, IfMatch, LimitParam, PageOf, strict } from "../Schemas.js"

export const JobPath = Schema.Struct({ id: Ids.JobId })

/**
 * A change to a job, effective at once: `expression` and/or `timeZone` change a cron schedule
 * keeping the other, `schedule` replaces it whole (cron or interval).
 */
export const UpdateJob = strict(Schema.Struct(Job.UpdateJob.fields))

export const RunListParams = strict(Schema.Struct({ limit: exact(LimitParam), cursor: exact(CursorParam) }))

/** `wait=true` answers when the run ended (200), instead of at once with the run in progress (202). */
export const RunNowParams = strict(Schema.Struct({ wait: exact(BooleanParam) }))

export const RunPage = PageOf(Job.JobRun)

/** The scheduler: its state, the jobs, their changes, runs on request, and run history (administrators; supervisors read). */
export class SchedulerApi extends HttpApiGroup.make("scheduler")
  .add(HttpApiEndpoint.get("status", "/scheduler/status").addSuccess(Scheduler.SchedulerStatus))
  .add(HttpApiEndpoint.get("list", "/scheduler/jobs").addSuccess(Schema.Array(Scheduler.JobView)))
  .add(HttpApiEndpoint.get("get", "/scheduler/jobs/:id").setPath(JobPath).addSuccess(Scheduler.JobView))
  .add(
    HttpApiEndpoint.patch("update", "/scheduler/jobs/:id")
      .setPath(JobPath)
      .setHeaders(IfMatch)
      .setPayload(UpdateJob)
      .addSuccess(Scheduler.JobView)
      .addError(InvalidScheduleProblem)
  )
  .add(
    HttpApiEndpoint.post("run", "/scheduler/jobs/:id/run")
      .setPath(JobPath)
      .setUrlParams(RunNowParams)
      .addSuccess(Job.JobRun)
      .addSuccess(Job.JobRun, { status: 202 })
      .addError(JobBusyProblem)
  )
  .add(
    HttpApiEndpoint.get("runs", "/scheduler/jobs/:id/runs")
      .setPath(JobPath)
      .setUrlParams(RunListParams)
      .addSuccess(RunPage)
  )
  .middleware(Authentication)
  .prefix("/api") {}
