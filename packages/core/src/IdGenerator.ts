import { Clock, Context, Effect, Layer, Random, Ref } from "effect"

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/** Encodes `value` as `length` Crockford base-32 digits, most significant first. */
const base32 = (value: number, length: number): string => {
  let out = ""
  let rest = value
  for (let i = 0; i < length; i++) {
    out = crockford[rest % 32] + out
    rest = Math.floor(rest / 32)
  }
  return out
}

const increment = (digits: ReadonlyArray<number>, radix: number): ReadonlyArray<number> => {
  const out = [...digits]
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! + 1 < radix) {
      out[i] = out[i]! + 1
      return out
    }
    out[i] = 0
  }
  return out
}

/** Source of new entity ids. A port so tests can have predictable ids. */
export class IdGenerator extends Context.Tag("@taskdesk/core/IdGenerator")<
  IdGenerator,
  {
    /** A new unique id; ids made later sort after ids made earlier (ULID layout). */
    readonly next: Effect.Effect<string>
  }
>() {
  /**
   * Monotonic ULIDs from Effect's `Clock` and `Random`: ids made later sort after ids made earlier,
   * also within one millisecond, so ordering by id follows creation.
   */
  static readonly layer: Layer.Layer<IdGenerator> = Layer.effect(
    IdGenerator,
    Effect.gen(function* () {
      const last = yield* Ref.make<{ millis: number; random: ReadonlyArray<number> }>({ millis: -1, random: [] })
      const chunk = 1_048_576 // 20 bits: four chunks make ULID's 80 random bits
      const fresh = Effect.all(Array.from({ length: 4 }, () => Random.nextIntBetween(0, chunk)))
      return {
        next: Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const random = yield* fresh
          return yield* Ref.modify(last, (prev) => {
            const state =
              now > prev.millis
                ? { millis: now, random }
                : { millis: prev.millis, random: increment(prev.random, chunk) }
            return [base32(state.millis, 10) + state.random.map((n) => base32(n, 4)).join(""), state] as const
          })
        })
      }
    })
  )

  /** Ids `1`, `2`, … zero-padded so they sort in creation order; fresh per layer build. */
  static readonly layerTest: Layer.Layer<IdGenerator> = Layer.effect(
    IdGenerator,
    Effect.map(Ref.make(0), (counter) => ({
      next: Ref.updateAndGet(counter, (n) => n + 1).pipe(Effect.map((n) => String(n).padStart(8, "0")))
    }))
  )
}
