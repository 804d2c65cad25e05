import { Effect, Layer, Option } from "effect"
import type { Document } from "../Document.js"
import { compare, DocumentRepo, isSortKey, matches, sortKey } from "../DocumentRepo.js"
import { DuplicateKey } from "../Errors.js"
import type { DocumentId } from "../Ids.js"
import { compareKeys } from "../Page.js"
import { MemoryStore } from "./MemoryStore.js"

export const layer: Layer.Layer<DocumentRepo, never, MemoryStore> = Layer.effect(
  DocumentRepo,
  Effect.gen(function* () {
    const store = yield* MemoryStore
    const documents = store.table<DocumentId, Document>("documents")

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
              return yield* new DuplicateKey({ entity: "Document", field: "id", value: document.id })
            }
            const all = yield* documents.values
            if (
              all.some(
                (d) => d.projectId === document.projectId && d.registrationNumber === document.registrationNumber
              )
            ) {
              return yield* new DuplicateKey({
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
          if (after !== undefined && !isSortKey(after)) return []
          return all
            .filter((d) => matches(d, query) && (after === undefined || compareKeys(sortKey(d), after, [1, 1]) > 0))
            .sort(compare)
            .slice(0, query.limit ?? Number.MAX_SAFE_INTEGER)
        }),
      listByTask: (taskId) =>
        Effect.map(documents.values, (all) => all.filter((d) => Option.contains(d.taskId, taskId)).sort(compare)),
      nextRegistrationNumber: (projectId, kind) => store.nextSequence(`document:${projectId}:${kind}`)
    }
  })
)
