import { Context, type Effect, type Option } from "effect"
import type { DuplicateKey, NotFound, VersionConflict } from "./Errors.js"
import type { TaskId } from "./Ids.js"
import type { Task } from "./Task.js"
import type { TaskRepoQuery } from "./TaskQuery.js"

/** Storage port for tasks. */
export class TaskRepo extends Context.Tag("@taskdesk/core/TaskRepo")<
  TaskRepo,
  {
    readonly findById: (id: TaskId) => Effect.Effect<Option.Option<Task>>
    readonly findByIds: (ids: ReadonlyArray<TaskId>) => Effect.Effect<ReadonlyArray<Task>>
    readonly insert: (task: Task) => Effect.Effect<void, DuplicateKey>
    /**
     * Inserts all of `tasks` or none: fails with `DuplicateKey` when an id is taken, by a stored
     * task or by another of `tasks`. Batched, for bulk loads (a few statements per hundred tasks).
     */
    readonly insertMany: (tasks: ReadonlyArray<Task>) => Effect.Effect<void, DuplicateKey>
    /** Stores `task` if the stored version is still `expectedVersion`. */
    readonly update: (task: Task, expectedVersion: number) => Effect.Effect<void, VersionConflict | NotFound>
    /** Deletes the task with its assignments and comments; its audit events stay. */
    readonly delete: (id: TaskId, expectedVersion: number) => Effect.Effect<void, VersionConflict | NotFound>
    /** Up to `query.limit` tasks in sort order, strictly after `query.after`. */
    readonly list: (query: TaskRepoQuery) => Effect.Effect<ReadonlyArray<Task>>
  }
>() {}
