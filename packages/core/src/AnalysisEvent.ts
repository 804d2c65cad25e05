import { Schema } from "effect"
import { Analysis, RepairAnalysis, RepairBrief, TaskBrief } from "./Analysis.js"

/**
 * A task was sent to the language model: what was sent, which model, and what came back — the
 * analysis, or why there is none. The subject is the task, the parent the person who asked, so the
 * task's history shows it and the person's daily allowance is counted from the log.
 */
export const TaskAnalysed = Schema.TaggedStruct("task.analysed", {
  model: Schema.String,
  brief: TaskBrief,
  analysis: Schema.optional(Analysis),
  /** The error's tag and message when the provider gave no usable analysis. */
  failure: Schema.optional(Schema.Struct({ error: Schema.String, message: Schema.String }))
})

/** A repair request was sent to the language model; the subject is the request, the parent the person who asked. */
export const RepairAnalysed = Schema.TaggedStruct("repair.analysed", {
  model: Schema.String,
  brief: RepairBrief,
  analysis: Schema.optional(RepairAnalysis),
  failure: Schema.optional(Schema.Struct({ error: Schema.String, message: Schema.String }))
})

/** Either analysis event, as the event log decodes it. */
export const AnalysisEvent = Schema.Union(TaskAnalysed, RepairAnalysed)
export type AnalysisEvent = typeof AnalysisEvent.Type

/** The event types that count against a person's daily allowance. */
export const analysisTypes: ReadonlySet<string> = new Set(["task.analysed", "repair.analysed"])
