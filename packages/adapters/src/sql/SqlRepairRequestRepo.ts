import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Errors, Ids, type RepairQuery, RepairRequest, RepairRequestRepo } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { column, columnNames, EpochMillis, JsonText, modelRow, nullable, orNull } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { keyset, type SortColumn } from "./Keyset.js"
import { missingForeignRow, orDie } from "./SqlErrors.js"
import { insertIfNew, insertNew, nextCounter, updateAtVersion } from "./SqlRows.js"

const RepairColumns = Schema.Struct({
  ...RepairRequest.RepairRequest.fields,
  clientId: column("client_id", Ids.UserId),
  technicianId: nullable("technician_id", Ids.UserId),
  deviceType: column("device_type", RepairRequest.DeviceType),
  deviceModel: column("device_model", RepairRequest.DeviceModel),
  serialNumber: nullable("serial_number", RepairRequest.SerialNumber),
  problemDescription: column("problem_description", RepairRequest.ProblemDescription),
  category: nullable("category", RepairRequest.ProblemCategory),
  deadline: nullable("deadline", EpochMillis),
  createdBy: column("created_by", Ids.UserId),
  createdAt: column("created_at", EpochMillis),
  updatedAt: column("updated_at", EpochMillis),
  startedAt: nullable("started_at", EpochMillis),
  completedAt: nullable("completed_at", EpochMillis),
  completionNote: nullable("completion_note", RepairRequest.StatusNote),
  holdReason: nullable("hold_reason", RepairRequest.StatusNote),
  cancelReason: nullable("cancel_reason", RepairRequest.StatusNote),
  rating: nullable("rating", JsonText(RepairRequest.Rating))
})

/** A `repair_requests` row as the model it stores. */
export const RepairRequestRow = modelRow(RepairRequest.RepairRequest, RepairColumns)

const CommentColumns = Schema.Struct({
  ...RepairRequest.RepairComment.fields,
  requestId: column("request_id", Ids.RepairRequestId),
  authorId: column("author_id", Ids.UserId),
  createdAt: column("created_at", EpochMillis)
})

/** A `repair_comments` row as the model it stores. */
export const RepairCommentRow = modelRow(RepairRequest.RepairComment, CommentColumns)

/** Columns computed from the request for statistics and search: written, never read back. */
const derivedColumns = (request: RepairRequest.RepairRequest) => ({
  rating_score: Option.match(request.rating, { onNone: () => null, onSome: (r) => r.score }),
  // Lowercased here, as `RepairQuery.matches` does; SQLite's lower() knows only ASCII.
  problem_search: request.problemDescription.toLowerCase(),
  device_type_search: request.deviceType.toLowerCase(),
  device_model_search: request.deviceModel.toLowerCase(),
  serial_search: orNull(Option.map(request.serialNumber, (s) => s.toLowerCase()))
})

const openStatuses: ReadonlyArray<RepairRequest.RepairStatus> = ["new", "in_progress", "on_hold"]

/** The columns of `RepairQuery.sortKey`: requests without a deadline come last in both orders. */
const sortColumns: Record<RepairQuery.RepairSort, SortColumn> = {
  created: { column: "created_at", id: "id", nullsLast: false },
  deadline: { column: "deadline", id: "id", nullsLast: true },
  updated: { column: "updated_at", id: "id", nullsLast: false },
  number: { column: "number", id: "id", nullsLast: false }
}

/** The counter that numbers requests: a row updated in the transaction, so a rollback gives its number back. */
const numberCounter = "repair_number"

