import { Layer } from "effect"
import { Assignments } from "./Assignments.js"
import { AuditLog } from "./AuditLog.js"
import { Comments } from "./Comments.js"
import { Documents } from "./Documents.js"
import { EventBus } from "./EventBus.js"
import { IdGenerator } from "./IdGenerator.js"
import { Imports } from "./Imports.js"
import * as MemoryStorage from "./memory/MemoryStorage.js"
import { Policy } from "./Policy.js"
import { Projects } from "./Projects.js"
import { RepairRequests } from "./RepairRequests.js"
import { Resolutions } from "./Resolutions.js"
import { Statistics } from "./Statistics.js"
import type { Storage } from "./Storage.js"
import { Tasks } from "./Tasks.js"
import { Templates } from "./Templates.js"
import { Users } from "./Users.js"

/** Every domain service of taskdesk. */
export type Services =
  | AuditLog
  | Users
  | Tasks
  | Templates
  | Assignments
  | Comments
  | Projects
  | Documents
  | Resolutions
  | RepairRequests
  | Statistics
  | Imports

// Services that need only ports and the audit log.
const foundation = Layer.mergeAll(
  Users.Default,
  Tasks.Default,
  Templates.Default,
  Projects.Default,
  Documents.Default,
  RepairRequests.Default,
  Statistics.Default,
  Imports.Default
).pipe(Layer.provideMerge(AuditLog.Default))

// Services built on the foundation's services (e.g. on Tasks).
const composite = Layer.mergeAll(Assignments.Default, Comments.Default, Resolutions.Default)

/** The domain services over whatever storage, policy, ids and event bus the host provides. */
export const layer: Layer.Layer<Services, never, Storage | Policy | IdGenerator | EventBus> = composite.pipe(
  Layer.provideMerge(foundation)
)

/** The defaults every host starts from: the default policy, ULIDs, an in-process event bus. */
export const layerDefaults: Layer.Layer<Policy | IdGenerator | EventBus> = Layer.mergeAll(
  Policy.layerDefault,
  IdGenerator.layer,
  EventBus.layerLocal
)

/** taskdesk entirely in memory: what tests and quick experiments use. Fresh per build. */
export const layerMemory: Layer.Layer<Services | Storage | Policy | IdGenerator | EventBus> = layer.pipe(
  Layer.provideMerge(Layer.merge(MemoryStorage.layer, layerDefaults))
)
