import { Effect, Layer, Option } from "effect"
import type { Assignment } from "../Assignment.js"
import type { Comment } from "../Comment.js"
import { DuplicateKey } from "../Errors.js"
import type { AssignmentId, CommentId, TaskId } from "../Ids.js"
import { compareKeys } from "../Page.js"
import type { Task } from "../Task.js"
import { matches, sortDirections, sortKey } from "../TaskQuery.js"
import { TaskRepo } from "../TaskRepo.js"
import { checkVersion, getMany, insertNew, MemoryStore } from "./MemoryStore.js"

export const layer: Layer.Layer<TaskRepo, never, MemoryStore> = Layer.effect(
  TaskRepo,
  Effect.gen(function* () {
    const store = yield* MemoryStore
    const tasks = store.table<TaskId, Task>("tasks")
    const assignments = store.table<AssignmentId, Assignment>("assignments")
    const comments = store.table<CommentId, Comment>("comments")

    return {
      findById: tasks.get,
      findByIds: (ids) => getMany(tasks, ids),
      insert: (task) => store.transaction(insertNew(tasks, "Task", task.id, task)),
      // Every id checked before the first write: inside a caller's transaction there is no
      // savepoint to roll a half-done batch back to.
      insertMany: (batch) =>
        store.transaction(
          Effect.gen(function* () {
            const seen = new Set<string>()
            for (const task of batch) {
              if (seen.has(task.id) || Option.isSome(yield* tasks.get(task.id))) {
                return yield* new DuplicateKey({ entity: "Task", field: "id", value: task.id })
              }
              seen.add(task.id)
            }
            for (const task of batch) yield* tasks.put(task.id, task)
          })
        ),
      update: (task, expectedVersion) =>
        store.transaction(
          Effect.zipRight(checkVersion(tasks, "Task", task.id, expectedVersion), tasks.put(task.id, task))
        ),
      // Like SQL's ON DELETE CASCADE: a task's assignments and comments go with it.
      delete: (id, expectedVersion) =>
        store.transaction(
          Effect.gen(function* () {
            yield* checkVersion(tasks, "Task", id, expectedVersion)
            yield* tasks.remove(id)
            for (const a of yield* assignments.values) if (a.taskId === id) yield* assignments.remove(a.id)
            for (const c of yield* comments.values) if (c.taskId === id) yield* comments.remove(c.id)
          })
        ),
      list: (query) =>
        Effect.map(tasks.values, (all) => {
          const directions = sortDirections(query.sort, query.order)
          const keyed = all
            .filter((task) => matches(task, query))
            .map((task) => ({ task, key: sortKey(task, query.sort) }))
            .filter(({ key }) =>
              Option.match(query.after, {
                onNone: () => true,
                onSome: (after) => compareKeys(key, after, directions) > 0
              })
            )
          keyed.sort((a, b) => compareKeys(a.key, b.key, directions))
          return keyed.slice(0, query.limit).map(({ task }) => task)
        })
    }
  })
)
