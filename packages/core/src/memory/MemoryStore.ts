import { Effect, FiberRef, HashMap, Option, Ref } from "effect"
import { DuplicateKey, NotFound, VersionConflict } from "../Errors.js"

/** All tables of the in-memory store: table name → (key → row). Persistent maps make snapshots free. */
type State = HashMap.HashMap<string, HashMap.HashMap<unknown, unknown>>

/**
 * One table of a store: rows by key, read and written through the transaction the calling fiber runs in, if any.
 * Keys are strings or integers. A row comes back as the value that was put (the core's model instances, e.g.
 * `Task.Task`), not a plain copy of it.
 */
export interface Table<K, V> {
  /** The row under `key`, as last put in the current transaction, or as committed outside one. */
  readonly get: (key: K) => Effect.Effect<Option.Option<V>>
  /** Every row of the table, in no particular order: the repos sort what they list. */
  readonly values: Effect.Effect<ReadonlyArray<V>>
  /** Sets the row under `key`; outside a transaction, a transaction of its own. */
  readonly put: (key: K, value: V) => Effect.Effect<void>
  /** Deletes the row under `key`, if any; outside a transaction, a transaction of its own. */
  readonly remove: (key: K) => Effect.Effect<void>
}

/**
 * What the core's table-based repos (`MemoryStorage.layerOver`) ask of a store. The built-in one keeps
 * everything in process (`MemoryStore.Default`); an embedder's own store over Redis, a file or a key-value
 * service builds this shape and gives it to `MemoryStore.make`. The contract, which the storage conformance
 * suite (`storageConformance` in `@taskdesk/core/testing`) exercises through the ports:
 *
 * - `table(name)` gives the same rows for the same name on every call; rows come back as given: a store that
 *   serialises them must decode them back to the core's model instances (`Task.Task`, `Job.JobRun`, …) and
 *   branded strings, with dates and options intact.
 * - `transaction(effect)` is all-or-nothing: on success every write of `effect` becomes visible at once, on
 *   failure, defect or interruption none does. Inside a transaction it joins the enclosing one (no savepoints).
 *   Write transactions must not interleave: the repos check a key or a version and then write, and count on
 *   nobody writing in between (the built-in store lets one writer at a time in, as SQLite does).
 * - Reads inside a transaction see its own writes; readers outside a transaction see committed state only,
 *   never half a transaction.
 * - `nextSequence(name)` is a counter (1, 2, …) that rolls back with its transaction like any row, so the
 *   event log's sequences grow in commit order without gaps.
 */
export interface Store {
  /** The table named `name` (e.g. `tasks`, `events`, `job_runs`); the repos give the names. */
  readonly table: <K, V>(name: string) => Table<K, V>
  /** Runs `effect` in a transaction; inside one already, it joins it. */
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** The next value of a named counter (1, 2, …), rolled back with its transaction like any row. */
  readonly nextSequence: (name: string) => Effect.Effect<number>
}

/**
 * An in-process database with real transactions: a transaction works on a private copy of the
 * state and publishes it on success, so a failure or an interruption leaves nothing behind and
 * readers never see half a change. Writers are serialised, as in SQLite.
 */
export class MemoryStore extends Effect.Service<MemoryStore>()("@taskdesk/core/memory/MemoryStore", {
  effect: Effect.gen(function* () {
    const committed = yield* Ref.make<State>(HashMap.empty())
    const writer = yield* Effect.makeSemaphore(1)
    // The working copy of the transaction the current fiber runs in, if any.
    const current = FiberRef.unsafeMake<Option.Option<Ref.Ref<State>>>(Option.none())

    const read: Effect.Effect<State> = Effect.flatMap(FiberRef.get(current), (tx) =>
      Ref.get(Option.getOrElse(tx, () => committed))
    )

    const modify = <A>(f: (state: State) => readonly [A, State]): Effect.Effect<A> =>
      Effect.flatMap(FiberRef.get(current), (tx) =>
        Option.match(tx, {
          onSome: (working) => Ref.modify(working, f),
          onNone: () => writer.withPermits(1)(Ref.modify(committed, f))
        })
      )

    /** Runs `effect` in a transaction; inside one already, it joins it. */
    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.flatMap(FiberRef.get(current), (tx) =>
        Option.isSome(tx)
          ? effect
          : writer.withPermits(1)(
              Effect.gen(function* () {
                const working = yield* Ref.make(yield* Ref.get(committed))
                const result = yield* Effect.locally(effect, current, Option.some(working))
                yield* Ref.set(committed, yield* Ref.get(working))
                return result
              })
            )
      )

    const rowsOf = (state: State, name: string) => Option.getOrElse(HashMap.get(state, name), () => HashMap.empty())

    const table = <K, V>(name: string): Table<K, V> => ({
      get: (key) => Effect.map(read, (s) => HashMap.get(rowsOf(s, name), key) as Option.Option<V>),
      values: Effect.map(read, (s) => Array.from(HashMap.values(rowsOf(s, name))) as ReadonlyArray<V>),
      put: (key, value) => modify((s) => [undefined, HashMap.set(s, name, HashMap.set(rowsOf(s, name), key, value))]),
      remove: (key) => modify((s) => [undefined, HashMap.set(s, name, HashMap.remove(rowsOf(s, name), key))])
    })

    /** The next value of a named counter (1, 2, …), rolled back with its transaction like any row. */
    const nextSequence = (name: string): Effect.Effect<number> =>
      modify((s) => {
        const rows = rowsOf(s, "__sequences")
        const next = (Option.getOrElse(HashMap.get(rows, name), () => 0) as number) + 1
        return [next, HashMap.set(s, "__sequences", HashMap.set(rows, name, next))]
      })

    const store: Store = { table, transaction, nextSequence }
    return store
  })
}) {}

/**
 * Succeeds when the row exists at `expectedVersion`; the in-memory twin of SQL's
 * `UPDATE … WHERE version = ?` check. Run it inside the write's transaction.
 */
export const checkVersion = <K extends string, V extends { readonly version: number }>(
  table: Table<K, V>,
  entity: string,
  id: K,
  expectedVersion: number
): Effect.Effect<V, NotFound | VersionConflict> =>
  Effect.gen(function* () {
    const stored = yield* table.get(id)
    if (Option.isNone(stored)) return yield* new NotFound({ entity, id })
    if (stored.value.version !== expectedVersion) {
      return yield* new VersionConflict({ entity, id, expected: expectedVersion, actual: stored.value.version })
    }
    return stored.value
  })

/** Inserts a row unless its key is taken. */
export const insertNew = <K extends string, V>(
  table: Table<K, V>,
  entity: string,
  id: K,
  row: V
): Effect.Effect<void, DuplicateKey> =>
  Effect.gen(function* () {
    if (Option.isSome(yield* table.get(id))) return yield* new DuplicateKey({ entity, field: "id", value: id })
    yield* table.put(id, row)
  })

/** Rows for the ids that exist, in the order of `ids`. */
export const getMany = <K, V>(table: Table<K, V>, ids: ReadonlyArray<K>): Effect.Effect<ReadonlyArray<V>> =>
  Effect.map(Effect.forEach(ids, table.get), (found) => found.flatMap((o) => (Option.isSome(o) ? [o.value] : [])))
