import { HttpApi, OpenApi } from "@effect/platform"
import { AnalysisApi } from "./analysis/Api.js"
import { AssignmentsApi } from "./assignments/Api.js"
import { AccountApi, AuthApi, TokensApi } from "./auth/Api.js"
import { CsvApi } from "./csv/Api.js"
import { EventsApi } from "./events/Api.js"
import { HealthApi, StorageApi } from "./health/Api.js"
import { LiveApi } from "./live/Api.js"
import { NotificationsApi } from "./notifications/Api.js"
import { withoutRepeatedIds } from "./OpenApiIds.js"
import * as Problem from "./Problem.js"
import { ProjectsApi } from "./projects/Api.js"
import { RepairsApi } from "./repairs/Api.js"
import { SchedulerApi } from "./scheduler/Api.js"
import { StatisticsApi } from "./statistics/Api.js"
import { TasksApi } from "./tasks/Api.js"
import { TelegramApi } from "./telegram/Api.js"
import { TemplatesApi } from "./templates/Api.js"
import { UsersApi } from "./users/Api.js"

/** The version reported by `/api/health` and the OpenAPI document. */
export const version = "0.1.0"

const description = `taskdesk's reference HTTP API. JSON in camelCase under /api.

Errors are RFC 9457 problem documents (application/problem+json) whose \`type\` (urn:taskdesk:problem:…) is stable.
Single-resource GETs return an ETag; PATCH and DELETE honour If-Match (412 on mismatch).
Every POST that creates or changes something honours an Idempotency-Key header: a retry with the same key and body
gets the first response again; the same key with another body answers 422.
Every response carries X-Request-Id.`

/**
 * The whole API as a value: the server implements it, `HttpApiClient.make(TaskdeskApi)` calls it
 * with types, and `/openapi.json` and `/docs` are generated from it.
 */
export class TaskdeskApi extends HttpApi.make("taskdesk")
  .add(HealthApi)
  .add(StorageApi)
  .add(AuthApi)
  .add(AccountApi)
  .add(TokensApi)
  .add(UsersApi)
  .add(TasksApi)
  .add(AnalysisApi)
  .add(TemplatesApi)
  .add(AssignmentsApi)
  .add(ProjectsApi)
  .add(RepairsApi)
  .add(StatisticsApi)
  .add(EventsApi)
  .add(LiveApi)
  .add(SchedulerApi)
  .add(NotificationsApi)
  .add(TelegramApi)
  .add(CsvApi)
  .addError(Problem.InvalidInputProblem)
  .addError(Problem.MalformedRequestProblem)
  .addError(Problem.UnauthorizedProblem)
  .addError(Problem.ForbiddenProblem)
  .addError(Problem.NotFoundProblem)
  .addError(Problem.VersionConflictProblem)
  .addError(Problem.DuplicateKeyProblem)
  .addError(Problem.IllegalTransitionProblem)
  .addError(Problem.IdempotencyInProgressProblem)
  .addError(Problem.PreconditionFailedProblem)
  .addError(Problem.LengthRequiredProblem)
  .addError(Problem.PayloadTooLargeProblem)
  .addError(Problem.UnsupportedMediaTypeProblem)
  .addError(Problem.RuleViolationProblem)
  .addError(Problem.BatchRejectedProblem)
  .addError(Problem.ImportRejectedProblem)
  .addError(Problem.TooManyRowsProblem)
  .addError(Problem.IdempotencyKeyReusedProblem)
  .addError(Problem.SecretNotReplayedProblem)
  .addError(Problem.TooManyRequestsProblem)
  .addError(Problem.InternalErrorProblem)
  .addError(Problem.TimeoutProblem)
  .addError(Problem.UnavailableProblem)
  .annotateContext(
    OpenApi.annotations({
      title: "taskdesk",
      version,
      description,
      license: { name: "MIT", url: "https://spdx.org/licenses/MIT.html" },
      transform: withoutRepeatedIds
    })
  ) {}
