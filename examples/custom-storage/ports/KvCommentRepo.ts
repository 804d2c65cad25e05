import { Comment, CommentRepo } from "@taskdesk/core"
import { DateTime, Effect, Layer } from "effect"
import { insertNew, KvStore } from "../KvStore.js"

/** `CommentRepo` over the key-value store. */
export const layer: Layer.Layer<CommentRepo.CommentRepo, never, KvStore> = Layer.effect(
  CommentRepo.CommentRepo,
  Effect.gen(function* () {
    const store = yield* KvStore
    const comments = store.table("comments", Comment.Comment)
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
