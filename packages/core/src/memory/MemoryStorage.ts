import { Layer } from "effect"
import type { Storage } from "../Storage.js"
import * as MemoryEventLog from "./MemoryEventLog.js"
import * as MemoryProjectRepo from "./MemoryProjectRepo.js"
import { MemoryStore } from "./MemoryStore.js"
import * as MemoryTaskRepo from "./MemoryTaskRepo.js"
import * as MemoryTransaction from "./MemoryTransaction.js"
import * as MemoryUserRepo from "./MemoryUserRepo.js"

/** Every storage port in process, sharing one store with real transactions. Fresh per build. */
export const layer: Layer.Layer<Storage> = Layer.mergeAll(
  MemoryTransaction.layer,
  MemoryEventLog.layer,
  MemoryUserRepo.layer,
  MemoryTaskRepo.layer,
  MemoryProjectRepo.layer
).pipe(Layer.provide(MemoryStore.Default))
