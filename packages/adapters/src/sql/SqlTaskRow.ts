import { Ids, Instant, Task, Text } from "@taskdesk/core"
import { DateTime, Option, Schema } from "effect"
import { column, EpochMillis, JsonText, modelRow, nullable } from "./Columns.js"

/** The columns of `tasks` that hold a task, and how each maps to its field. */
export const TaskColumns = Schema.Struct({
  ...Task.Task.fields,
  assigneeIds: column("assignee_ids", JsonText(Schema.Array(Ids.UserId))),
  createdBy: column("created_by", Ids.UserId),
  projectId: nullable("project_id", Ids.ProjectId),
  dueAt: nullable("due_at", EpochMillis),
  tags: JsonText(Task.Tags),
  createdAt: column("created_at", EpochMillis),
  updatedAt: column("updated_at", EpochMillis),
  completedAt: nullable("completed_at", EpochMillis)
})

/** A `tasks` row as the model it stores: the contract the hand-written codec below is held to. */
export const TaskRow = modelRow(Task.Task, TaskColumns)

export type TaskRowEncoded = typeof TaskRow.Encoded

// What the schema's refinements check, written out: `NonEmptyTrimmedString` of at most 64.
const isId = (u: unknown): u is string => typeof u === "string" && u.length > 0 && u.length <= 64 && u.trim() === u

const statuses: ReadonlySet<unknown> = new Set(Task.TaskStatus.literals)
const priorities: ReadonlySet<unknown> = new Set(Task.Priority.literals)

/** Thrown inside `decodeTaskRow` for anything the fast path does not vouch for; the schema then decides. */
const unsure: unique symbol = Symbol("unsure")

const time = (u: unknown): DateTime.Utc => {
  if (typeof u !== "number") throw unsure
  return DateTime.unsafeMake(u)
}

const optionalTime = (u: unknown): Option.Option<DateTime.Utc> => (u === null ? Option.none() : Option.some(time(u)))

/** A due time: also in the years the model takes (`Instant`). */
const optionalDue = (u: unknown): Option.Option<DateTime.Utc> => {
  const due = optionalTime(u)
  if (due._tag === "Some" && !Instant.isInRange(due.value)) throw unsure
  return due
}

const jsonArray = (u: unknown): Array<unknown> => {
  if (typeof u !== "string") throw unsure
  const parsed: unknown = JSON.parse(u)
  if (!Array.isArray(parsed)) throw unsure
  return parsed
}

const ids = (u: unknown): Array<Ids.UserId> => {
  const values = jsonArray(u)
  for (const value of values) if (!isId(value)) throw unsure
  return values as Array<Ids.UserId>
}

const tags = (u: unknown): Array<string> => {
  const values = jsonArray(u)
  if (values.length > 50) throw unsure
  return values.map((value) => {
    if (typeof value !== "string") throw unsure
    const tag = value.trim()
    if (tag.length < 1 || tag.length > 50 || !Text.isSingleLine(tag)) throw unsure
    return tag
  })
}

/**
 * A task built as `new Task(props, true)` builds it: the same own fields on the same prototype.
 * The class constructor copies the props and looks for field defaults even without validation, a
 * tenth of a page's decoding; a task has no defaults (the property tests would see one appear).
 */
const build = (props: Task.Task): Task.Task => Object.assign(Object.create(Task.Task.prototype) as Task.Task, props)

/**
 * A task from its row, by hand: what decoding through `TaskRow` gives, at a tenth of the cost, for
 * any row the schema accepts (a property test holds the two equal). Answers `undefined` for a row
 * it is not sure of; the caller then decodes it through the schema, which names what is wrong.
 */
export const decodeTaskRow = (row: unknown): Task.Task | undefined => {
  if (typeof row !== "object" || row === null) return undefined
  const r = row as Record<string, unknown>
  try {
    const title = typeof r.title === "string" ? r.title.trim() : ""
    const description = r.description
    if (
      !isId(r.id) ||
      title.length < 1 ||
      title.length > 200 ||
      !Text.isSingleLine(title) ||
      typeof description !== "string" ||
      description.length > 20_000 ||
      !Text.isMultiLine(description) ||
      !statuses.has(r.status) ||
      !priorities.has(r.priority) ||
      !isId(r.created_by) ||
      (r.project_id !== null && !isId(r.project_id)) ||
      typeof r.version !== "number" ||
      !Number.isSafeInteger(r.version)
    ) {
      return undefined
    }
    return build({
      id: r.id as Ids.TaskId,
      title,
      description,
      status: r.status as Task.TaskStatus,
      priority: r.priority as Task.Priority,
      assigneeIds: ids(r.assignee_ids),
      createdBy: r.created_by as Ids.UserId,
      projectId: r.project_id === null ? Option.none() : Option.some(r.project_id as Ids.ProjectId),
      dueAt: optionalDue(r.due_at),
      tags: tags(r.tags),
      createdAt: time(r.created_at),
      updatedAt: time(r.updated_at),
      completedAt: optionalTime(r.completed_at),
      version: r.version
    })
  } catch {
    // `unsure`, JSON that does not parse, or a time out of range: the schema will say which.
    return undefined
  }
}

const millisOrNull = (t: Option.Option<DateTime.Utc>) => (t._tag === "Some" ? t.value.epochMillis : null)

/** A task as its row, by hand: what encoding through `TaskRow` gives (a property test holds the two equal). */
export const encodeTaskRow = (t: Task.Task): TaskRowEncoded => ({
  id: t.id,
  title: t.title,
  description: t.description,
  status: t.status,
  priority: t.priority,
  assignee_ids: JSON.stringify(t.assigneeIds),
  created_by: t.createdBy,
  project_id: t.projectId._tag === "Some" ? t.projectId.value : null,
  due_at: millisOrNull(t.dueAt),
  tags: JSON.stringify(t.tags),
  created_at: t.createdAt.epochMillis,
  updated_at: t.updatedAt.epochMillis,
  completed_at: millisOrNull(t.completedAt),
  version: t.version
})
