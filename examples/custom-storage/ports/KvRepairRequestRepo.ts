import { Errors, Page, RepairQuery, RepairRequest, RepairRequestRepo } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option } from "effect"
import { checkVersion, insertNew, KvStore } from "../KvStore.js"

/** `RepairRequestRepo` over the key-value store. */
export const layer: Layer.Layer<RepairRequestRepo.RepairRequestRepo, never, KvStore> = Layer.effect(
  RepairRequestRepo.RepairRequestRepo,
  Effect.gen(function* () {
    const store = yield* KvStore
    const requests = store.table("repair_requests", RepairRequest.RepairRequest)
    const comments = store.table("repair_comments", RepairRequest.RepairComment)

    return {
      findById: requests.get,
      findByNumber: (number) =>
        Effect.map(requests.values, (all) => Option.fromNullable(all.find((r) => r.number === number))),
      insert: (request) =>
        store.transaction(
          Effect.gen(function* () {
            if ((yield* requests.values).some((r) => r.number === request.number && r.id !== request.id)) {
              return yield* new Errors.DuplicateKey({
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
          const directions = RepairQuery.sortDirections(query.sort, query.order)
          const keyed = all
            .filter((request) => RepairQuery.matches(request, query))
            .map((request) => ({ request, key: RepairQuery.sortKey(request, query.sort) }))
            .filter(({ key }) =>
              Option.match(query.after, {
                onNone: () => true,
                onSome: (after) => Page.compareKeys(key, after, directions) > 0
              })
            )
          keyed.sort((a, b) => Page.compareKeys(a.key, b.key, directions))
          return keyed.slice(0, query.limit).map(({ request }) => request)
        }),
      nextNumber: store.nextSequence("repair_number"),
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
