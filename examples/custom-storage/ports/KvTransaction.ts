import { Transaction } from "@taskdesk/core"
import { Effect, Layer } from "effect"
import { KvStore } from "../KvStore.js"

/** `Transaction` over the key-value store. */
export const layer: Layer.Layer<Transaction.Transaction, never, KvStore> = Layer.effect(
  Transaction.Transaction,
  Effect.map(KvStore, (store) => ({ run: store.transaction }))
)
