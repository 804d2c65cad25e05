import { Layer } from "effect"
import type { Storage } from "../Storage.js"
import * as MemoryAssignmentRepo from "./MemoryAssignmentRepo.js"
import * as MemoryCommentRepo from "./MemoryCommentRepo.js"
import * as MemoryDocumentRepo from "./MemoryDocumentRepo.js"
import * as MemoryEventLog from "./MemoryEventLog.js"
import * as MemoryExternalRefs from "./MemoryExternalRefs.js"
import * as MemoryJobStore from "./MemoryJobStore.js"
import * as MemoryOutbox from "./MemoryOutbox.js"
import * as MemoryProjectRepo from "./MemoryProjectRepo.js"
import * as MemoryRepairRequestRepo from "./MemoryRepairRequestRepo.js"
import * as MemoryStatisticsRepo from "./MemoryStatisticsRepo.js"
import { MemoryStore } from "./MemoryStore.js"
import * as MemoryTaskRepo from "./MemoryTaskRepo.js"
import * as MemoryTemplateRepo from "./MemoryTemplateRepo.js"
import * as MemoryTransaction from "./MemoryTransaction.js"
import * as MemoryUserRepo from "./MemoryUserRepo.js"

/**
 * Every storage port over the `MemoryStore` that `store` builds, all sharing it (so one transaction spans them
 * all). The repos keep rows in its tables and answer queries by scanning them, with the core's own sorting and
 * paging, so any store keeping the `MemoryStore.Store` contract passes the storage conformance suite.
 */
export const layerOver = <E, R>(store: Layer.Layer<MemoryStore, E, R>): Layer.Layer<Storage, E, R> =>
  Layer.mergeAll(
    MemoryTransaction.layer,
    MemoryEventLog.layer,
    MemoryUserRepo.layer,
    MemoryTaskRepo.layer,
    MemoryTemplateRepo.layer,
    MemoryAssignmentRepo.layer,
    MemoryCommentRepo.layer,
    MemoryProjectRepo.layer,
    MemoryDocumentRepo.layer,
    MemoryRepairRequestRepo.layer,
    MemoryStatisticsRepo.layer,
    MemoryJobStore.layer,
    MemoryOutbox.layer,
    MemoryExternalRefs.layer
  ).pipe(Layer.provide(store))

/** Every storage port in process, sharing one store with real transactions. Fresh per build. */
export const layer: Layer.Layer<Storage> = layerOver(MemoryStore.Default)
