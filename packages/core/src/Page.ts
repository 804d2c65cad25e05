import { Either, Encoding, Option, Schema } from "effect"
import { FieldIssue, InvalidInput } from "./Errors.js"

/** Page size: 1–200, 50 when not given. */
export const Limit = Schema.Int.pipe(Schema.between(1, 200))
/** Items per page when the caller names no limit. */
export const defaultLimit = 50

/** Ascending or descending. */
export const Order = Schema.Literal("asc", "desc")
export type Order = typeof Order.Type

/** One page of a keyset-paginated list; `nextCursor` is absent on the last page. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor: Option.Option<string>
}

/** The sort-key values of the last row of a page; the next page starts strictly after them. */
export type SortKey = ReadonlyArray<string | number>

const CursorPayload = Schema.parseJson(
  Schema.Struct({ s: Schema.String, k: Schema.Array(Schema.Union(Schema.String, Schema.Number)) })
)

const invalidCursor = new InvalidInput({
  message: "the cursor is not one this list handed out",
  issues: [new FieldIssue({ path: ["cursor"], message: "invalid cursor" })]
})

/** An opaque cursor: the sort it belongs to (so it cannot be replayed on another sort) and the key. */
export const encodeCursor = (sort: string, key: SortKey): string =>
  Encoding.encodeBase64Url(JSON.stringify({ s: sort, k: key }))

/** Decodes a cursor made by `encodeCursor` for the same sort. */
export const decodeCursor = (sort: string, cursor: string): Either.Either<SortKey, InvalidInput> =>
  Encoding.decodeBase64UrlString(cursor).pipe(
    Either.mapLeft(() => invalidCursor),
    Either.flatMap((json) => Schema.decodeUnknownEither(CursorPayload)(json).pipe(Either.mapLeft(() => invalidCursor))),
    Either.flatMap((payload) => (payload.s === sort ? Either.right(payload.k) : Either.left(invalidCursor)))
  )

/**
 * Compares two sort keys component by component; `directions[i]` says whether component `i`
 * ascends (1) or descends (-1).
 */
export const compareKeys = (a: SortKey, b: SortKey, directions: ReadonlyArray<1 | -1>): number => {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    if (x !== y) return (x < y ? -1 : 1) * (directions[i] ?? 1)
  }
  return 0
}

/** Builds a page from rows fetched with `limit + 1`, so the extra row tells whether more follow. */
export const toPage = <A>(rows: ReadonlyArray<A>, limit: number, cursorOf: (last: A) => string): Page<A> => {
  const items = rows.length > limit ? rows.slice(0, limit) : rows
  const last = items[items.length - 1]
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? Option.some(cursorOf(last)) : Option.none()
  }
}
