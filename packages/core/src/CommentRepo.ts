import { Context, type Effect } from "effect"
import type { Comment } from "./Comment.js"
import type { DuplicateKey } from "./Errors.js"
import type { TaskId } from "./Ids.js"

/** Storage port for task comments. Deleting a task deletes its comments. */
export class CommentRepo extends Context.Tag("@taskdesk/core/CommentRepo")<
  CommentRepo,
  {
    readonly insert: (comment: Comment) => Effect.Effect<void, DuplicateKey>
    /** A task's comments, oldest first (time, then id). */
    readonly listByTask: (taskId: TaskId) => Effect.Effect<ReadonlyArray<Comment>>
  }
>() {}
