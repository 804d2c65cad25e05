import { Clock, Duration, Effect, Ref, Schema } from "effect"

/** Calls may not go out until `until` (epoch milliseconds), further off than the caller is willing to wait. */
export class Throttled extends Schema.TaggedError<Throttled>()("Throttled", {
  key: Schema.String,
  until: Schema.Number
}) {
  override get message() {
    return `rate limited until ${new Date(this.until).toISOString()}`
  }
}

/**
 * A service's own "slow down" answers (Telegram's 429 `retry_after`, DingTalk's errcode 130101):
 * after one, calls for the same key wait until the time it named, or fail with `Throttled` at once
 * when that is further away than `maxWait`, so a dispatcher is not stuck and the outbox retries later.
 */
export interface Gate {
  readonly pass: (key: string) => Effect.Effect<void, Throttled>
  readonly block: (key: string, until: number) => Effect.Effect<void>
}

/** A gate that waits at most `maxWait` for a block to pass. */
export const makeGate = (maxWait: Duration.DurationInput): Effect.Effect<Gate> =>
  Effect.map(Ref.make(new Map<string, number>()), (blocked) => {
    const limit = Duration.toMillis(maxWait)
    return {
      pass: (key) =>
        Effect.gen(function* () {
          const until = (yield* Ref.get(blocked)).get(key)
          if (until === undefined) return
          const wait = until - (yield* Clock.currentTimeMillis)
          if (wait <= 0) return
          if (wait > limit) return yield* new Throttled({ key, until })
          yield* Effect.sleep(Duration.millis(wait))
        }),
      block: (key, until) => Ref.update(blocked, (all) => new Map(all).set(key, Math.max(all.get(key) ?? 0, until)))
    }
  })

/**
 * A client-side limit of `limit` calls per sliding `window` per key (DingTalk's robot: 20 a minute),
 * so the service never has to refuse: a call beyond it waits for the oldest to leave the window, or
 * fails with `Throttled` when that is further than `maxWait`. Calls of one key are serialised.
 */
export interface Window {
  readonly take: (key: string) => Effect.Effect<void, Throttled>
}

export const makeWindow = (options: {
  readonly limit: number
  readonly window: Duration.DurationInput
  readonly maxWait: Duration.DurationInput
}): Effect.Effect<Window> =>
  Effect.gen(function* () {
    const stamps = yield* Ref.make(new Map<string, ReadonlyArray<number>>())
    const lock = yield* Effect.makeSemaphore(1)
    const window = Duration.toMillis(options.window)
    const maxWait = Duration.toMillis(options.maxWait)
    const take = (key: string): Effect.Effect<void, Throttled> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const recent = ((yield* Ref.get(stamps)).get(key) ?? []).filter((t) => t > now - window)
        if (recent.length < options.limit) {
          yield* Ref.update(stamps, (all) => new Map(all).set(key, [...recent, now]))
          return
        }
        const free = recent[recent.length - options.limit]! + window
        if (free - now > maxWait) return yield* new Throttled({ key, until: free })
        yield* Effect.sleep(Duration.millis(free - now))
        return yield* take(key)
      })
    return { take: (key) => lock.withPermits(1)(take(key)) }
  })
