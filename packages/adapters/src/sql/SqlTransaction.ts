import { SqlError } from "@effect/sql/SqlError"
import { Transaction } from "@taskdesk/core"
import { Effect, Layer } from "effect"
import { Dialect } from "./Dialect.js"

/** The SQL version of `Transaction`: a database transaction; nested runs are savepoints. */
export const layer: Layer.Layer<Transaction.Transaction, never, Dialect> = Layer.effect(
  Transaction.Transaction,
  Effect.map(Dialect, (dialect) => ({
    // The driver errors added here come from BEGIN (COMMIT failures are defects already, and the
    // SQLite driver handles its ROLLBACK failures itself): defects too. The effect's own errors
    // pass through untouched.
    run: <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.catchIf(
        dialect.coreTransaction(effect),
        (error): error is SqlError => error instanceof SqlError,
        Effect.die
      ) as Effect.Effect<A, E, R>
  }))
)
