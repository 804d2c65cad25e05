import { Context, type Effect, Option } from "effect"
import type { Document, DocumentKind } from "./Document.js"
import type { DuplicateKey } from "./Errors.js"
import type { DocumentId, ProjectId, TaskId } from "./Ids.js"
import type { SortKey } from "./Page.js"

/** Which documents of one project to list; all given filters must hold. */
export interface DocumentQuery {
  readonly projectId: ProjectId
  readonly kind?: DocumentKind | undefined
  readonly parentId?: DocumentId | undefined
  readonly taskId?: TaskId | undefined
  /** Only documents strictly after this key (`sortKey`) in the register's order: the next page. */
  readonly after?: SortKey | undefined
  readonly limit?: number | undefined
}

/** A document's place in the register's order (`compare`): `[created millis, id]`, both ascending. */
export const sortKey = (document: Document): SortKey => [document.createdAt.epochMillis, document.id]

/** Whether a key can be one `sortKey` made; another (a forged cursor) gives an empty page. */
export const isSortKey = (key: SortKey): boolean =>
  key.length === 2 && typeof key[0] === "number" && typeof key[1] === "string"

/** Whether a document passes the query; the reference semantics for every store. */
export const matches = (document: Document, query: DocumentQuery): boolean =>
  document.projectId === query.projectId &&
  (query.kind === undefined || document.kind === query.kind) &&
  (query.parentId === undefined || Option.contains(document.parentId, query.parentId)) &&
  (query.taskId === undefined || Option.contains(document.taskId, query.taskId))

/** The register's order: by registration time, then id. */
export const compare = (a: Document, b: Document): number =>
  a.createdAt.epochMillis !== b.createdAt.epochMillis
    ? a.createdAt.epochMillis - b.createdAt.epochMillis
    : a.id < b.id
      ? -1
      : a.id > b.id
        ? 1
        : 0

/** Storage port for documents. Registration numbers are unique within a project (exact match). */
export class DocumentRepo extends Context.Tag("@taskdesk/core/DocumentRepo")<
  DocumentRepo,
  {
    readonly findById: (id: DocumentId) => Effect.Effect<Option.Option<Document>>
    readonly findByRegistrationNumber: (
      projectId: ProjectId,
      registrationNumber: string
    ) => Effect.Effect<Option.Option<Document>>
    /** Fails with `DuplicateKey` on a taken id (field `id`) or registration number (field `registrationNumber`). */
    readonly insert: (document: Document) => Effect.Effect<void, DuplicateKey>
    /** A project's documents passing the query, in `compare` order. */
    readonly list: (query: DocumentQuery) => Effect.Effect<ReadonlyArray<Document>>
    /** The documents linked to a task (its resolution and reports), in `compare` order. */
    readonly listByTask: (taskId: TaskId) => Effect.Effect<ReadonlyArray<Document>>
    /**
     * The next number (1, 2, …) of the project's sequence for `kind`. Part of the current
     * transaction: a rolled-back transaction gives its numbers back.
     */
    readonly nextRegistrationNumber: (projectId: ProjectId, kind: DocumentKind) => Effect.Effect<number>
  }
>() {}
