import { DateTime, Effect, Layer } from "effect"
import type { Comment } from "../Comment.js"
import { CommentRepo } from "../CommentRepo.js"
import type { CommentId } from "../Ids.js"
import { insertNew, MemoryStore } from "./MemoryStore.js"

export const layer: Layer.Layer<CommentRepo, never, MemoryStore> = Layer.effect(
  CommentRepo,
  Effect.gen(function* () {
    const store = yield* MemoryStore
    const comments = store.table<CommentId, Comment>("comments")
    return {
      insert: (comment) => store.transaction(insertNew(comments, "Comment", comment.id, comment)),
      listByTask: (taskId) =>
        Effect.map(comments.values, (all) =>
          all
            .filter((c) => c.taskId === taskId)
            .sort((a, b) => {
              const byTime = DateTime.toEpochMillis(a.createdAt) - DateTime.toEpochMillis(b.createdAt)
              return byTime !== 0 ? byTime : a.id < b.id ? -1 : 1
            })
        )
    }
  })
)
