import { DateTime, Either, Option, Schema } from "effect"
import { IllegalTransition } from "./Errors.js"
import { ProjectId, TaskId, UserId } from "./Ids.js"
import { Instant } from "./Instant.js"
import { multiLine, singleLine } from "./Text.js"

/** Where a task stands; `Task.transitions` says which moves are legal. */
export const TaskStatus = Schema.Literal("todo", "in_progress", "done", "cancelled")
export type TaskStatus = typeof TaskStatus.Type

/** How urgent a task is, lowest first. */
export const Priority = Schema.Literal("low", "normal", "high", "urgent")
export type Priority = typeof Priority.Type

/** Priority as a number, so "high first" is a numeric sort in every store. */
export const priorityRank: Readonly<Record<Priority, number>> = { low: 0, normal: 1, high: 2, urgent: 3 }

/** A task's title: one line, 1–200 characters. */
export const Title = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(200)))
/** A task's description: up to 20,000 characters, several lines allowed. */
export const Description = multiLine(Schema.String.pipe(Schema.maxLength(20_000)))
/** A label for filtering: one line, 1–50 characters. */
export const Tag = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(50)))
/** A task's labels: at most 50. */
export const Tags = Schema.Array(Tag).pipe(Schema.maxItems(50))

/** A piece of work: who does it, by when, and how far it got. `version` grows with every change. */
export class Task extends Schema.Class<Task>("Task")({
  id: TaskId,
  title: Title,
  description: Description,
  status: TaskStatus,
  priority: Priority,
  assigneeIds: Schema.Array(UserId),
  createdBy: UserId,
  projectId: Schema.optionalWith(ProjectId, { as: "Option" }),
  dueAt: Schema.optionalWith(Instant, { as: "Option" }),
  tags: Tags,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc,
  completedAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  version: Schema.Int
}) {}

/** The legal moves of the task state machine; `done` and `cancelled` can be reopened. */
export const transitions: Readonly<Record<TaskStatus, ReadonlyArray<TaskStatus>>> = {
  todo: ["in_progress", "cancelled"],
  in_progress: ["todo", "done", "cancelled"],
  done: ["in_progress"],
  cancelled: ["todo"]
}

/** Whether a task may move from one state to another. */
export const canTransition = (from: TaskStatus, to: TaskStatus): boolean => transitions[from].includes(to)

/** Whether the task still expects work: not done and not cancelled. */
export const isOpen = (task: Task): boolean => task.status === "todo" || task.status === "in_progress"

/** Whether the task is open and past its due time at `now`. */
export const isOverdue = (task: Task, now: DateTime.Utc): boolean =>
  isOpen(task) && Option.exists(task.dueAt, (due) => DateTime.lessThan(due, now))

/** Moves the task to `to` at `now`, or names both states if the move is illegal. */
export const transition = (task: Task, to: TaskStatus, now: DateTime.Utc): Either.Either<Task, IllegalTransition> =>
  canTransition(task.status, to)
    ? Either.right(
        new Task({
          ...task,
          status: to,
          updatedAt: now,
          completedAt: to === "done" ? Option.some(now) : Option.none(),
          version: task.version + 1
        })
      )
    : Either.left(new IllegalTransition({ entity: "Task", id: task.id, from: task.status, to }))

/** What a caller supplies to create a task. */
export class CreateTask extends Schema.Class<CreateTask>("CreateTask")({
  title: Title,
  description: Schema.optional(Description),
  priority: Schema.optional(Priority),
  assigneeIds: Schema.optional(Schema.Array(UserId)),
  projectId: Schema.optional(ProjectId),
  dueAt: Schema.optional(Instant),
  tags: Schema.optional(Tags)
}) {}

/** A partial change to a task; `null` clears an optional field. Status moves go through `transition`. */
export class UpdateTask extends Schema.Class<UpdateTask>("UpdateTask")({
  title: Schema.optional(Title),
  description: Schema.optional(Description),
  priority: Schema.optional(Priority),
  assigneeIds: Schema.optional(Schema.Array(UserId)),
  projectId: Schema.optional(Schema.NullOr(ProjectId)),
  dueAt: Schema.optional(Schema.NullOr(Instant)),
  tags: Schema.optional(Tags)
}) {}
