import { SqlClient, SqlSchema } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Assignment, AssignmentRepo, Ids } from "@taskdesk/core"
import { Effect, Layer, Option, Schema } from "effect"
import { column, columnNames, EpochMillis, modelRow, nullable } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { keyset, type SortColumn } from "./Keyset.js"
import { missingForeignRow, orDie } from "./SqlErrors.js"
import { insertNew, updateAtVersion } from "./SqlRows.js"

const AssignmentColumns = Schema.Struct({
  ...Assignment.Assignment.fields,
  taskId: column("task_id", Ids.TaskId),
  assigneeId: column("assignee_id", Ids.UserId),
  assignedBy: column("assigned_by", Ids.UserId),
  dueAt: nullable("due_at", EpochMillis),
  rejectionReason: nullable("rejection_reason", Assignment.RejectionReason),
  createdAt: column("created_at", EpochMillis),
  respondedAt: nullable("responded_at", EpochMillis),
  completedAt: nullable("completed_at", EpochMillis),
  updatedAt: column("updated_at", EpochMillis)
})

/** Lists run newest first: `AssignmentRepo.sortKey`. */
const newestFirst: SortColumn = { column: "assignments.created_at", id: "assignments.id", nullsLast: false }

/** An `assignments` row as the model it stores. */
export const AssignmentRow = modelRow(Assignment.Assignment, AssignmentColumns)

/** The SQL version of `AssignmentRepo`. An assignment's task must exist; deleting the task deletes it. */
export const layer: Layer.Layer<AssignmentRepo.AssignmentRepo, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  AssignmentRepo.AssignmentRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const columns = sql.literal(columnNames(AssignmentColumns).join(", "))
    const encode = Schema.encode(AssignmentRow)
    const decodeAll = Schema.decodeUnknown(Schema.Array(AssignmentRow))
    const never = sql.literal("1=0")
    const findById = SqlSchema.findOne({
      Request: Schema.String,
      Result: AssignmentRow,
      execute: (id) => query(sql`SELECT ${columns} FROM assignments WHERE id = ${id}`)
    })

    return {
      findById: (id) => orDie(findById(id)),
      insert: (assignment) =>
        orDie(
          Effect.flatMap(encode(assignment), (row) => insertNew(dialect, "assignments", "Assignment", row)).pipe(
            missingForeignRow(dialect.violation, "Task", assignment.taskId)
          )
        ),
      update: (assignment, expectedVersion) =>
        orDie(
          Effect.flatMap(encode(assignment), (row) =>
            updateAtVersion(sql, dialect, "assignments", "Assignment", row, expectedVersion)
          ).pipe(missingForeignRow(dialect.violation, "Task", assignment.taskId))
        ),
      list: (q) => {
        const where: Array<Fragment> = []
        if (q.status !== undefined) where.push(q.status.length === 0 ? never : sql.in("status", q.status))
        if (q.assigneeId !== undefined) where.push(sql`assignee_id = ${q.assigneeId}`)
        if (q.assignedBy !== undefined) where.push(sql`assigned_by = ${q.assignedBy}`)
        if (q.taskId !== undefined) where.push(sql`task_id = ${q.taskId}`)
        if (q.projectIds !== undefined) {
          // Project visibility joins the task; the assignee always sees their own.
          const visible: Array<Fragment> = []
          if (q.visibleTo !== undefined) visible.push(sql`assignee_id = ${q.visibleTo}`)
          if (q.projectIds.length > 0) {
            visible.push(
              sql`EXISTS (SELECT 1 FROM tasks t WHERE t.id = assignments.task_id AND ${sql.in("t.project_id", q.projectIds)})`
            )
          }
          where.push(visible.length === 0 ? never : sql.or(visible))
        }
        const page = keyset(sql, newestFirst, "desc", Option.fromNullable(q.after))
        // A cursor this list cannot have handed out: an empty page.
        if (page === undefined) return Effect.succeed([])
        if (Option.isSome(page.after)) where.push(page.after.value)
        const limit = q.limit === undefined ? sql.literal("") : sql`LIMIT ${q.limit}`
        return orDie(
          Effect.flatMap(
            query(sql`SELECT ${columns} FROM assignments WHERE ${sql.and(where)} ORDER BY ${page.orderBy} ${limit}`),
            decodeAll
          )
        )
      }
    }
  })
)
