import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Document, DocumentRepo, Errors, Ids } from "@taskdesk/core"
import { Effect, Layer, Option, Schema } from "effect"
import { column, columnNames, EpochMillis, modelRow, nullable } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { keyset, type SortColumn } from "./Keyset.js"
import { orDie } from "./SqlErrors.js"
import { insertIfNew, nextCounter } from "./SqlRows.js"

const DocumentColumns = Schema.Struct({
  ...Document.Document.fields,
  projectId: column("project_id", Ids.ProjectId),
  registrationNumber: column("registration_number", Document.RegistrationNumber),
  date: EpochMillis,
  authorId: column("author_id", Ids.UserId),
  parentId: nullable("parent_id", Ids.DocumentId),
  taskId: nullable("task_id", Ids.TaskId),
  createdAt: column("created_at", EpochMillis)
})

/** A `documents` row as the model it stores. */
export const DocumentRow = modelRow(Document.Document, DocumentColumns)

/** The register's order (`DocumentRepo.sortKey`), for pages. */
const registerOrder: SortColumn = { column: "created_at", id: "id", nullsLast: false }

/** The SQL version of `DocumentRepo`; registration numbers are unique per project, compared exactly. */
export const layer: Layer.Layer<DocumentRepo.DocumentRepo, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  DocumentRepo.DocumentRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const columns = sql.literal(columnNames(DocumentColumns).join(", "))
    const encode = Schema.encode(DocumentRow)
    const decodeAll = Schema.decodeUnknown(Schema.Array(DocumentRow))
    // The register's order (`DocumentRepo.compare`): registration time, then id.
    const select = (where: Fragment, ordered = true) =>
      orDie(
        Effect.flatMap(
          query(
            ordered
              ? sql`SELECT ${columns} FROM documents WHERE ${where} ORDER BY created_at, id`
              : sql`SELECT ${columns} FROM documents WHERE ${where}`
          ),
          decodeAll
        )
      )
    const first = (where: Fragment) => Effect.map(select(where), (rows) => Option.fromNullable(rows[0]))

    return {
      findById: (id) => first(sql`id = ${id}`),
      findByRegistrationNumber: (projectId, registrationNumber) =>
        first(sql`project_id = ${projectId} AND registration_number = ${registrationNumber}`),
      insert: (document) =>
        orDie(
          Effect.gen(function* () {
            if (yield* insertIfNew(dialect, "documents", yield* encode(document))) return
            const taken = yield* query(sql`SELECT 1 FROM documents WHERE id = ${document.id}`)
            return yield* taken.length > 0
              ? new Errors.DuplicateKey({ entity: "Document", field: "id", value: document.id })
              : new Errors.DuplicateKey({
                  entity: "Document",
                  field: "registrationNumber",
                  value: document.registrationNumber
                })
          })
        ),
      list: (request) => {
        const where: Array<Fragment> = [sql`project_id = ${request.projectId}`]
        if (request.kind !== undefined) where.push(sql`kind = ${request.kind}`)
        if (request.parentId !== undefined) where.push(sql`parent_id = ${request.parentId}`)
        if (request.taskId !== undefined) where.push(sql`task_id = ${request.taskId}`)
        const page = keyset(sql, registerOrder, "asc", Option.fromNullable(request.after))
        // A cursor this list cannot have handed out: an empty page.
        if (page === undefined) return Effect.succeed([])
        if (Option.isSome(page.after)) where.push(page.after.value)
        const limit = request.limit === undefined ? sql.literal("") : sql`LIMIT ${request.limit}`
        return select(sql`${sql.and(where)} ORDER BY ${page.orderBy} ${limit}`, false)
      },
      listByTask: (taskId) => select(sql`task_id = ${taskId}`),
      nextRegistrationNumber: (projectId, kind) => orDie(nextCounter(sql, dialect, `document:${projectId}:${kind}`))
    }
  })
)
