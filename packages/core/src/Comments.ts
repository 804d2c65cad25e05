import { DateTime, Effect } from "effect"
import { CurrentActor } from "./Actor.js"
import { AuditLog } from "./AuditLog.js"
import { Comment, CommentBody } from "./Comment.js"
import { CommentRepo } from "./CommentRepo.js"
import { IdGenerator } from "./IdGenerator.js"
import { CommentId, type TaskId } from "./Ids.js"
import { traced } from "./Operation.js"
import { authorize, Policy } from "./Policy.js"
import { Tasks, taskSubject } from "./Tasks.js"
import { validate } from "./Validation.js"

/** Comments on tasks: whoever may see a task and comment on it. */
export class Comments extends Effect.Service<Comments>()("@taskdesk/core/Comments", {
  effect: Effect.gen(function* () {
    const repo = yield* CommentRepo
    const tasks = yield* Tasks
    const policy = yield* Policy
    const audit = yield* AuditLog
    const ids = yield* IdGenerator

    const checkTask = (taskId: TaskId, action: "task.read" | "task.comment") =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        const task = yield* tasks.internal.load(taskId)
        const relations = yield* tasks.internal.relationsOf(actor, task)
        yield* authorize(policy, actor, { entity: "Task", id: taskId, read: "task.read", action, relations })
        return actor
      })

    const add = traced("Comments.add")(function* (taskId: TaskId, body: string) {
      const { body: valid } = yield* validate({ body: CommentBody })({ body })
      return yield* audit.transaction(
        Effect.gen(function* () {
          const actor = yield* checkTask(taskId, "task.comment")
          const comment = new Comment({
            id: CommentId.make(yield* ids.next),
            taskId,
            authorId: actor.id,
            body: valid,
            createdAt: yield* DateTime.now
          })
          yield* repo.insert(comment).pipe(Effect.orDie)
          yield* audit.record(taskSubject(taskId), {
            _tag: "task.commented",
            commentId: comment.id,
            body: comment.body
          })
          return comment
        })
      )
    })

    const list = traced("Comments.list")(function* (taskId: TaskId) {
      yield* checkTask(taskId, "task.read")
      return yield* repo.listByTask(taskId)
    })

    return { add, list } as const
  })
}) {}
