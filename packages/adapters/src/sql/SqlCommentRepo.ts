import { SqlClient } from "@effect/sql"
import { Comment, CommentRepo, Ids } from "@taskdesk/core"
import { Effect, Layer, Schema } from "effect"
import { column, columnNames, EpochMillis, modelRow } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { missingForeignRow, orDie } from "./SqlErrors.js"
import { insertNew } from "./SqlRows.js"

const CommentColumns = Schema.Struct({
  ...Comment.Comment.fields,
  taskId: column("task_id", Ids.TaskId),
  authorId: column("author_id", Ids.UserId),
  createdAt: column("created_at", EpochMillis)
})

/** A `comments` row as the model it stores. */
export const CommentRow = modelRow(Comment.Comment, CommentColumns)

/** The SQL version of `CommentRepo`. A comment's task must exist; deleting the task deletes it. */
export const layer: Layer.Layer<CommentRepo.CommentRepo, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  CommentRepo.CommentRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const columns = sql.literal(columnNames(CommentColumns).join(", "))
    const encode = Schema.encode(CommentRow)
    const decodeAll = Schema.decodeUnknown(Schema.Array(CommentRow))
    return {
      insert: (comment) =>
        orDie(
          Effect.flatMap(encode(comment), (row) => insertNew(dialect, "comments", "Comment", row)).pipe(
            missingForeignRow(dialect.violation, "Task", comment.taskId)
          )
        ),
      listByTask: (taskId) =>
        orDie(
          Effect.flatMap(
            query(sql`SELECT ${columns} FROM comments WHERE task_id = ${taskId} ORDER BY created_at, id`),
            decodeAll
          )
        )
    }
  })
)
