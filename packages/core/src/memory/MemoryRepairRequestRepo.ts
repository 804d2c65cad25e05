import { DateTime, Effect, Layer, Option } from "effect"
import { DuplicateKey } from "../Errors.js"
import type { CommentId, RepairRequestId } from "../Ids.js"
import { compareKeys } from "../Page.js"
import { matches, sortDirections, sortKey } from "../RepairQuery.js"
import type { RepairComment, RepairRequest } from "../RepairRequest.js"
import { RepairRequestRepo } from "../RepairRequestRepo.js"
import { checkVersion, insertNew, MemoryStore } from "./MemoryStore.js"

/** The table names the repair layers share, so statistics read the same rows. */
export const tables = { requests: "repair_requests", comments: "repair_comments" } as const

export const layer: Layer.Layer<RepairRequestRepo, never, MemoryStore> = Layer.effect(
  RepairRequestRepo,
  Effect.gen(function* () {
    const store = yield* MemoryStore
    const requests = store.table<RepairRequestId, RepairRequest>(tables.requests)
    const comments = store.table<CommentId, RepairComment>(tables.comments)

    return {
      findById: requests.get,
      findByNumber: (number) =>
        Effect.map(requests.values, (all) => Option.fromNullable(all.find((r) => r.number === number))),
      insert: (request) =>
        store.transaction(
          Effect.gen(function* () {
            if ((yield* requests.values).some((r) => r.number === request.number && r.id !== request.id)) {
              return yield* new DuplicateKey({
                entity: "RepairRequest",
                field: "number",
                value: String(request.number)
              })
            }
            yield* insertNew(requests, "RepairRequest", request.id, request)
          })
        ),
      update: (request, expectedVersion) =>
        store.transaction(
          Effect.zipRight(
            checkVersion(requests, "RepairRequest", request.id, expectedVersion),
            requests.put(request.id, request)
          )
        ),
      list: (query) =>
        Effect.map(requests.values, (all) => {
          const directions = sortDirections(query.sort, query.order)
          const keyed = all
            .filter((request) => matches(request, query))
            .map((request) => ({ request, key: sortKey(request, query.sort) }))
            .filter(({ key }) =>
              Option.match(query.after, {
                onNone: () => true,
                onSome: (after) => compareKeys(key, after, directions) > 0
              })
            )
          keyed.sort((a, b) => compareKeys(a.key, b.key, directions))
          return keyed.slice(0, query.limit).map(({ request }) => request)
        }),
      nextNumber: store.transaction(store.nextSequence("repair_number")),
      addComment: (comment) => store.transaction(insertNew(comments, "RepairComment", comment.id, comment)),
      listComments: (requestId) =>
        Effect.map(comments.values, (all) =>
          all
            .filter((c) => c.requestId === requestId)
            .sort(
              (a, b) =>
                DateTime.toEpochMillis(a.createdAt) - DateTime.toEpochMillis(b.createdAt) ||
                (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
            )
        )
    }
  })
)
