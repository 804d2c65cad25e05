import { Errors } from "@taskdesk/core"
import { Context, Effect, FiberRef, Layer, Option, Schema } from "effect"
import { KeyValue } from "./KeyValue.js"

/** One table: rows of one model under the key prefix `<table>/`, stored as the model's JSON. */
export interface Table<V> {
  readonly get: (key: string) => Effect.Effect<Option.Option<V>>
  readonly values: Effect.Effect<ReadonlyArray<V>>
  readonly put: (key: string, value: V) => Effect.Effect<void>
  readonly remove: (key: string) => Effect.Effect<void>
}

/** The writes of the transaction a fiber runs in: key → new JSON, or `undefined` for a delete. */
type Pending = Map<string, string | undefined>

/**
 * Tables and transactions over a `KeyValue`. A transaction takes the one writer lock and keeps its
 * writes in a private map that its own reads see first; on success the map goes to the store in one
 * `write`, on failure or interruption it is dropped, which is the rollback. Readers outside a
 * transaction read the store and never wait.
 */
export class KvStore extends Context.Tag("examples/custom-storage/KvStore")<
  KvStore,
  {
    readonly table: <V, I>(name: string, schema: Schema.Schema<V, I>) => Table<V>
    /** Runs `effect` in a transaction; inside one already, it joins it. */
    readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    /** The next value of a named counter (1, 2, …), rolled back with its transaction like any row. */
    readonly nextSequence: (name: string) => Effect.Effect<number>
  }
>() {}

/** The store over the `KeyValue` in context. */
export const layer: Layer.Layer<KvStore, never, KeyValue> = Layer.effect(
  KvStore,
  Effect.gen(function* () {
    const kv = yield* KeyValue
    const writer = yield* Effect.makeSemaphore(1)
    const current = FiberRef.unsafeMake<Option.Option<Pending>>(Option.none())

    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.flatMap(FiberRef.get(current), (tx) =>
        Option.isSome(tx)
          ? effect
          : writer.withPermits(1)(
              Effect.gen(function* () {
                const pending: Pending = new Map()
                const result = yield* Effect.locally(effect, current, Option.some(pending))
                yield* kv.write(pending)
                return result
              })
            )
      )

    const getRaw = (key: string): Effect.Effect<Option.Option<string>> =>
      Effect.flatMap(FiberRef.get(current), (tx) =>
        Option.isSome(tx) && tx.value.has(key) ? Effect.succeed(Option.fromNullable(tx.value.get(key))) : kv.get(key)
      )

    const listRaw = (prefix: string): Effect.Effect<ReadonlyArray<string>> =>
      Effect.gen(function* () {
        const stored = new Map(yield* kv.list(prefix))
        const tx = yield* FiberRef.get(current)
        if (Option.isSome(tx)) {
          for (const [key, value] of tx.value) {
            if (!key.startsWith(prefix)) continue
            if (value === undefined) stored.delete(key)
            else stored.set(key, value)
          }
        }
        return [...stored.values()]
      })

    // A write outside any transaction is a transaction of its own, so it waits for the writer lock.
    const setRaw = (key: string, value: string | undefined): Effect.Effect<void> =>
      transaction(
        Effect.flatMap(FiberRef.get(current), (tx) => Effect.sync(() => Option.getOrThrow(tx).set(key, value)))
      )

    const table = <V, I>(name: string, schema: Schema.Schema<V, I>): Table<V> => {
      const json = Schema.parseJson(schema)
      const encode = Schema.encodeSync(json)
      const decode = Schema.decodeSync(json)
      const keyOf = (key: string) => `${name}/${key}`
      return {
        get: (key) => Effect.map(getRaw(keyOf(key)), Option.map(decode)),
        values: Effect.map(listRaw(`${name}/`), (rows) => rows.map((row) => decode(row))),
        put: (key, value) => setRaw(keyOf(key), encode(value)),
        remove: (key) => setRaw(keyOf(key), undefined)
      }
    }

    const counters = table("__sequences", Schema.Number)
    const nextSequence = (name: string) =>
      transaction(
        Effect.gen(function* () {
          const next = Option.getOrElse(yield* counters.get(name), () => 0) + 1
          yield* counters.put(name, next)
          return next
        })
      )

    return { table, transaction, nextSequence }
  })
)

/** Succeeds when the row exists at `expectedVersion`, as SQL's `UPDATE … WHERE version = ?`. Run it in the write's transaction. */
export const checkVersion = <V extends { readonly version: number }>(
  table: Table<V>,
  entity: string,
  id: string,
  expectedVersion: number
): Effect.Effect<V, Errors.NotFound | Errors.VersionConflict> =>
  Effect.gen(function* () {
    const stored = yield* table.get(id)
    if (Option.isNone(stored)) return yield* new Errors.NotFound({ entity, id })
    if (stored.value.version !== expectedVersion) {
      return yield* new Errors.VersionConflict({ entity, id, expected: expectedVersion, actual: stored.value.version })
    }
    return stored.value
  })

/** Inserts a row unless its key is taken. */
export const insertNew = <V>(
  table: Table<V>,
  entity: string,
  id: string,
  row: V
): Effect.Effect<void, Errors.DuplicateKey> =>
  Effect.gen(function* () {
    if (Option.isSome(yield* table.get(id))) return yield* new Errors.DuplicateKey({ entity, field: "id", value: id })
    yield* table.put(id, row)
  })

/** Rows for the ids that exist, in the order of `ids`. */
export const getMany = <V>(table: Table<V>, ids: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<V>> =>
  Effect.map(Effect.forEach(ids, table.get), (found) => found.flatMap((o) => (Option.isSome(o) ? [o.value] : [])))
