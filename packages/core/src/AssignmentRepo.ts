import { Context, type Effect, type Option } from "effect"
import type { Assignment, AssignmentStatus } from "./Assignment.js"
import type { DuplicateKey, NotFound, VersionConflict } from "./Errors.js"
import type { AssignmentId, ProjectId, TaskId, UserId } from "./Ids.js"
import type { SortKey } from "./Page.js"

/** An assignment's place in a list, newest first: `[created millis, id]`, both descending. */
export const sortKey = (assignment: Assignment): SortKey => [assignment.createdAt.epochMillis, assignment.id]

/** Which assignments to list; all given filters must hold. */
export interface AssignmentQuery {
  readonly status?: ReadonlyArray<AssignmentStatus> | undefined
  readonly assigneeId?: UserId | undefined
  readonly assignedBy?: UserId | undefined
  readonly taskId?: TaskId | undefined
  /** Visibility: only assignments of tasks in these projects (unless the assignee is `visibleTo`). */
  readonly projectIds?: ReadonlyArray<ProjectId> | undefined
  /** With `projectIds`: this person also sees their own assignments. */
  readonly visibleTo?: UserId | undefined
  /** Only assignments strictly after this key (`sortKey`) in the list's order: the next page. */
  readonly after?: SortKey | undefined
  readonly limit?: number | undefined
}

/** Storage port for assignments. */
export class AssignmentRepo extends Context.Tag("@taskdesk/core/AssignmentRepo")<
  AssignmentRepo,
  {
    readonly findById: (id: AssignmentId) => Effect.Effect<Option.Option<Assignment>>
    readonly insert: (assignment: Assignment) => Effect.Effect<void, DuplicateKey>
    readonly update: (
      assignment: Assignment,
      expectedVersion: number
    ) => Effect.Effect<void, VersionConflict | NotFound>
    /** Newest first (created time, then id, both descending). */
    readonly list: (query: AssignmentQuery) => Effect.Effect<ReadonlyArray<Assignment>>
  }
>() {}
