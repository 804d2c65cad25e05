import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Task, type TaskQuery, TaskRepo } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option } from "effect"
import { columnNames, rowDecoder } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { keyset, type SortColumn } from "./Keyset.js"
import { orDie } from "./SqlErrors.js"
import { deleteAtVersion, findByIds, insertManyNew, insertNew, updateAtVersion } from "./SqlRows.js"
import { decodeTaskRow, encodeTaskRow, TaskColumns, TaskRow } from "./SqlTaskRow.js"

export { TaskRow } from "./SqlTaskRow.js"

/** Columns computed from the task for sorting and search: written, never read back. */
const derivedColumns = (task: Task.Task) => ({
  priority_rank: Task.priorityRank[task.priority],
  // Lowercased here, not in SQL: SQLite's lower() knows only ASCII, and the filter must match
  // JavaScript's toLowerCase() for Cyrillic and Chinese alike.
  title_search: task.title.toLowerCase(),
  description_search: task.description.toLowerCase()
})

const openStatuses: ReadonlyArray<Task.TaskStatus> = ["todo", "in_progress"]

/** The sort columns of `TaskQuery.sortKey` on `tasks t`: tasks without a due time come last in both orders. */
const sortColumns: Record<TaskQuery.TaskSort, SortColumn> = {
  due: { column: "t.due_at", id: "t.id", nullsLast: true },
  priority: { column: "t.priority_rank", id: "t.id", nullsLast: false },
  created: { column: "t.created_at", id: "t.id", nullsLast: false },
  updated: { column: "t.updated_at", id: "t.id", nullsLast: false }
}

/** The same sorts on a person's `task_assignees a` rows, which carry copies of those columns. */
const assigneeSortColumns: Record<TaskQuery.TaskSort, SortColumn> = {
  due: { column: "a.due_at", id: "a.task_id", nullsLast: true },
  priority: { column: "a.priority_rank", id: "a.task_id", nullsLast: false },
  created: { column: "a.created_at", id: "a.task_id", nullsLast: false },
  updated: { column: "a.updated_at", id: "a.task_id", nullsLast: false }
}

