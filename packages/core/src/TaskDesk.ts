import { Layer } from "effect"
import { AuditLog } from "./AuditLog.js"
import { EventBus } from "./EventBus.js"
import { IdGenerator } from "./IdGenerator.js"
import * as MemoryStorage from "./memory/MemoryStorage.js"
import { Policy } from "./Policy.js"
import type { Storage } from "./Storage.js"
import { Tasks } from "./Tasks.js"
import { Users } from "./Users.js"

/** Every domain service of taskdesk. */
export type Services = AuditLog | Users | Tasks

/** The domain services over whatever storage, policy, ids and event bus the host provides. */
export const layer: Layer.Layer<Services, never, Storage | Policy | IdGenerator | EventBus> = Layer.mergeAll(
  Users.Default,
  Tasks.Default
).pipe(Layer.provideMerge(AuditLog.Default))

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
