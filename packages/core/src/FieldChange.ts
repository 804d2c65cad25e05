import { Equal, Schema } from "effect"

/**
 * A field a change gave a new value, as the audit log records it: the value before and after in the
 * field's encoded (JSON) form, as the API shows it (`dueAt` an ISO string, a list an array); `null` for none.
 */
export const FieldChange = Schema.Struct({
  field: Schema.String,
  from: Schema.Unknown.annotations({ description: "the encoded value before; null for none" }),
  to: Schema.Unknown.annotations({ description: "the encoded value after; null for none" })
}).annotations({ identifier: "FieldChange" })
export type FieldChange = typeof FieldChange.Type

/**
 * The `changes` of an event payload. Optional: events recorded before taskdesk kept old and new
 * values have only `fields`, and still decode.
 */
export const Changes = Schema.optional(Schema.Array(FieldChange))

// Bookkeeping every change moves; an audit entry says what the change was, not that it happened.
const bookkeeping = new Set(["id", "version", "createdAt", "updatedAt"])

/**
 * A differ for a model's fields: `(before, after, keys?)` gives the fields among `keys` (all but
 * bookkeeping by default) whose encoded values differ, in the order of `keys`.
 */
export const differ = <Fields extends Schema.Struct.Fields>(fields: Fields) => {
  const encoders = new Map<string, (value: unknown) => unknown>()
  /** The encoded value of one field; a field is encoded through its own schema, so optional ones become absent. */
  const encode = (key: string, value: unknown): unknown => {
    let encoder = encoders.get(key)
    if (encoder === undefined) {
      // The models' fields need no services to encode.
      const one = Schema.encodeSync(
        Schema.Struct({ [key]: fields[key]! }) as unknown as Schema.Schema<Record<string, unknown>>
      )
      encoder = (v) => one({ [key]: v })[key] ?? null
      encoders.set(key, encoder)
    }
    return encoder(value)
  }
  const all = Object.keys(fields).filter((k) => !bookkeeping.has(k))
  return <A extends { readonly [K in keyof Fields]: unknown }>(
    before: A,
    after: A,
    keys: ReadonlyArray<keyof Fields & string> = all
  ): ReadonlyArray<FieldChange> => {
    const changes: Array<FieldChange> = []
    for (const key of keys) {
      if (!Object.hasOwn(fields, key)) continue
      // Equal values encode alike: only fields that may have changed pay for encoding.
      if (Equal.equals(before[key], after[key])) continue
      const from = encode(key, before[key])
      const to = encode(key, after[key])
      if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field: key, from, to })
    }
    return changes
  }
}
