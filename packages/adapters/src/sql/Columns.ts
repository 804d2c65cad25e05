import { Effect, type Option, type ParseResult, Schema, SchemaAST } from "effect"

/**
 * Column codecs shared by every table. Rows are decoded and encoded through these schemas, so a
 * model and its table cannot silently disagree: a missing or mistyped column fails the decode.
 */

/** A point in time as integer epoch milliseconds: the same in both dialects, so keyset comparisons are plain numbers. */
export const EpochMillis = Schema.DateTimeUtcFromNumber

/** A value stored as JSON text (arrays of ids, tags, event payloads). */
export const JsonText = <A, I, R>(schema: Schema.Schema<A, I, R>) => Schema.parseJson(schema)

/**
 * A boolean column. PostgreSQL returns `boolean`, SQLite `0`/`1`; it is written as `0`/`1`,
 * which SQLite stores as is and PostgreSQL accepts as boolean input.
 */
export const SqlBoolean = Schema.transform(Schema.Union(Schema.Boolean, Schema.Literal(0, 1)), Schema.Boolean, {
  strict: true,
  decode: (value) => value === true || value === 1,
  encode: (value) => (value ? 1 : 0)
})

/** A model field stored under a snake_case column name. */
export const column = <K extends string, S extends Schema.Schema.All>(name: K, schema: S) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(name))

/** An `Option` field stored as a nullable column. */
export const nullable = <K extends string, S extends Schema.Schema.Any>(name: K, schema: S) =>
  column(name, Schema.OptionFromNullOr(schema))

/**
 * The row schema of a `Schema.Class` model: decodes the columns, then builds the model without
 * validating a second time; encodes a model into its columns.
 */
export const modelRow = <M extends object, C extends object, I>(
  Model: new (props: C, options?: boolean) => M,
  columns: Schema.Schema<C, I>
): Schema.Schema<M, I> =>
  Schema.transform(
    columns,
    Schema.declare((u): u is M => u instanceof Model),
    {
      strict: false,
      decode: (props) => new Model(props as C, true),
      encode: (model) => model
    }
  ) as unknown as Schema.Schema<M, I>

/** The column names of a row schema (its encoded keys), for select lists that follow the schema. */
export const columnNames = (schema: Schema.Schema.Any): ReadonlyArray<string> =>
  SchemaAST.getPropertySignatures(SchemaAST.encodedAST(schema.ast)).map((p) => String(p.name))

/** `Option` → nullable value, for query parameters. */
export const orNull = <A>(option: Option.Option<A>): A | null => (option._tag === "Some" ? option.value : null)

/**
 * A number an aggregate returns. PostgreSQL sends `numeric` (AVG, SUM of bigints) as a string, so
 * exact decimals survive the wire; SQLite sends numbers. Averages are means, so a double is enough.
 */
export const SqlNumber = Schema.Union(Schema.Number, Schema.NumberFromString)

/** A count or sum that SQL answers with NULL over no rows: 0 then. */
export const SqlCount = Schema.transform(Schema.NullOr(SqlNumber), Schema.Number, {
  strict: true,
  decode: (n) => n ?? 0,
  encode: (n) => n
})

/** An average that SQL answers with NULL over no rows: none then. */
export const SqlAverage = Schema.OptionFromNullOr(SqlNumber)

/** Decodes rows: by a hand-written `fast` decoder where it vouches for a row, else through the schema. */
export interface RowDecoder<A> {
  readonly one: (row: unknown) => Effect.Effect<A, ParseResult.ParseError>
  readonly all: (rows: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<A>, ParseResult.ParseError>
}

/**
 * A row decoder: through the schema, or for hot tables first through `fast`. The schema stays the
 * contract: `fast` must give what the schema gives for every row it returns a value for (a property
 * test per table), and answers `undefined` for any row it is unsure of, which the schema then
 * decodes or rejects with its own message.
 */
export const rowDecoder = <A, I>(
  schema: Schema.Schema<A, I>,
  fast: (row: unknown) => A | undefined = () => undefined
): RowDecoder<A> => {
  const one = Schema.decodeUnknown(schema)
  const all = Schema.decodeUnknown(Schema.Array(schema))
  return {
    one: (row) => {
      const decoded = fast(row)
      return decoded === undefined ? one(row) : Effect.succeed(decoded)
    },
    all: (rows) => {
      const decoded: Array<A> = []
      for (const row of rows) {
        const value = fast(row)
        if (value === undefined) return all(rows)
        decoded.push(value)
      }
      return Effect.succeed(decoded)
    }
  }
}
