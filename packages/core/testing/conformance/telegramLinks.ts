import { assert, describe, layer as withStorage } from "@effect/vitest"
import { DateTime, Effect, type Layer, Option } from "effect"
import { UserId } from "../../src/Ids.js"
import { TelegramLinks } from "../../src/TelegramLinks.js"
import { at, uniqueId } from "../fixtures.js"

const now = at("2026-03-02T09:00:00Z")
const later = DateTime.add(now, { minutes: 10 })

/**
 * Registers the TelegramLinks contract for a layer: single use, expiry, a new code replaces the
 * user's old one, codes fit Telegram's `start` parameter and do not repeat.
 */
export const telegramLinksConformance = <E>(name: string, layer: Layer.Layer<TelegramLinks, E>) =>
  describe(`TelegramLinks conformance: ${name}`, () => {
    withStorage(layer)((it) => {
      it.effect("a code is redeemed once, for the user it was issued to", () =>
        Effect.gen(function* () {
          const links = yield* TelegramLinks
          const user = UserId.make(uniqueId("user"))
          const code = yield* links.issue(user, later)
          assert.match(code, /^[A-Za-z0-9_-]{16,64}$/)
          assert.deepStrictEqual(yield* links.redeem(code, now), Option.some(user))
          assert.deepStrictEqual(yield* links.redeem(code, now), Option.none())
        })
      )

      it.effect("an expired or unknown code gives nobody", () =>
        Effect.gen(function* () {
          const links = yield* TelegramLinks
          const code = yield* links.issue(UserId.make(uniqueId("user")), later)
          assert.deepStrictEqual(yield* links.redeem(code, later), Option.none())
          assert.deepStrictEqual(yield* links.redeem(code, now), Option.none(), "an expired code is gone for good")
          assert.deepStrictEqual(yield* links.redeem("no-such-code-at-all-0000", now), Option.none())
          assert.deepStrictEqual(yield* links.redeem("", now), Option.none())
        })
      )

      it.effect("a new code replaces the user's earlier one but not other people's", () =>
        Effect.gen(function* () {
          const links = yield* TelegramLinks
          const user = UserId.make(uniqueId("user"))
          const other = UserId.make(uniqueId("user"))
          const first = yield* links.issue(user, later)
          const others = yield* links.issue(other, later)
          const second = yield* links.issue(user, later)
          assert.notStrictEqual(first, second)
          assert.deepStrictEqual(yield* links.redeem(first, now), Option.none())
          assert.deepStrictEqual(yield* links.redeem(second, now), Option.some(user))
          assert.deepStrictEqual(yield* links.redeem(others, now), Option.some(other))
        })
      )

      it.effect("codes do not repeat", () =>
        Effect.gen(function* () {
          const links = yield* TelegramLinks
          const codes = yield* Effect.forEach(Array.from({ length: 200 }), () =>
            links.issue(UserId.make(uniqueId("user")), later)
          )
          assert.strictEqual(new Set(codes).size, codes.length)
        })
      )

      it.effect("two redeemers racing for one code: exactly one wins", () =>
        Effect.gen(function* () {
          const links = yield* TelegramLinks
          const code = yield* links.issue(UserId.make(uniqueId("user")), later)
          const results = yield* Effect.all(
            Array.from({ length: 8 }, () => links.redeem(code, now)),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.filter(Option.isSome).length, 1)
        })
      )
    })
  })
