import { DateTime, Either, Equal, Option } from "effect"
import { chai } from "vitest"

/**
 * chai's deep equality walks Effect's `Option` and `Either` as iterables (they are, for `yield*`),
 * so `Option.some(1)` deep-equalled `Option.none()`: an assertion that could not fail. This teaches
 * `assert.deepStrictEqual` and `expect().toEqual` Effect's own data types; everything else is
 * compared as before.
 */
const comparator = (a: unknown, b: unknown): boolean | null => {
  if (Option.isOption(a) || Option.isOption(b)) {
    if (!Option.isOption(a) || !Option.isOption(b) || a._tag !== b._tag) return false
    return Option.isNone(a) || eql(a.value, (b as Option.Some<unknown>).value)
  }
  if (Either.isEither(a) || Either.isEither(b)) {
    if (!Either.isEither(a) || !Either.isEither(b) || a._tag !== b._tag) return false
    return Either.isLeft(a)
      ? eql(a.left, (b as Either.Left<unknown, unknown>).left)
      : eql(a.right, (b as Either.Right<unknown, unknown>).right)
  }
  if (DateTime.isDateTime(a) || DateTime.isDateTime(b)) return Equal.equals(a, b)
  return null
}

const eql = (a: unknown, b: unknown): boolean =>
  (chai.util.eql as (a: unknown, b: unknown, options: unknown) => boolean)(a, b, { comparator })

/** Registers the comparison with chai; the conformance suite does so when imported. */
export const plugin: Chai.ChaiPlugin = (_chai, utils) => {
  for (const name of ["eql", "eqls"]) {
    _chai.Assertion.overwriteMethod(
      name,
      (_super) =>
        function (this: Chai.AssertionStatic, expected: unknown, message?: string) {
          if (message) utils.flag(this, "message", message)
          const actual = utils.flag(this, "object") as unknown
          this.assert(
            eql(actual, expected),
            "expected #{this} to deeply equal #{exp}",
            "expected #{this} to not deeply equal #{exp}",
            expected,
            actual,
            true
          )
        }
    )
  }
}

chai.use(plugin)
