import { OpenAiAnalysis } from "@taskdesk/adapters/llm"
import { Analyses, TaskAnalysis } from "@taskdesk/core"
import { Layer } from "effect"
import { llmEnabled, type Settings } from "../Config.js"

/** The provider the settings name: OpenAI-compatible with a key, else one that says how to turn it on. */
export const provider = (settings: Settings): Layer.Layer<TaskAnalysis.TaskAnalysis> => {
  const llm = settings.llm
  if (!llm.enabled) {
    return TaskAnalysis.TaskAnalysis.layerUnconfigured(
      "task analysis is turned off: set llm.enabled (TASKDESK_LLM_ENABLED) to true and configure an API key"
    )
  }
  if (!llmEnabled(settings) || llm.apiKey === undefined) {
    return TaskAnalysis.TaskAnalysis.layerUnconfigured(Analyses.notConfiguredHint)
  }
  return OpenAiAnalysis.layer({
    apiKey: llm.apiKey,
    baseUrl: llm.baseUrl,
    model: llm.model,
    timeout: `${llm.timeoutSeconds} seconds`,
    retries: llm.maxRetries,
    maxTokens: llm.maxTokens
  })
}

/** `Analyses` with the settings' limits over the configured provider; needs the domain. */
export const layer = (settings: Settings) =>
  Analyses.Analyses.Default.pipe(
    Layer.provide(provider(settings)),
    Layer.provide(
      Analyses.AnalysisSettings.layer({ dailyLimit: settings.llm.dailyLimit, cacheMinutes: settings.llm.cacheMinutes })
    )
  )
