import { DateTime, Option, Schema } from "effect"
import { ProjectId, UserId } from "./Ids.js"
import { Instant } from "./Instant.js"
import { Limit, Order, type SortKey } from "./Page.js"
import { isOverdue, Priority, priorityRank, Tag, type Task, TaskStatus } from "./Task.js"
import { singleLine } from "./Text.js"

/** The orders task lists can be sorted in. */
export const TaskSort = Schema.Literal("due", "priority", "created", "updated")
export type TaskSort = typeof TaskSort.Type

/** Every filter the task list offers; all given filters must hold. */
export class TaskFilter extends Schema.Class<TaskFilter>("TaskFilter")({
  status: Schema.optional(Schema.Array(TaskStatus)),
  assigneeId: Schema.optional(UserId),
  createdBy: Schema.optional(UserId),
  projectId: Schema.optional(ProjectId),
  priority: Schema.optional(Schema.Array(Priority)),
  dueFrom: Schema.optional(Instant),
  dueTo: Schema.optional(Instant),
  overdue: Schema.optional(Schema.Boolean),
  tag: Schema.optional(Tag),
  text: Schema.optional(singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(200))))
}) {}

/** A request for one page of tasks. */
export class TaskListQuery extends Schema.Class<TaskListQuery>("TaskListQuery")({
  ...TaskFilter.fields,
  sort: Schema.optional(TaskSort),
  order: Schema.optional(Order),
  limit: Schema.optional(Limit),
  cursor: Schema.optional(Schema.String)
}) {}

/**
 * Which tasks an actor may see: all, or those matching any one of the given relations.
 * The service derives it from the policy; stores apply it as a filter.
 */
export type TaskVisibility =
  | { readonly _tag: "All" }
  | {
      readonly _tag: "Restricted"
      readonly assigneeId?: UserId
      readonly createdBy?: UserId
      readonly projectIds?: ReadonlyArray<ProjectId>
    }

/** What a store is asked for: filters, visibility, sort and the key to start after. */
export interface TaskRepoQuery {
  readonly filter: TaskFilter
  readonly visibility: TaskVisibility
  readonly sort: TaskSort
  readonly order: Order
  readonly after: Option.Option<SortKey>
  readonly limit: number
  /** The time `overdue` is judged at. */
  readonly now: DateTime.Utc
}

/**
 * The sort key of a task: the sorted value, then the id as a tie-breaker, so the order is total
 * and keyset pagination neither skips nor repeats rows. Tasks without a due time sort last.
 */
export const sortKey = (task: Task, sort: TaskSort): SortKey => {
  switch (sort) {
    case "due":
      return Option.match(task.dueAt, {
        onNone: () => [1, 0, task.id],
        onSome: (due) => [0, DateTime.toEpochMillis(due), task.id]
      })
    case "priority":
      return [priorityRank[task.priority], task.id]
    case "created":
      return [DateTime.toEpochMillis(task.createdAt), task.id]
    case "updated":
      return [DateTime.toEpochMillis(task.updatedAt), task.id]
  }
}

/** Directions of each key component: "no due time last" holds in both orders. */
export const sortDirections = (sort: TaskSort, order: Order): ReadonlyArray<1 | -1> => {
  const d = order === "asc" ? 1 : -1
  return sort === "due" ? [1, d, d] : [d, d]
}

/** Whether a task passes the filter and the visibility; the reference semantics for every store. */
export const matches = (task: Task, query: Pick<TaskRepoQuery, "filter" | "visibility" | "now">): boolean => {
  const { filter: f, visibility: v } = query
  if (v._tag === "Restricted") {
    const visible =
      (v.assigneeId !== undefined && task.assigneeIds.includes(v.assigneeId)) ||
      (v.createdBy !== undefined && task.createdBy === v.createdBy) ||
      (v.projectIds !== undefined && Option.exists(task.projectId, (p) => v.projectIds!.includes(p)))
    if (!visible) return false
  }
  if (f.status !== undefined && !f.status.includes(task.status)) return false
  if (f.assigneeId !== undefined && !task.assigneeIds.includes(f.assigneeId)) return false
  if (f.createdBy !== undefined && task.createdBy !== f.createdBy) return false
  if (f.projectId !== undefined && !Option.contains(task.projectId, f.projectId)) return false
  if (f.priority !== undefined && !f.priority.includes(task.priority)) return false
  if (f.dueFrom !== undefined || f.dueTo !== undefined) {
    if (Option.isNone(task.dueAt)) return false
    const due = task.dueAt.value
    if (f.dueFrom !== undefined && DateTime.lessThan(due, f.dueFrom)) return false
    if (f.dueTo !== undefined && DateTime.greaterThan(due, f.dueTo)) return false
  }
  if (f.overdue !== undefined && isOverdue(task, query.now) !== f.overdue) return false
  if (f.tag !== undefined && !task.tags.includes(f.tag)) return false
  if (f.text !== undefined) {
    const needle = f.text.toLowerCase()
    if (!task.title.toLowerCase().includes(needle) && !task.description.toLowerCase().includes(needle)) return false
  }
  return true
}
