import { assert } from "@effect/vitest"
import { Schema } from "effect"

/**
 * Asserts two models hold the same data by comparing their encoded forms. `Equal.equals` cannot
 * do this for a store that decodes rows: it compares array fields by reference, so only a store
 * that hands back the very instance it was given would pass.
 */
export const assertSameModel = <A, I>(schema: Schema.Schema<A, I>, actual: A, expected: A, message?: string) =>
  assert.deepStrictEqual(Schema.encodeSync(schema)(actual), Schema.encodeSync(schema)(expected), message)