/** The SQL version of `TaskRepo`, for SQLite and PostgreSQL alike. */
export const layer: Layer.Layer<TaskRepo.TaskRepo, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  TaskRepo.TaskRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const columns = sql.literal(columnNames(TaskColumns).join(", "))
    const qualifiedColumns = sql.literal(
      columnNames(TaskColumns)
        .map((name) => `t.${name}`)
        .join(", ")
    )
    // Rows are decoded by hand where they are well-formed: through the schema a page of 50 spent
    // most of its time in decoding (about 14 µs a row).
    const decode = rowDecoder(TaskRow, decodeTaskRow)
    const never = sql.literal("1=0")

    const findById = (id: string) =>
      Effect.flatMap(query(sql`SELECT ${columns} FROM tasks WHERE id = ${id}`), (rows) =>
        rows.length === 0 ? Effect.succeed(Option.none()) : Effect.map(decode.one(rows[0]), Option.some)
      )

    const inList = (name: string, values: ReadonlyArray<string | number>): Fragment =>
      values.length === 0 ? never : sql.in(name, values)

    const assignedTo = (userId: string) =>
      sql`EXISTS (SELECT 1 FROM task_assignees x WHERE x.user_id = ${userId} AND x.task_id = t.id)`

    /**
     * `matches` from TaskQuery, as SQL conditions on `tasks t`. With an assignee filter the query
     * reads that person's `task_assignees a` rows instead, and their copy of the status.
     */
    const conditions = (request: TaskQuery.TaskRepoQuery, byAssignee: boolean): Array<Fragment> => {
      const { filter: f, visibility: v } = request
      const where: Array<Fragment> = []
      if (v._tag === "Restricted") {
        const visible: Array<Fragment> = []
        if (v.assigneeId !== undefined) visible.push(assignedTo(v.assigneeId))
        if (v.createdBy !== undefined) visible.push(sql`t.created_by = ${v.createdBy}`)
        if (v.projectIds !== undefined && v.projectIds.length > 0) visible.push(sql.in("t.project_id", v.projectIds))
        where.push(visible.length === 0 ? never : sql.or(visible))
      }
      if (f.status !== undefined) where.push(inList(byAssignee ? "a.status" : "t.status", f.status))
      if (f.assigneeId !== undefined)
        where.push(byAssignee ? sql`a.user_id = ${f.assigneeId}` : assignedTo(f.assigneeId))
      if (f.createdBy !== undefined) where.push(sql`t.created_by = ${f.createdBy}`)
      if (f.projectId !== undefined) where.push(sql`t.project_id = ${f.projectId}`)
      if (f.priority !== undefined) {
        where.push(
          inList(
            "t.priority_rank",
            f.priority.map((p) => Task.priorityRank[p])
          )
        )
      }
      if (f.dueFrom !== undefined) where.push(sql`t.due_at >= ${DateTime.toEpochMillis(f.dueFrom)}`)
      if (f.dueTo !== undefined) where.push(sql`t.due_at <= ${DateTime.toEpochMillis(f.dueTo)}`)
      if (f.overdue !== undefined) {
        const overdue = sql`(${sql.in("t.status", openStatuses)} AND t.due_at IS NOT NULL AND t.due_at < ${DateTime.toEpochMillis(request.now)})`
        where.push(f.overdue ? overdue : sql`NOT ${overdue}`)
      }
      if (f.tag !== undefined) {
        where.push(sql`EXISTS (SELECT 1 FROM task_tags g WHERE g.task_id = t.id AND g.tag = ${f.tag})`)
      }
      if (f.text !== undefined) {
        const needle = f.text.toLowerCase()
        where.push(
          sql.or([dialect.contains("t.title_search", needle), dialect.contains("t.description_search", needle)])
        )
      }
      return where
    }

    return {
      findById: (id) => orDie(findById(id)),
      findByIds: (ids) => orDie(findByIds(sql, query, "tasks", columns, decode, ids)),
      insert: (task) => orDie(insertNew(dialect, "tasks", "Task", { ...encodeTaskRow(task), ...derivedColumns(task) })),
      insertMany: (tasks) =>
        orDie(
          insertManyNew(
            dialect,
            "tasks",
            "Task",
            tasks.map((task) => ({ ...encodeTaskRow(task), ...derivedColumns(task) }))
          )
        ),
      update: (task, expectedVersion) =>
        orDie(
          updateAtVersion(
            sql,
            dialect,
            "tasks",
            "Task",
            { ...encodeTaskRow(task), ...derivedColumns(task) },
            expectedVersion
          )
        ),
      // Assignees, tags, assignments and comments go with the task (ON DELETE CASCADE).
      delete: (id, expectedVersion) => orDie(deleteAtVersion(sql, dialect, "tasks", "Task", id, expectedVersion)),
      list: (request) => {
        const byAssignee = request.filter.assigneeId !== undefined
        const page = keyset(
          sql,
          (byAssignee ? assigneeSortColumns : sortColumns)[request.sort],
          request.order,
          request.after
        )
        // A cursor this sort never handed out (forged, or from another version) selects nothing.
        if (page === undefined) return Effect.succeed([])
        const where = conditions(request, byAssignee)
        if (Option.isSome(page.after)) where.push(page.after.value)
        const from = byAssignee
          ? sql.literal("task_assignees a JOIN tasks t ON t.id = a.task_id")
          : sql.literal("tasks t")
        return orDie(
          Effect.flatMap(
            query(
              sql`SELECT ${qualifiedColumns} FROM ${from} WHERE ${sql.and(where)} ORDER BY ${page.orderBy} LIMIT ${request.limit}`
            ),
            decode.all
          )
        )
      }
    }
  })
)
