import { MemoryStore } from "@taskdesk/core"
import { Effect, FiberRef, Layer, Option, Schema } from "effect"
import { KeyValue } from "./KeyValue.js"

/**
 * The schema of each table's rows, by table name. Rows are stored as JSON, and the core's repos expect back the
 * values they put (model instances, dates, options), so every table the repos use needs its row schema here.
 */
export type Tables = Readonly<Record<string, Schema.Schema.AnyNoContext>>

/** The writes of the transaction a fiber runs in: key → new JSON, or `undefined` for a delete. */
type Pending = Map<string, string | undefined>

/**
 * The core's store contract (`MemoryStore.Store`) over a `KeyValue`: a row lives under `<table>/<key>` as JSON.
 * A transaction takes the one writer lock and keeps its writes in a private map that its own reads see first; on
 * success the map goes to the store in one `write`, on failure or interruption it is dropped, which is the
 * rollback. Readers outside a transaction read the store, which only ever holds whole commits, and never wait.
 */
export const layer = (tables: Tables): Layer.Layer<MemoryStore.MemoryStore, never, KeyValue> =>
  Layer.effect(
    MemoryStore.MemoryStore,
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

      const jsonTable = <K, V, I>(name: string, schema: Schema.Schema<V, I>): MemoryStore.Table<K, V> => {
        const json = Schema.parseJson(schema)
        const encode = Schema.encodeSync(json)
        const decode = Schema.decodeSync(json)
        const keyOf = (key: K) => `${name}/${String(key)}`
        return {
          get: (key) => Effect.map(getRaw(keyOf(key)), Option.map(decode)),
          values: Effect.map(listRaw(`${name}/`), (rows) => rows.map((row) => decode(row))),
          put: (key, value) => setRaw(keyOf(key), encode(value)),
          remove: (key) => setRaw(keyOf(key), undefined)
        }
      }

      const table = <K, V>(name: string): MemoryStore.Table<K, V> => {
        const schema = tables[name]
        // A table without a schema is a bug of the adapter (a core version with a new table): fail the build loudly.
        if (schema === undefined) throw new Error(`KvStore: no row schema for table "${name}"`)
        return jsonTable<K, V, unknown>(name, schema)
      }

      const counters = jsonTable<string, number, number>("__sequences", Schema.Number)
      const nextSequence = (name: string) =>
        transaction(
          Effect.gen(function* () {
            const next = Option.getOrElse(yield* counters.get(name), () => 0) + 1
            yield* counters.put(name, next)
            return next
          })
        )

      return MemoryStore.MemoryStore.make({ table, transaction, nextSequence })
    })
  )
