import {
  Assignment,
  AuditEvent,
  Comment,
  Document,
  Ids,
  Job,
  MemoryStorage,
  Notification,
  Project,
  RepairRequest,
  type Storage,
  Task,
  Template,
  User
} from "@taskdesk/core"
import { Layer, Schema } from "effect"
import * as KeyValue from "./KeyValue.js"
import * as KvStore from "./KvStore.js"

/** Every table of the core's table-based repos, with the schema its rows decode back to. */
export const tables: KvStore.Tables = {
  users: User.User,
  tasks: Task.Task,
  templates: Template.TaskTemplate,
  assignments: Assignment.Assignment,
  comments: Comment.Comment,
  projects: Project.Project,
  documents: Document.Document,
  repair_requests: RepairRequest.RepairRequest,
  repair_comments: RepairRequest.RepairComment,
  events: AuditEvent.AuditEvent,
  notifications: Notification.Notification,
  jobs: Job.Job,
  job_runs: Job.JobRun,
  // The SQL schema's unique indexes, kept as keys of their own: (job, scheduled time) → run, job → running run.
  job_run_occurrences: Ids.JobRunId,
  job_runs_running: Ids.JobRunId,
  external_refs: Schema.String
}

/**
 * Every storage port over the `KeyValue` in context: the core's own table-based repos on a `KvStore`, all sharing
 * it (so one writer lock and one transaction across ports).
 */
export const layer: Layer.Layer<Storage.Storage, never, KeyValue.KeyValue> = MemoryStorage.layerOver(
  KvStore.layer(tables)
)

/** Every storage port over a fresh in-process `Map`. */
export const layerMap: Layer.Layer<Storage.Storage> = layer.pipe(Layer.provide(KeyValue.layerMap))
