import { Effect, Layer, Option } from "effect"
import type { TaskId } from "../Ids.js"
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

    return {
      findById: tasks.get,
      findByIds: (ids) => getMany(tasks, ids),
      insert: (task) => store.transaction(insertNew(tasks, "Task", task.id, task)),
      update: (task, expectedVersion) =>
        store.transaction(
          Effect.zipRight(checkVersion(tasks, "Task", task.id, expectedVersion), tasks.put(task.id, task))
        ),
      delete: (id, expectedVersion) =>
        store.transaction(Effect.zipRight(checkVersion(tasks, "Task", id, expectedVersion), tasks.remove(id))),
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
