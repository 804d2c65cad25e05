import { Page } from "@taskdesk/core"
import { Schema } from "effect"

/** An optional field that is absent rather than `undefined` when not given. */
export const exact = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * A request body or query that refuses fields it does not know, so typos fail loudly, and that
 * reports every bad field at once.
 */
export const strict = <S extends Schema.Schema.Any>(schema: S): S =>
  schema.annotations({ parseOptions: { onExcessProperty: "error", errors: "all" } }) as S

/** `If-Match` on a change: the `ETag` of the version the caller read. */
export const IfMatch = Schema.Struct({
  "if-match": Schema.optional(Schema.String.pipe(Schema.maxLength(200)))
})

/** A page of a keyset-paginated list; pass `nextCursor` as `cursor` for the next one. */
export const PageOf = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({
    items: Schema.Array(item),
    nextCursor: Schema.optionalWith(Schema.String, { as: "Option" })
  })

/** Page sizes in a query string. */
export const LimitParam = Schema.NumberFromString.pipe(Schema.compose(Page.Limit))

/** Booleans in a query string: `true` or `false`. */
export const BooleanParam = Schema.BooleanFromString

/** An opaque cursor from a previous page. */
export const CursorParam = Schema.String.pipe(Schema.maxLength(2_000))

/** A body whose fields are all optional may also be left out entirely (`null` or empty reads as `{}`). */
export const orEmpty = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.transform(Schema.Union(Schema.Null, schema), Schema.typeSchema(schema), {
    strict: true,
    decode: (value) => value ?? ({} as A),
    encode: (value) => value
  })
