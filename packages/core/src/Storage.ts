import type { EventLog } from "./EventLog.js"
import type { ProjectRepo } from "./ProjectRepo.js"
import type { TaskRepo } from "./TaskRepo.js"
import type { Transaction } from "./Transaction.js"
import type { UserRepo } from "./UserRepo.js"

/** Every storage port: what a storage layer (in-memory, SQLite, PostgreSQL, an embedder's own) provides. */
export type Storage = Transaction | EventLog | UserRepo | TaskRepo | ProjectRepo
