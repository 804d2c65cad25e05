import type { AssignmentRepo } from "./AssignmentRepo.js"
import type { CommentRepo } from "./CommentRepo.js"
import type { DocumentRepo } from "./DocumentRepo.js"
import type { EventLog } from "./EventLog.js"
import type { ExternalRefs } from "./ExternalRefs.js"
import type { JobStore } from "./JobStore.js"
import type { Outbox } from "./Outbox.js"
import type { ProjectRepo } from "./ProjectRepo.js"
import type { RepairRequestRepo } from "./RepairRequestRepo.js"
import type { StatisticsRepo } from "./StatisticsRepo.js"
import type { TaskRepo } from "./TaskRepo.js"
import type { TemplateRepo } from "./TemplateRepo.js"
import type { Transaction } from "./Transaction.js"
import type { UserRepo } from "./UserRepo.js"

/** Every storage port: what a storage layer (in-memory, SQLite, PostgreSQL, an embedder's own) provides. */
export type Storage =
  | Transaction
  | EventLog
  | UserRepo
  | TaskRepo
  | TemplateRepo
  | AssignmentRepo
  | CommentRepo
  | ProjectRepo
  | DocumentRepo
  | RepairRequestRepo
  | StatisticsRepo
  | JobStore
  | Outbox
  | ExternalRefs
