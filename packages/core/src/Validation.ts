import { Effect, ParseResult, Schema } from "effect"
import { FieldIssue, InvalidInput } from "./Errors.js"

/** Turns a schema failure into `InvalidInput` naming the path of every bad field. */
export const toInvalidInput = (error: ParseResult.ParseError): InvalidInput =>
  new InvalidInput({
    message: "the input is invalid",
    issues: ParseResult.ArrayFormatter.formatErrorSync(error).map(
      (issue) =>
        new FieldIssue({
          path: issue.path.map((key) => (typeof key === "symbol" ? String(key) : key)),
          message: issue.message
        })
    )
  })

/**
 * Checks an already-typed value against the refinements of a class's fields (lengths, ranges),
 * which TypeScript alone cannot: domain services call it on every input.
 */
export const validate = <Fields extends Schema.Struct.Fields>(
  fields: Fields
): ((input: Schema.Struct.Type<Fields>) => Effect.Effect<Schema.Struct.Type<Fields>, InvalidInput>) => {
  // Built once per set of fields: building the struct and its validator on every call cost more
  // than the validation itself.
  let check = validators.get(fields)
  if (check === undefined) {
    const run = Schema.validate(Schema.Struct(fields) as unknown as Schema.Schema<unknown>)
    check = (input) => Effect.mapError(run(input, { errors: "all" }), toInvalidInput)
    validators.set(fields, check)
  }
  return check as (input: Schema.Struct.Type<Fields>) => Effect.Effect<Schema.Struct.Type<Fields>, InvalidInput>
}

const validators = new WeakMap<Schema.Struct.Fields, (input: unknown) => Effect.Effect<unknown, InvalidInput>>()

/** Decodes untrusted input (JSON, a bot message) into a model, failing with `InvalidInput`. */
export const decodeUnknown =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (input: unknown): Effect.Effect<A, InvalidInput> =>
    Schema.decodeUnknown(schema)(input, { errors: "all", onExcessProperty: "error" }).pipe(
      Effect.mapError(toInvalidInput)
    )

/** An `InvalidInput` about one field. */
export const invalidField = (path: ReadonlyArray<string | number>, message: string): InvalidInput =>
  new InvalidInput({ message, issues: [new FieldIssue({ path, message })] })
