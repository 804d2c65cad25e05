/** Language-model adapters: the core's `TaskAnalysis` port on OpenAI-compatible APIs. */
export * as AnalysisSchema from "./AnalysisSchema.js"
export * as OpenAiAnalysis from "./OpenAiAnalysis.js"
