import { Assignment, AssignmentRepo, Page, Task } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option } from "effect"
import { checkVersion, insertNew, KvStore } from "../KvStore.js"

const newestFirst = [-1, -1] as const

/** Whether a key can be one `sortKey` made; another (a forged cursor) gives an empty page, as in SQL. */
const isKey = (key: ReadonlyArray<string | number>) =>
  key.length === 2 && typeof key[0] === "number" && typeof key[1] === "string"

/** `AssignmentRepo` over the key-value store. */
export const layer: Layer.Layer<AssignmentRepo.AssignmentRepo, never, KvStore> = Layer.effect(
  AssignmentRepo.AssignmentRepo,
  Effect.gen(function* () {
    const store = yield* KvStore
    const assignments = store.table("assignments", Assignment.Assignment)
    // Project visibility joins the task, as SQL would.
    const tasks = store.table("tasks", Task.Task)
    return {
      findById: assignments.get,
      insert: (a) => store.transaction(insertNew(assignments, "Assignment", a.id, a)),
      update: (a, expectedVersion) =>
        store.transaction(
          Effect.zipRight(checkVersion(assignments, "Assignment", a.id, expectedVersion), assignments.put(a.id, a))
        ),
      list: (q) =>
        Effect.gen(function* () {
          if (q.after !== undefined && !isKey(q.after)) return []
          const all = yield* assignments.values
          const projectOf = new Map<string, Option.Option<string>>()
          if (q.projectIds !== undefined) {
            for (const a of all) {
              if (!projectOf.has(a.taskId)) {
                projectOf.set(
                  a.taskId,
                  Option.flatMap(yield* tasks.get(a.taskId), (t) => t.projectId)
                )
              }
            }
          }
          return all
            .filter(
              (a) =>
                (q.status === undefined || q.status.includes(a.status)) &&
                (q.assigneeId === undefined || a.assigneeId === q.assigneeId) &&
                (q.assignedBy === undefined || a.assignedBy === q.assignedBy) &&
                (q.taskId === undefined || a.taskId === q.taskId) &&
                (q.after === undefined || Page.compareKeys(AssignmentRepo.sortKey(a), q.after, newestFirst) > 0) &&
                (q.projectIds === undefined ||
                  a.assigneeId === q.visibleTo ||
                  Option.exists(projectOf.get(a.taskId) ?? Option.none(), (p) => q.projectIds!.some((id) => id === p)))
            )
            .sort((a, b) => {
              const byTime = DateTime.toEpochMillis(b.createdAt) - DateTime.toEpochMillis(a.createdAt)
              return byTime !== 0 ? byTime : a.id < b.id ? 1 : a.id > b.id ? -1 : 0
            })
            .slice(0, q.limit ?? Number.MAX_SAFE_INTEGER)
        })
    }
  })
)
