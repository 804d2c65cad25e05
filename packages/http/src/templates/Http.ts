import { Templates } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Etag from "../Etag.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** The task library. */
export const TemplatesLive = Dispatcher.group(TaskdeskApi, "templates", (handlers) =>
  Effect.gen(function* () {
    const templates = yield* Templates.Templates
    return handlers
      .handle("list", ({ urlParams }) => templates.list(urlParams))
      .handle("create", ({ payload }) => templates.create(payload))
      .handle("get", ({ path }) => Etag.tagged(templates.get(path.id)))
      .handle("update", ({ path, headers, payload }) =>
        Etag.guarded(headers["if-match"], { entity: "TaskTemplate", id: path.id }, (expected) =>
          templates.update(path.id, payload, expected)
        )
      )
      .handle("delete", ({ path, headers }) =>
        Etag.guardedRemoval(headers["if-match"], { entity: "TaskTemplate", id: path.id }, (expected) =>
          templates.delete(path.id, expected)
        )
      )
  })
)
