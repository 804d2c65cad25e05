import { SqlClient, SqlSchema } from "@effect/sql"
import { Ids, Template, TemplateRepo } from "@taskdesk/core"
import { Effect, Layer, Schema } from "effect"
import { column, columnNames, EpochMillis, modelRow, nullable, rowDecoder } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { orDie } from "./SqlErrors.js"
import { deleteAtVersion, findByIds, insertNew, updateAtVersion } from "./SqlRows.js"

const TemplateColumns = Schema.Struct({
  ...Template.TaskTemplate.fields,
  estimatedMinutes: nullable("estimated_minutes", Template.EstimatedMinutes),
  createdBy: column("created_by", Ids.UserId),
  createdAt: column("created_at", EpochMillis),
  updatedAt: column("updated_at", EpochMillis)
})

/** A `templates` row as the model it stores. */
export const TemplateRow = modelRow(Template.TaskTemplate, TemplateColumns)

/** Lowercased in TypeScript, as the in-memory store compares (SQL's lower() differs per dialect). */
const searchColumns = (template: Template.TaskTemplate) => ({
  title_search: template.title.toLowerCase(),
  description_search: template.description.toLowerCase()
})

/** The SQL version of `TemplateRepo`. */
export const layer: Layer.Layer<TemplateRepo.TemplateRepo, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  TemplateRepo.TemplateRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const columns = sql.literal(columnNames(TemplateColumns).join(", "))
    const encode = Schema.encode(TemplateRow)
    const decode = rowDecoder(TemplateRow)
    const findById = SqlSchema.findOne({
      Request: Schema.String,
      Result: TemplateRow,
      execute: (id) => query(sql`SELECT ${columns} FROM templates WHERE id = ${id}`)
    })
    const row = (template: Template.TaskTemplate) =>
      Effect.map(encode(template), (encoded) => ({ ...encoded, ...searchColumns(template) }))

    return {
      findById: (id) => orDie(findById(id)),
      findByIds: (ids) => orDie(findByIds(sql, query, "templates", columns, decode, ids)),
      insert: (template) =>
        orDie(Effect.flatMap(row(template), (r) => insertNew(dialect, "templates", "TaskTemplate", r))),
      update: (template, expectedVersion) =>
        orDie(
          Effect.flatMap(row(template), (r) =>
            updateAtVersion(sql, dialect, "templates", "TaskTemplate", r, expectedVersion)
          )
        ),
      delete: (id, expectedVersion) =>
        orDie(deleteAtVersion(sql, dialect, "templates", "TaskTemplate", id, expectedVersion)),
      list: (request) => {
        const needle = request.text?.toLowerCase()
        const where =
          needle === undefined
            ? sql.literal("1=1")
            : sql.or([dialect.contains("title_search", needle), dialect.contains("description_search", needle)])
        return orDie(
          Effect.flatMap(query(sql`SELECT ${columns} FROM templates WHERE ${where} ORDER BY title, id`), decode.all)
        )
      }
    }
  })
)
