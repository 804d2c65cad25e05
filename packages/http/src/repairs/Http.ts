import { RepairRequests } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Etag from "../Etag.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** Repair requests through their life: filed, assigned, worked, completed or cancelled, rated. */
export const RepairsLive = Dispatcher.group(TaskdeskApi, "repairs", (handlers) =>
  Effect.gen(function* () {
    const repairs = yield* RepairRequests.RepairRequests
    return handlers
      .handle("list", ({ urlParams }) => repairs.list(urlParams))
      .handle("create", ({ payload }) => repairs.create(payload))
      .handle("get", ({ path }) => Etag.tagged(repairs.get(path.id)))
      .handle("update", ({ path, headers, payload }) =>
        Etag.guarded(headers["if-match"], { entity: "RepairRequest", id: path.id }, (expected) =>
          repairs.update(path.id, payload, expected)
        )
      )
      .handle("assign", ({ path, payload }) => repairs.assign(path.id, payload.technicianId))
      .handle("start", ({ path }) => repairs.start(path.id))
      .handle("hold", ({ path, payload }) => repairs.hold(path.id, payload.reason))
      .handle("complete", ({ path, payload }) => repairs.complete(path.id, payload.note))
      .handle("cancel", ({ path, payload }) => repairs.cancel(path.id, payload.reason))
      .handle("listComments", ({ path }) => repairs.comments(path.id))
      .handle("addComment", ({ path, payload }) => repairs.comment(path.id, payload.body))
      .handle("rate", ({ path, payload }) => repairs.rate(path.id, payload.score, payload.feedback))
      .handle("history", ({ path }) => repairs.history(path.id))
  })
)
