import { Context, type Effect } from "effect"

/**
 * The ids another system gave to things taskdesk now holds (seed 000's `users.csv` ids, say), so
 * importing the same file again finds what the first import made instead of making it twice, and
 * references between files (`assigned_to`) resolve. A `namespace` names the system and the kind of
 * thing (`csv:user`, `csv:task`): the same external id in two namespaces is two references.
 */
export class ExternalRefs extends Context.Tag("@taskdesk/core/ExternalRefs")<
  ExternalRefs,
  {
    /** The internal ids of those of `externalIds` known in `namespace`, keyed by external id. */
    readonly resolve: (
      namespace: string,
      externalIds: ReadonlyArray<string>
    ) => Effect.Effect<ReadonlyMap<string, string>>
    /** Records that `externalId` in `namespace` is `internalId`, replacing what it was before. */
    readonly put: (namespace: string, externalId: string, internalId: string) => Effect.Effect<void>
    /**
     * Records each `[externalId, internalId]` pair in `namespace` as `put` does, all or none; of
     * pairs with the same external id the last counts. A few statements for any number of pairs.
     */
    readonly putMany: (
      namespace: string,
      refs: ReadonlyArray<readonly [externalId: string, internalId: string]>
    ) => Effect.Effect<void>
  }
>() {}
