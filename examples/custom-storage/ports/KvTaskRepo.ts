import { Assignment, Comment, Errors, Page, Task, TaskQuery, TaskRepo } from "@taskdesk/core"
import { Effect, Layer, Option } from "effect"
import { checkVersion, getMany, insertNew, KvStore } from "../KvStore.js"

/** `TaskRepo` over the key-value store. */
export const layer: Layer.Layer<TaskRepo.TaskRepo, never, KvStore> = Layer.effect(
  TaskRepo.TaskRepo,
  Effect.gen(function* () {
    const store = yield* KvStore
    const tasks = store.table("tasks", Task.Task)
    const assignments = store.table("assignments", Assignment.Assignment)
    const comments = store.table("comments", Comment.Comment)

    return {
      findById: tasks.get,
      findByIds: (ids) => getMany(tasks, ids),
      insert: (task) => store.transaction(insertNew(tasks, "Task", task.id, task)),
      // Every id is checked before the first write: a caller's transaction that goes on after the refusal (as an
      // import's does, reporting the row) must find none of the batch written.
      insertMany: (batch) =>
        store.transaction(
          Effect.gen(function* () {
            const seen = new Set<string>()
            for (const task of batch) {
              if (seen.has(task.id) || Option.isSome(yield* tasks.get(task.id))) {
                return yield* new Errors.DuplicateKey({ entity: "Task", field: "id", value: task.id })
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
          const directions = TaskQuery.sortDirections(query.sort, query.order)
          const keyed = all
            .filter((task) => TaskQuery.matches(task, query))
            .map((task) => ({ task, key: TaskQuery.sortKey(task, query.sort) }))
            .filter(({ key }) =>
              Option.match(query.after, {
                onNone: () => true,
                onSome: (after) => Page.compareKeys(key, after, directions) > 0
              })
            )
          keyed.sort((a, b) => Page.compareKeys(a.key, b.key, directions))
          return keyed.slice(0, query.limit).map(({ task }) => task)
        })
    }
  })
)
