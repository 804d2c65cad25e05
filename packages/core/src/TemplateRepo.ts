import { Context, type Effect, type Option } from "effect"
import type { DuplicateKey, NotFound, VersionConflict } from "./Errors.js"
import type { TemplateId } from "./Ids.js"
import type { TaskTemplate } from "./Template.js"

/** Storage port for the task library. */
export class TemplateRepo extends Context.Tag("@taskdesk/core/TemplateRepo")<
  TemplateRepo,
  {
    readonly findById: (id: TemplateId) => Effect.Effect<Option.Option<TaskTemplate>>
    readonly findByIds: (ids: ReadonlyArray<TemplateId>) => Effect.Effect<ReadonlyArray<TaskTemplate>>
    readonly insert: (template: TaskTemplate) => Effect.Effect<void, DuplicateKey>
    readonly update: (
      template: TaskTemplate,
      expectedVersion: number
    ) => Effect.Effect<void, VersionConflict | NotFound>
    readonly delete: (id: TemplateId, expectedVersion: number) => Effect.Effect<void, VersionConflict | NotFound>
    /** Templates ordered by title, then id; `text` matches title or description, ignoring case. */
    readonly list: (query: { readonly text?: string | undefined }) => Effect.Effect<ReadonlyArray<TaskTemplate>>
  }
>() {}
