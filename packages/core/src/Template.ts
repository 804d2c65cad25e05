import { Schema } from "effect"
import { TemplateId, UserId } from "./Ids.js"
import { Description, Title } from "./Task.js"

/** How long the work is expected to take, in minutes. */
export const EstimatedMinutes = Schema.Int.pipe(Schema.between(1, 100_000))

/** An entry of the task library (seed 002's 任务库): handed out in batches, each hand-out making a task. */
export class TaskTemplate extends Schema.Class<TaskTemplate>("TaskTemplate")({
  id: TemplateId,
  title: Title,
  description: Description,
  estimatedMinutes: Schema.optionalWith(EstimatedMinutes, { as: "Option" }),
  createdBy: UserId,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc,
  version: Schema.Int
}) {}

/** What a new template needs. */
export class CreateTemplate extends Schema.Class<CreateTemplate>("CreateTemplate")({
  title: Title,
  description: Schema.optional(Description),
  estimatedMinutes: Schema.optional(EstimatedMinutes)
}) {}

/** A partial change to a template; `null` clears the estimate. */
export class UpdateTemplate extends Schema.Class<UpdateTemplate>("UpdateTemplate")({
  title: Schema.optional(Title),
  description: Schema.optional(Description),
  estimatedMinutes: Schema.optional(Schema.NullOr(EstimatedMinutes))
}) {}
