import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Analyses } from "@taskdesk/core"
import { Authentication } from "../Authentication.js"
import { RepairPath } from "../repairs/Api.js"
import { TaskPath } from "../tasks/Api.js"
import {
  AnalysisMalformedProblem,
  AnalysisNotConfiguredProblem,
  AnalysisProviderFailedProblem,
  AnalysisQuotaExceededProblem,
  AnalysisTimedOutProblem
} from "./Problems.js"

/** Language-model analyses of tasks (seed 000) and repair requests. */
export class AnalysisApi extends HttpApiGroup.make("analysis")
  .add(
    HttpApiEndpoint.post("analyseTask", "/tasks/:id/analysis")
      .setPath(TaskPath)
      .addSuccess(Analyses.TaskAnalysisReport)
      .addError(AnalysisQuotaExceededProblem)
      .addError(AnalysisProviderFailedProblem)
      .addError(AnalysisMalformedProblem)
      .addError(AnalysisTimedOutProblem)
      .addError(AnalysisNotConfiguredProblem)
  )
  .add(
    HttpApiEndpoint.post("analyseRepair", "/repair-requests/:id/analysis")
      .setPath(RepairPath)
      .addSuccess(Analyses.RepairAnalysisReport)
      .addError(AnalysisQuotaExceededProblem)
      .addError(AnalysisProviderFailedProblem)
      .addError(AnalysisMalformedProblem)
      .addError(AnalysisTimedOutProblem)
      .addError(AnalysisNotConfiguredProblem)
  )
  .middleware(Authentication)
  .prefix("/api") {}
