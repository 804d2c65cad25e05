import { Option, Schema } from "effect"
import { Instant } from "./Instant.js"
import { Description, Priority, Tags, type Task, TaskStatus, Title } from "./Task.js"

const Line = (max: number, description: string) =>
  Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max)).annotations({ description })

/** The priority a task should have, and why. */
export class SuggestedPriority extends Schema.Class<SuggestedPriority>("SuggestedPriority")({
  priority: Priority.annotations({ description: "the priority the task should have" }),
  reason: Line(2_000, "why, in a sentence or two")
}) {}

/**
 * A model's reading of a task: what it is about, what could go wrong, the priority it should have,
 * how to split it, and how long it takes. Every bound is checked when the answer is decoded, so an
 * answer that breaks one is refused whole rather than kept in part.
 */
export class Analysis extends Schema.Class<Analysis>("Analysis")({
  summary: Line(4_000, "what the task is about, in two or three sentences"),
  risks: Schema.Array(Line(1_000, "one risk")).pipe(Schema.maxItems(20)),
  suggestedPriority: SuggestedPriority,
  subtasks: Schema.Array(Line(500, "one step, as a short imperative title")).pipe(Schema.maxItems(30)),
  estimateHours: Schema.Number.pipe(Schema.nonNegative(), Schema.lessThanOrEqualTo(10_000)).annotations({
    description: "the work left, in hours"
  })
}) {}

/**
 * What is sent to the model about a task: its own words and state, never ids of people, projects
 * or the task itself. Built from a task the caller was allowed to read, so it holds nothing the
 * caller may not see.
 */
export class TaskBrief extends Schema.Class<TaskBrief>("TaskBrief")({
  title: Title,
  description: Description,
  status: TaskStatus,
  priority: Priority,
  dueAt: Schema.optional(Instant),
  tags: Tags
}) {}

/** The brief of a task. */
export const briefOf = (task: Task): TaskBrief =>
  new TaskBrief(
    {
      title: task.title,
      description: task.description,
      status: task.status,
      priority: task.priority,
      ...Option.match(task.dueAt, { onNone: () => ({}), onSome: (dueAt) => ({ dueAt }) }),
      tags: task.tags
    },
    true
  )
