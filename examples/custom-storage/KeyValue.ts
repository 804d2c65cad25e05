import { Context, Effect, Layer, Option } from "effect"

/**
 * What the adapter asks of a key-value store: string keys, string values, a prefix scan, and a batch
 * of writes applied at once (Redis: `GET`, `SCAN MATCH prefix*`, `MULTI … EXEC`).
 */
export class KeyValue extends Context.Tag("examples/custom-storage/KeyValue")<
  KeyValue,
  {
    readonly get: (key: string) => Effect.Effect<Option.Option<string>>
    readonly list: (prefix: string) => Effect.Effect<ReadonlyArray<readonly [key: string, value: string]>>
    /** Sets every key with a value and deletes every key without one; readers see all of it or none. */
    readonly write: (changes: ReadonlyMap<string, string | undefined>) => Effect.Effect<void>
  }
>() {}

/** A key-value store in a plain `Map`, fresh per build: the stand-in for Redis in the demo and the tests. */
export const layerMap: Layer.Layer<KeyValue> = Layer.sync(KeyValue, () => {
  const map = new Map<string, string>()
  return {
    get: (key) => Effect.sync(() => Option.fromNullable(map.get(key))),
    list: (prefix) => Effect.sync(() => [...map].filter(([key]) => key.startsWith(prefix))),
    // One synchronous step, so no other fiber runs between the first change and the last.
    write: (changes) =>
      Effect.sync(() => {
        for (const [key, value] of changes) {
          if (value === undefined) map.delete(key)
          else map.set(key, value)
        }
      })
  }
})
