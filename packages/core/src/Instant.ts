import { DateTime, ParseResult, Schema } from "effect"

/**
 * The years an instant given to taskdesk may fall in (UTC): four-digit years from 1900. Every date
 * then reads `YYYY-MM-DD…` in ISO 8601, never the expanded `±YYYYYY` form that some stores and
 * clients read differently or not at all (year 0000, year 275760); 1900 leaves room for the dates
 * old documents bear while refusing a year typed with two digits (0026). A narrower upper bound
 * would refuse little that a user means and would cut into the far-future windows the storage
 * conformance suite keeps its datasets apart in.
 */
export const minYear = 1900
/** The last year an instant may fall in: four-digit years keep every date in plain ISO form. */
export const maxYear = 9999

const min = Date.UTC(minYear, 0, 1)
const max = Date.UTC(maxYear + 1, 0, 1) - 1

const form = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** Why a string is not an instant taskdesk takes, or undefined when it is one. */
const refusal = (text: string): string | undefined => {
  const parts = form.exec(text)
  if (parts === null) return "an ISO 8601 date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM:SSZ)"
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((p) => (p === undefined ? 0 : Number(p)))
  if (month! < 1 || month! > 12) return `there is no month ${parts[2]}`
  if (day! < 1 || day! > daysIn(year!, month!)) return `there is no ${parts[1]}-${parts[2]}-${parts[3]}`
  if (hour! > 23 || minute! > 59 || second! > 59) return "a time of day from 00:00:00 to 23:59:59"
  return undefined
}

const inRange = (t: DateTime.Utc) => t.epochMillis >= min && t.epochMillis <= max

/** The UTC instants taskdesk takes: from `minYear` to `maxYear`. */
export const InstantFromSelf = Schema.DateTimeUtcFromSelf.pipe(
  Schema.filter((t) => inRange(t) || `a date from ${minYear}-01-01 to ${maxYear}-12-31 (UTC)`, {
    arbitrary: () => (fc) =>
      fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((d) => DateTime.unsafeFromDate(d))
  })
)

/**
 * Every date and time taskdesk is given (a due time, a deadline, a document's date, a filter's
 * bound): an ISO 8601 string naming a real calendar day (2026-02-30 is refused, not moved to
 * 2 March) in the years `minYear`–`maxYear`. Encoded as `DateTime.formatIso`, as `Schema.DateTimeUtc`.
 */
export const Instant = Schema.transformOrFail(
  Schema.String.annotations({ description: `an ISO 8601 date and time, years ${minYear}–${maxYear}` }),
  InstantFromSelf,
  {
    strict: true,
    decode: (text, _, ast) => {
      const why = refusal(text)
      if (why !== undefined) return ParseResult.fail(new ParseResult.Type(ast, text, why))
      const made = DateTime.make(text)
      return made._tag === "Some"
        ? ParseResult.succeed(made.value)
        : ParseResult.fail(new ParseResult.Type(ast, text, "not a date and time"))
    },
    encode: (t) => ParseResult.succeed(DateTime.formatIso(t))
  }
).annotations({ identifier: "Instant" })

/** Whether an instant is in the years taskdesk takes. */
export const isInRange = (t: DateTime.Utc): boolean => inRange(t)
