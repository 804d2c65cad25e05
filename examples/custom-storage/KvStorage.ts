import type { Storage } from "@taskdesk/core"
import { Layer } from "effect"
import * as KeyValue from "./KeyValue.js"
import * as KvStore from "./KvStore.js"
import * as KvAssignmentRepo from "./ports/KvAssignmentRepo.js"
import * as KvCommentRepo from "./ports/KvCommentRepo.js"
import * as KvDocumentRepo from "./ports/KvDocumentRepo.js"
import * as KvEventLog from "./ports/KvEventLog.js"
import * as KvExternalRefs from "./ports/KvExternalRefs.js"
import * as KvJobStore from "./ports/KvJobStore.js"
import * as KvOutbox from "./ports/KvOutbox.js"
import * as KvProjectRepo from "./ports/KvProjectRepo.js"
import * as KvRepairRequestRepo from "./ports/KvRepairRequestRepo.js"
import * as KvStatisticsRepo from "./ports/KvStatisticsRepo.js"
import * as KvTaskRepo from "./ports/KvTaskRepo.js"
import * as KvTemplateRepo from "./ports/KvTemplateRepo.js"
import * as KvTransaction from "./ports/KvTransaction.js"
import * as KvUserRepo from "./ports/KvUserRepo.js"

/** Every storage port over the `KeyValue` in context, sharing one `KvStore` (so one writer lock). */
export const layer: Layer.Layer<Storage.Storage, never, KeyValue.KeyValue> = Layer.mergeAll(
  KvTransaction.layer,
  KvEventLog.layer,
  KvUserRepo.layer,
  KvTaskRepo.layer,
  KvTemplateRepo.layer,
  KvAssignmentRepo.layer,
  KvCommentRepo.layer,
  KvProjectRepo.layer,
  KvDocumentRepo.layer,
  KvRepairRequestRepo.layer,
  KvStatisticsRepo.layer,
  KvJobStore.layer,
  KvOutbox.layer,
  KvExternalRefs.layer
).pipe(Layer.provide(KvStore.layer))

/** Every storage port over a fresh in-process `Map`. */
export const layerMap: Layer.Layer<Storage.Storage> = layer.pipe(Layer.provide(KeyValue.layerMap))
