import { Schema } from "effect"

/** Changes to scheduled jobs, as the audit log records them; runs are in the run history instead. */
export const JobDefined = Schema.TaggedStruct("job.defined", { handler: Schema.String, schedule: Schema.String })
/** A job's settings changed; `fields` names which. */
export const JobUpdated = Schema.TaggedStruct("job.updated", { fields: Schema.Array(Schema.String) })
/** Someone asked for a run now. */
export const JobRunRequested = Schema.TaggedStruct("job.run_requested", { runId: Schema.String })

/** Every event about a job. */
export const JobEvent = Schema.Union(JobDefined, JobUpdated, JobRunRequested)
export type JobEvent = typeof JobEvent.Type
