import { Context, Effect, Layer, Schema } from "effect"
import type { Analysis, RepairAnalysis, RepairBrief, TaskBrief } from "./Analysis.js"

/** No provider is configured (no API key): nothing was sent. `hint` says how to turn it on. */
export class AnalysisNotConfigured extends Schema.TaggedError<AnalysisNotConfigured>()("AnalysisNotConfigured", {
  hint: Schema.String
}) {}

/**
 * The provider failed: refused the call, answered an error (after the retries a rate limit or a
 * server error gets), or could not be reached. `providerStatus` is its HTTP status when it answered.
 */
export class AnalysisProviderFailed extends Schema.TaggedError<AnalysisProviderFailed>()("AnalysisProviderFailed", {
  providerStatus: Schema.optional(Schema.Int),
  attempts: Schema.Int,
  message: Schema.String
}) {}

/** The provider did not answer within the configured time. */
export class AnalysisTimedOut extends Schema.TaggedError<AnalysisTimedOut>()("AnalysisTimedOut", {
  seconds: Schema.Number
}) {}

/** The model answered, but not with an analysis of the requested shape; nothing of it is kept. */
export class AnalysisMalformed extends Schema.TaggedError<AnalysisMalformed>()("AnalysisMalformed", {
  reason: Schema.String
}) {}

/** Every way asking the provider can fail. */
export type AnalysisError = AnalysisNotConfigured | AnalysisProviderFailed | AnalysisTimedOut | AnalysisMalformed

/**
 * A language model that reads a task: port. The implementation owns the transport, the timeout and
 * the retries; it sends the brief and nothing else, and answers only an analysis that decoded.
 */
export class TaskAnalysis extends Context.Tag("@taskdesk/core/TaskAnalysis")<
  TaskAnalysis,
  {
    /** Which model answers (recorded with each analysis, and part of the cache key). */
    readonly model: string
    /** False when no provider is configured: every call fails with `AnalysisNotConfigured`. */
    readonly configured: boolean
    readonly analyseTask: (brief: TaskBrief) => Effect.Effect<Analysis, AnalysisError>
    readonly analyseRepair: (brief: RepairBrief) => Effect.Effect<RepairAnalysis, AnalysisError>
  }
>() {
  /** No provider: the endpoint answers how to enable one, and everything else works as before. */
  static readonly layerUnconfigured = (hint: string): Layer.Layer<TaskAnalysis> =>
    Layer.succeed(TaskAnalysis, {
      model: "none",
      configured: false,
      analyseTask: () => Effect.fail(new AnalysisNotConfigured({ hint })),
      analyseRepair: () => Effect.fail(new AnalysisNotConfigured({ hint }))
    })

  /** A provider answering with functions of the brief: for tests of what is built on the port. */
  static readonly layerTest = (
    answer: (brief: TaskBrief) => Effect.Effect<Analysis, AnalysisError>,
    options: {
      readonly model?: string
      readonly repair?: (brief: RepairBrief) => Effect.Effect<RepairAnalysis, AnalysisError>
    } = {}
  ): Layer.Layer<TaskAnalysis> =>
    Layer.succeed(TaskAnalysis, {
      model: options.model ?? "test-model",
      configured: true,
      analyseTask: answer,
      analyseRepair: options.repair ?? (() => Effect.dieMessage("no repair answer in this test"))
    })
}
