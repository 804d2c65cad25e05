import { HttpServerResponse } from "@effect/platform"
import { Comments, type Task, Tasks } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Etag from "../Etag.js"
import * as Dispatcher from "../serve/Dispatcher.js"
import * as Json from "./Json.js"

/** A task answered as JSON with its `ETag`, bypassing the generic encoder (see `Json.task`). */
const withEtag = (task: Task.Task, status = 200) =>
  HttpServerResponse.unsafeJson(Json.task(task), { status, headers: { etag: Etag.of(task) } })

/** Tasks, their comments and history: each handler translates and hands over to the core. */
export const TasksLive = Dispatcher.group(TaskdeskApi, "tasks", (handlers) =>
  Effect.gen(function* () {
    const tasks = yield* Tasks.Tasks
    const comments = yield* Comments.Comments
    return handlers
      .handle("list", ({ urlParams }) =>
        Effect.map(tasks.list(urlParams), (p) => HttpServerResponse.unsafeJson(Json.page(p)))
      )
      .handle("create", ({ payload }) => Effect.map(tasks.create(payload), (t) => withEtag(t, 201)))
      .handle("get", ({ path }) => Effect.map(tasks.get(path.id), (t) => withEtag(t)))
      .handle("update", ({ path, headers, payload: { status, ...patch } }) =>
        Etag.guarded(headers["if-match"], { entity: "Task", id: path.id }, (expected) =>
          Effect.gen(function* () {
            const changesFields = Object.values(patch).some((v) => v !== undefined)
            const updated =
              changesFields || status === undefined ? yield* tasks.update(path.id, patch, expected) : undefined
            if (status === undefined) return updated!
            const current = updated ?? (yield* tasks.get(path.id))
            // Asking for the status a task has already is no move at all.
            if (current.status === status) return current
            return yield* tasks.changeStatus(path.id, status, updated?.version ?? expected)
          })
        )
      )
      .handle("delete", ({ path, headers }) =>
        Etag.guardedRemoval(headers["if-match"], { entity: "Task", id: path.id }, (expected) =>
          tasks.delete(path.id, expected)
        )
      )
      .handle("listComments", ({ path }) => comments.list(path.id))
      .handle("addComment", ({ path, payload }) => comments.add(path.id, payload.body))
      .handle("history", ({ path }) => tasks.history(path.id))
  })
)
