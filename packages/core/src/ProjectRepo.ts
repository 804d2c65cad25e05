import { Context, type Effect, type Option } from "effect"
import type { DuplicateKey, NotFound, VersionConflict } from "./Errors.js"
import type { ProjectId, UserId } from "./Ids.js"
import type { Project } from "./Project.js"

/** Which projects to list, and which of them the actor may see. */
export interface ProjectQuery {
  /** Projects this user owns or is a member of. */
  readonly involving?: UserId | undefined
  readonly ownerId?: UserId | undefined
  readonly archived?: boolean | undefined
}

/** Storage port for projects. */
export class ProjectRepo extends Context.Tag("@taskdesk/core/ProjectRepo")<
  ProjectRepo,
  {
    readonly findById: (id: ProjectId) => Effect.Effect<Option.Option<Project>>
    readonly insert: (project: Project) => Effect.Effect<void, DuplicateKey>
    readonly update: (project: Project, expectedVersion: number) => Effect.Effect<void, VersionConflict | NotFound>
    /** Projects ordered by name, then id. */
    readonly list: (query: ProjectQuery) => Effect.Effect<ReadonlyArray<Project>>
  }
>() {}
