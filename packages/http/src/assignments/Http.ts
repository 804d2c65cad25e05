import { Assignments } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Etag from "../Etag.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** Batches of work and the answers to them. */
export const AssignmentsLive = Dispatcher.group(TaskdeskApi, "assignments", (handlers) =>
  Effect.gen(function* () {
    const assignments = yield* Assignments.Assignments
    return handlers
      .handle("batch", ({ payload }) => assignments.batch(payload))
      .handle("list", ({ urlParams }) => assignments.list(urlParams))
      .handle("get", ({ path }) => Etag.tagged(assignments.get(path.id)))
      .handle("accept", ({ path }) => assignments.accept(path.id))
      .handle("reject", ({ path, payload }) => assignments.reject(path.id, payload.reason))
      .handle("complete", ({ path }) => assignments.complete(path.id))
      .handle("cancel", ({ path }) => assignments.cancel(path.id))
      .handle("inbox", ({ urlParams }) => assignments.inbox(urlParams.status ?? "all"))
  })
)
