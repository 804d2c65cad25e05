import { SqlClient, SqlSchema } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Ids, Project, ProjectRepo } from "@taskdesk/core"
import { Effect, Layer, Schema } from "effect"
import { column, columnNames, EpochMillis, JsonText, modelRow, SqlBoolean } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { orDie } from "./SqlErrors.js"
import { insertNew, updateAtVersion } from "./SqlRows.js"

const ProjectColumns = Schema.Struct({
  ...Project.Project.fields,
  ownerId: column("owner_id", Ids.UserId),
  memberIds: column("member_ids", JsonText(Schema.Array(Ids.UserId))),
  archived: SqlBoolean,
  createdAt: column("created_at", EpochMillis),
  updatedAt: column("updated_at", EpochMillis)
})

/** A `projects` row as the model it stores. */
export const ProjectRow = modelRow(Project.Project, ProjectColumns)

/** The SQL version of `ProjectRepo`. */
export const layer: Layer.Layer<ProjectRepo.ProjectRepo, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  ProjectRepo.ProjectRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const columns = sql.literal(columnNames(ProjectColumns).join(", "))
    const encode = Schema.encode(ProjectRow)
    const decodeAll = Schema.decodeUnknown(Schema.Array(ProjectRow))

    const findById = SqlSchema.findOne({
      Request: Schema.String,
      Result: ProjectRow,
      execute: (id) => query(sql`SELECT ${columns} FROM projects WHERE id = ${id}`)
    })

    return {
      findById: (id) => orDie(findById(id)),
      insert: (project) =>
        orDie(Effect.flatMap(encode(project), (row) => insertNew(dialect, "projects", "Project", row))),
      update: (project, expectedVersion) =>
        orDie(
          Effect.flatMap(encode(project), (row) =>
            updateAtVersion(sql, dialect, "projects", "Project", row, expectedVersion)
          )
        ),
      list: (request) => {
        const where: Array<Fragment> = []
        if (request.involving !== undefined) {
          where.push(
            sql`(owner_id = ${request.involving} OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = projects.id AND m.user_id = ${request.involving}))`
          )
        }
        if (request.ownerId !== undefined) where.push(sql`owner_id = ${request.ownerId}`)
        if (request.archived !== undefined) where.push(sql`archived = ${request.archived ? 1 : 0}`)
        return orDie(
          Effect.flatMap(
            query(sql`SELECT ${columns} FROM projects WHERE ${sql.and(where)} ORDER BY name, id`),
            decodeAll
          )
        )
      }
    }
  })
)
