import { Document, DocumentRepo, Errors, Page } from "@taskdesk/core"
import { Effect, Layer, Option } from "effect"
import { KvStore } from "../KvStore.js"

/** `DocumentRepo` over the key-value store. */
export const layer: Layer.Layer<DocumentRepo.DocumentRepo, never, KvStore> = Layer.effect(
  DocumentRepo.DocumentRepo,
  Effect.gen(function* () {
    const store = yield* KvStore
    const documents = store.table("documents", Document.Document)

    return {
      findById: documents.get,
      findByRegistrationNumber: (projectId, registrationNumber) =>
        Effect.map(documents.values, (all) =>
          Option.fromNullable(all.find((d) => d.projectId === projectId && d.registrationNumber === registrationNumber))
        ),
      insert: (document) =>
        store.transaction(
          Effect.gen(function* () {
            if (Option.isSome(yield* documents.get(document.id))) {
              return yield* new Errors.DuplicateKey({ entity: "Document", field: "id", value: document.id })
            }
            const all = yield* documents.values
            if (
              all.some(
                (d) => d.projectId === document.projectId && d.registrationNumber === document.registrationNumber
              )
            ) {
              return yield* new Errors.DuplicateKey({
                entity: "Document",
                field: "registrationNumber",
                value: document.registrationNumber
              })
            }
            yield* documents.put(document.id, document)
          })
        ),
      list: (query) =>
        Effect.map(documents.values, (all) => {
          const after = query.after
          if (after !== undefined && !DocumentRepo.isSortKey(after)) return []
          return all
            .filter(
              (d) =>
                DocumentRepo.matches(d, query) &&
                (after === undefined || Page.compareKeys(DocumentRepo.sortKey(d), after, [1, 1]) > 0)
            )
            .sort(DocumentRepo.compare)
            .slice(0, query.limit ?? Number.MAX_SAFE_INTEGER)
        }),
      listByTask: (taskId) =>
        Effect.map(documents.values, (all) =>
          all.filter((d) => Option.contains(d.taskId, taskId)).sort(DocumentRepo.compare)
        ),
      nextRegistrationNumber: (projectId, kind) => store.nextSequence(`document:${projectId}:${kind}`)
    }
  })
)