/** The SQL version of `RepairRequestRepo`. */
export const layer: Layer.Layer<RepairRequestRepo.RepairRequestRepo, never, SqlClient.SqlClient | Dialect> =
  Layer.effect(
    RepairRequestRepo.RepairRequestRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const dialect = yield* Dialect
      const query = dialect.query
      const columns = sql.literal(columnNames(RepairColumns).join(", "))
      const commentColumns = sql.literal(columnNames(CommentColumns).join(", "))
      const encode = Schema.encode(RepairRequestRow)
      const encodeComment = Schema.encode(RepairCommentRow)
      const decodeAll = Schema.decodeUnknown(Schema.Array(RepairRequestRow))
      const decodeComments = Schema.decodeUnknown(Schema.Array(RepairCommentRow))
      const never = sql.literal("1=0")
      const findWhere = (where: Fragment) =>
        orDie(
          Effect.flatMap(query(sql`SELECT ${columns} FROM repair_requests WHERE ${where}`), (rows) =>
            rows.length === 0 ? Effect.succeedNone : Effect.asSome(Schema.decodeUnknown(RepairRequestRow)(rows[0]))
          )
        )

      const row = (request: RepairRequest.RepairRequest) =>
        Effect.map(encode(request), (encoded) => ({ ...encoded, ...derivedColumns(request) }))

      /** `RepairQuery.matches`, as SQL conditions. */
      const conditions = (request: RepairQuery.RepairRepoQuery): Array<Fragment> => {
        const { filter: f, visibility: v } = request
        const where: Array<Fragment> = []
        if (v._tag === "Restricted") {
          const visible: Array<Fragment> = []
          if (v.clientId !== undefined) visible.push(sql`client_id = ${v.clientId}`)
          if (v.technicianId !== undefined) visible.push(sql`technician_id = ${v.technicianId}`)
          if (v.createdBy !== undefined) visible.push(sql`created_by = ${v.createdBy}`)
          where.push(visible.length === 0 ? never : sql.or(visible))
        }
        if (f.status !== undefined) where.push(f.status.length === 0 ? never : sql.in("status", f.status))
        if (f.clientId !== undefined) where.push(sql`client_id = ${f.clientId}`)
        if (f.technicianId !== undefined) where.push(sql`technician_id = ${f.technicianId}`)
        if (f.assigned !== undefined) {
          where.push(sql.literal(f.assigned ? "technician_id IS NOT NULL" : "technician_id IS NULL"))
        }
        if (f.deviceType !== undefined) where.push(sql`device_type = ${f.deviceType}`)
        if (f.category !== undefined) where.push(sql`category = ${f.category}`)
        if (f.overdue !== undefined) {
          const overdue = sql`(${sql.in("status", openStatuses)} AND deadline IS NOT NULL AND deadline < ${DateTime.toEpochMillis(request.now)})`
          where.push(f.overdue ? overdue : sql`NOT ${overdue}`)
        }
        if (f.createdFrom !== undefined) where.push(sql`created_at >= ${DateTime.toEpochMillis(f.createdFrom)}`)
        if (f.createdTo !== undefined) where.push(sql`created_at < ${DateTime.toEpochMillis(f.createdTo)}`)
        if (f.text !== undefined) {
          const needle = f.text.toLowerCase()
          where.push(
            sql.or([
              dialect.contains("problem_search", needle),
              dialect.contains("device_type_search", needle),
              dialect.contains("device_model_search", needle),
              sql`(serial_search IS NOT NULL AND ${dialect.contains("serial_search", needle)})`
            ])
          )
        }
        return where
      }

      return {
        findById: (id) => findWhere(sql`id = ${id}`),
        findByNumber: (number) => findWhere(sql`number = ${number}`),
        insert: (request) =>
          orDie(
            Effect.gen(function* () {
              if (yield* insertIfNew(dialect, "repair_requests", yield* row(request))) return
              // The in-memory store's order: a number held by another request, then the id.
              const taken = yield* query(sql<{ readonly id: string }>`SELECT id FROM repair_requests
                WHERE number = ${request.number} AND id <> ${request.id}`)
              return yield* taken.length > 0
                ? new Errors.DuplicateKey({ entity: "RepairRequest", field: "number", value: String(request.number) })
                : new Errors.DuplicateKey({ entity: "RepairRequest", field: "id", value: request.id })
            })
          ),
        update: (request, expectedVersion) =>
          orDie(
            Effect.flatMap(row(request), (r) =>
              updateAtVersion(sql, dialect, "repair_requests", "RepairRequest", r, expectedVersion)
            )
          ),
        list: (request) => {
          const page = keyset(sql, sortColumns[request.sort], request.order, request.after)
          // A cursor this sort never handed out selects nothing.
          if (page === undefined) return Effect.succeed([])
          const where = conditions(request)
          if (Option.isSome(page.after)) where.push(page.after.value)
          return orDie(
            Effect.flatMap(
              query(
                sql`SELECT ${columns} FROM repair_requests WHERE ${sql.and(where)} ORDER BY ${page.orderBy} LIMIT ${request.limit}`
              ),
              decodeAll
            )
          )
        },
        nextNumber: orDie(nextCounter(sql, dialect, numberCounter)),
        addComment: (comment) =>
          orDie(
            Effect.flatMap(encodeComment(comment), (r) =>
              insertNew(dialect, "repair_comments", "RepairComment", r)
            ).pipe(missingForeignRow(dialect.violation, "RepairRequest", comment.requestId))
          ),
        listComments: (requestId) =>
          orDie(
            Effect.flatMap(
              query(
                sql`SELECT ${commentColumns} FROM repair_comments WHERE request_id = ${requestId} ORDER BY created_at, id`
              ),
              decodeComments
            )
          )
      }
    })
  )
