import { Analyses, TaskAnalysis } from "@taskdesk/core"
import { problem } from "../Problem.js"

export const AnalysisNotConfiguredProblem = problem(TaskAnalysis.AnalysisNotConfigured, {
  slug: "analysis-not-configured",
  status: 503,
  title: "Task analysis is off",
  detail: (e) => e.hint
})

export const AnalysisQuotaExceededProblem = problem(Analyses.AnalysisQuotaExceeded, {
  slug: "analysis-quota-exceeded",
  status: 429,
  title: "Daily analyses used up",
  detail: (e) => `at most ${e.limit} analyses a day (UTC); retry in ${e.retryAfterSeconds} s`
})

export const AnalysisProviderFailedProblem = problem(TaskAnalysis.AnalysisProviderFailed, {
  slug: "analysis-provider-failed",
  status: 502,
  title: "The language model failed",
  detail: (e) =>
    `the provider ${e.providerStatus === undefined ? "could not be reached" : `answered ${e.providerStatus}`} (${e.attempts} attempt${e.attempts === 1 ? "" : "s"}): ${e.message}`
})

export const AnalysisMalformedProblem = problem(TaskAnalysis.AnalysisMalformed, {
  slug: "analysis-malformed",
  status: 502,
  title: "The language model's answer was unusable",
  detail: (e) => `${e.reason}; nothing was kept, try again`
})

export const AnalysisTimedOutProblem = problem(TaskAnalysis.AnalysisTimedOut, {
  slug: "analysis-timed-out",
  status: 504,
  title: "The language model did not answer in time",
  detail: (e) => `no answer within ${e.seconds} s`
})
