import { Effect, Layer, Option } from "effect"
import { ExternalRefs } from "../ExternalRefs.js"
import { MemoryStore } from "./MemoryStore.js"

// One key for both parts: the namespace cannot contain the separator's code point in practice, and
// a clash would only make two references one.
const keyOf = (namespace: string, externalId: string) => `${namespace}\u0000${externalId}`

/** External references in the in-memory store, inside its transactions like every other table. */
export const layer: Layer.Layer<ExternalRefs, never, MemoryStore> = Layer.effect(
  ExternalRefs,
  Effect.map(MemoryStore, (store) => {
    const refs = store.table<string, string>("external_refs")
    return {
      resolve: (namespace, externalIds) =>
        Effect.map(
          Effect.forEach(externalIds, (id) =>
            Effect.map(refs.get(keyOf(namespace, id)), (found) => [id, found] as const)
          ),
          (pairs) => {
            const out = new Map<string, string>()
            for (const [id, found] of pairs) if (Option.isSome(found)) out.set(id, found.value)
            return out
          }
        ),
      put: (namespace, externalId, internalId) => refs.put(keyOf(namespace, externalId), internalId),
      putMany: (namespace, pairs) =>
        store.transaction(
          Effect.forEach(pairs, ([externalId, internalId]) => refs.put(keyOf(namespace, externalId), internalId), {
            discard: true
          })
        )
    }
  })
)
