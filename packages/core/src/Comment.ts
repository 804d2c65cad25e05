import { Schema } from "effect"
import { CommentId, TaskId, UserId } from "./Ids.js"
import { multiLine } from "./Text.js"

/** A comment's text: 1–10,000 characters, several lines allowed. */
export const CommentBody = multiLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(10_000)))

/** A remark on a task by someone who may see it. */
export class Comment extends Schema.Class<Comment>("Comment")({
  id: CommentId,
  taskId: TaskId,
  authorId: UserId,
  body: CommentBody,
  createdAt: Schema.DateTimeUtc
}) {}
