import { Context, type Effect } from "effect"

/**
 * The storage's transactions: everything `run` does commits together or not at all.
 * Nested calls join the outer transaction (or a savepoint, where the store has them).
 */
export class Transaction extends Context.Tag("@taskdesk/core/Transaction")<
  Transaction,
  {
    readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  }
>() {}
