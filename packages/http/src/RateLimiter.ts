import { Clock, Effect } from "effect"

interface Window {
  start: number
  count: number
}

const windowMillis = 60_000

/**
 * Fixed one-minute windows per key (a user id, a client address), in process memory. Enough for
 * one server process; several behind a balancer each count on their own.
 */
export class RateLimiter extends Effect.Service<RateLimiter>()("@taskdesk/http/RateLimiter", {
  sync: () => {
    const windows = new Map<string, Window>()
    let sweptAt = 0
    const sweep = (now: number) => {
      if (now - sweptAt < windowMillis) return
      sweptAt = now
      for (const [key, w] of windows) if (now - w.start >= windowMillis) windows.delete(key)
    }
    return {
      /**
       * Counts one request for `key`; the seconds to wait when that exceeds `perMinute`, else
       * undefined. A limit of 0 means no limit.
       */
      consume: (key: string, perMinute: number): Effect.Effect<number | undefined> =>
        perMinute <= 0
          ? Effect.succeed(undefined)
          : Effect.map(Clock.currentTimeMillis, (now) => {
              sweep(now)
              let w = windows.get(key)
              if (w === undefined || now - w.start >= windowMillis) {
                w = { start: now, count: 0 }
                windows.set(key, w)
              }
              w.count++
              return w.count > perMinute ? Math.max(1, Math.ceil((w.start + windowMillis - now) / 1000)) : undefined
            }),
      /**
       * Gives back one request counted for `key` in its current window: limits that count only
       * failures take a slot before the attempt (so concurrent attempts cannot all slip under the
       * limit) and give it back when the attempt succeeds.
       */
      refund: (key: string): Effect.Effect<void> =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const w = windows.get(key)
          if (w !== undefined && now - w.start < windowMillis && w.count > 0) w.count--
        })
    } as const
  }
}) {}
