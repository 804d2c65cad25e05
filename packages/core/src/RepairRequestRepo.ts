import { Context, type Effect, type Option } from "effect"
import type { DuplicateKey, NotFound, VersionConflict } from "./Errors.js"
import type { RepairRequestId } from "./Ids.js"
import type { RepairRepoQuery } from "./RepairQuery.js"
import type { RepairComment, RepairRequest } from "./RepairRequest.js"

/**
 * Storage port for repair requests and their comments. The rating lives on the request, so rating
 * twice is refused by the request's version like any other concurrent change.
 */
export class RepairRequestRepo extends Context.Tag("@taskdesk/core/RepairRequestRepo")<
  RepairRequestRepo,
  {
    readonly findById: (id: RepairRequestId) => Effect.Effect<Option.Option<RepairRequest>>
    /** The request with this installation-wide number (`R-000042` is 42). */
    readonly findByNumber: (number: number) => Effect.Effect<Option.Option<RepairRequest>>
    /** Fails with `DuplicateKey` on a taken id (field `id`) or number (field `number`). */
    readonly insert: (request: RepairRequest) => Effect.Effect<void, DuplicateKey>
    /** Stores `request` if the stored version is still `expectedVersion`. */
    readonly update: (
      request: RepairRequest,
      expectedVersion: number
    ) => Effect.Effect<void, VersionConflict | NotFound>
    /** Up to `query.limit` requests in sort order, strictly after `query.after`. */
    readonly list: (query: RepairRepoQuery) => Effect.Effect<ReadonlyArray<RepairRequest>>
    /**
     * The next request number: 1, 2, … per installation. Part of the current transaction: a
     * rolled-back transaction gives its number back, so numbers have no gaps (SQL: a counter row
     * updated in the transaction, not a database sequence).
     */
    readonly nextNumber: Effect.Effect<number>
    /** Fails with `DuplicateKey` on a taken comment id. */
    readonly addComment: (comment: RepairComment) => Effect.Effect<void, DuplicateKey>
    /** The request's comments, oldest first (by creation time, then id). */
    readonly listComments: (requestId: RepairRequestId) => Effect.Effect<ReadonlyArray<RepairComment>>
  }
>() {}
