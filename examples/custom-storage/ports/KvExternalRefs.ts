import { ExternalRefs } from "@taskdesk/core"
import { Effect, Layer, Option, Schema } from "effect"
import { KvStore } from "../KvStore.js"

// One key for both parts; the namespace holds no NUL in practice, and a clash would only make two references one.
const keyOf = (namespace: string, externalId: string) => `${namespace}\u0000${externalId}`

/** `ExternalRefs` over the key-value store. */
export const layer: Layer.Layer<ExternalRefs.ExternalRefs, never, KvStore> = Layer.effect(
  ExternalRefs.ExternalRefs,
  Effect.map(KvStore, (store) => {
    const refs = store.table("external_refs", Schema.String)
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
