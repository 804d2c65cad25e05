import { Analysis } from "@taskdesk/core"
import { JSONSchema, Schema } from "effect"

// Keywords OpenAI's strict structured outputs refuse (lengths) or that only add noise (`title` holds
// the refinement's name, e.g. "maxLength(4000)"). The decoder checks the lengths anyway.
const dropped = new Set(["$schema", "title", "minLength", "maxLength"])

const clean = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(clean)
  if (typeof value !== "object" || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (!dropped.has(k)) out[k] = clean(v)
  return out
}

/**
 * The JSON Schema a model is asked to answer in, derived from a model's fields (an object at the
 * root, every property required, no others: what strict structured outputs need).
 */
export const jsonSchemaOf = (fields: Schema.Struct.Fields): Record<string, unknown> =>
  clean(JSONSchema.make(Schema.Struct(fields))) as Record<string, unknown>

/** The schema of a task's analysis. */
export const analysisJsonSchema = jsonSchemaOf(Analysis.Analysis.fields)

/** The schema of a repair request's analysis. */
export const repairAnalysisJsonSchema = jsonSchemaOf(Analysis.RepairAnalysis.fields)
