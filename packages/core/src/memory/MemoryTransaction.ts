import { Effect, Layer } from "effect"
import { Transaction } from "../Transaction.js"
import { MemoryStore } from "./MemoryStore.js"

export const layer: Layer.Layer<Transaction, never, MemoryStore> = Layer.effect(
  Transaction,
  Effect.map(MemoryStore, (store) => ({ run: store.transaction }))
)
