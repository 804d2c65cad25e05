import { DateTime, Effect, Layer, Option, Ref } from "effect"
import type { UserId } from "../Ids.js"
import { TelegramLinks } from "../TelegramLinks.js"

interface Entry {
  readonly userId: UserId
  readonly expiresAt: DateTime.Utc
}

/**
 * Link codes in process memory. The core has no cryptographic random source, so the caller supplies
 * `newCode`; `@taskdesk/adapters` passes one from `node:crypto`.
 */
export const layer = (newCode: Effect.Effect<string>): Layer.Layer<TelegramLinks> =>
  Layer.effect(
    TelegramLinks,
    Effect.map(Ref.make(new Map<string, Entry>()), (codes) => ({
      issue: (userId, expiresAt) =>
        Effect.flatMap(newCode, (code) =>
          Ref.update(codes, (all) => {
            const next = new Map([...all].filter(([, e]) => e.userId !== userId))
            return next.set(code, { userId, expiresAt })
          }).pipe(Effect.as(code))
        ),
      redeem: (code, now) =>
        Ref.modify(codes, (all) => {
          const entry = all.get(code)
          if (entry === undefined) return [Option.none(), all] as const
          const next = new Map(all)
          next.delete(code)
          // Expired codes are dropped as they are met; `issue` drops a user's older ones.
          return [DateTime.lessThan(now, entry.expiresAt) ? Option.some(entry.userId) : Option.none(), next] as const
        })
    }))
  )
