import { Option, Schema } from "effect"
import { Instant } from "./Instant.js"
import {
  DeviceModel,
  DeviceType,
  ProblemCategory,
  ProblemDescription,
  type RepairRequest,
  RepairStatus
} from "./RepairRequest.js"
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

/** A model's reading of a repair request: what is likely wrong, and what a technician should bring. */
export class RepairAnalysis extends Schema.Class<RepairAnalysis>("RepairAnalysis")({
  summary: Line(4_000, "what the problem is, in two or three sentences"),
  likelyCauses: Schema.Array(Line(1_000, "one likely cause, the most likely first")).pipe(Schema.maxItems(10)),
  partsToBring: Schema.Array(Line(500, "one part or tool the technician should bring")).pipe(Schema.maxItems(30)),
  risks: Schema.Array(Line(1_000, "one risk")).pipe(Schema.maxItems(20)),
  estimateHours: Schema.Number.pipe(Schema.nonNegative(), Schema.lessThanOrEqualTo(10_000)).annotations({
    description: "the repair's work, in hours"
  })
}) {}

/**
 * What is sent to the model about a repair request: the device and the problem as the client
 * described it, never the client, technician, serial number or the request's ids.
 */
export class RepairBrief extends Schema.Class<RepairBrief>("RepairBrief")({
  deviceType: DeviceType,
  deviceModel: DeviceModel,
  problemDescription: ProblemDescription,
  category: Schema.optional(ProblemCategory),
  status: RepairStatus
}) {}

/** The brief of a repair request. */
export const repairBriefOf = (request: RepairRequest): RepairBrief =>
  new RepairBrief(
    {
      deviceType: request.deviceType,
      deviceModel: request.deviceModel,
      problemDescription: request.problemDescription,
      ...Option.match(request.category, { onNone: () => ({}), onSome: (category) => ({ category }) }),
      status: request.status
    },
    true
  )
