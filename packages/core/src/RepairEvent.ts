import { Schema } from "effect"
import { Changes } from "./FieldChange.js"
import { CommentId, UserId } from "./Ids.js"
import { RepairNumber, RepairStatus, Score } from "./RepairRequest.js"

/** Changes to repair requests, as the audit log records them; the subject is the request. */
export const RepairCreated = Schema.TaggedStruct("repair.created", {
  number: RepairNumber,
  clientId: UserId,
  deviceType: Schema.String,
  technicianId: Schema.optional(UserId)
})
/** A technician was assigned to a repair request. */
export const RepairAssigned = Schema.TaggedStruct("repair.assigned", {
  technicianId: UserId,
  previousTechnicianId: Schema.optional(UserId)
})
/** A repair request moved between states. */
export const RepairStatusChanged = Schema.TaggedStruct("repair.status_changed", {
  from: RepairStatus,
  to: RepairStatus,
  /** The completion note, hold reason or cancellation reason, when one was given. */
  note: Schema.optional(Schema.String)
})
/** Someone commented on a repair request. */
export const RepairCommented = Schema.TaggedStruct("repair.commented", {
  commentId: CommentId,
  body: Schema.String
})
/** The client rated a completed repair. */
export const RepairRated = Schema.TaggedStruct("repair.rated", {
  score: Score,
  feedback: Schema.optional(Schema.String)
})
/** A repair request's fields changed, with their old and new values. */
export const RepairUpdated = Schema.TaggedStruct("repair.updated", {
  /** The fields the change named. */
  fields: Schema.Array(Schema.String),
  /** Those whose value changed, with the old and new value (absent in events recorded before). */
  changes: Changes
})

/** Every event about a repair request. */
export const RepairEvent = Schema.Union(
  RepairCreated,
  RepairAssigned,
  RepairStatusChanged,
  RepairCommented,
  RepairRated,
  RepairUpdated
)
export type RepairEvent = typeof RepairEvent.Type
