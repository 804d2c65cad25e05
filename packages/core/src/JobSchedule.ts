import { Cron, DateTime, Either, Option, Schema } from "effect"
import { Instant } from "./Instant.js"
import { singleLine } from "./Text.js"

/** The longest fixed interval a job may have: one year. */
export const maxIntervalSeconds = 366 * 24 * 3600

/**
 * A cron expression read on the wall clock of an IANA time zone: five fields (minute hour
 * day-of-month month day-of-week) or six with seconds first.
 */
export const CronSchedule = Schema.TaggedStruct("Cron", {
  expression: singleLine(Schema.String.pipe(Schema.maxLength(200))),
  timeZone: singleLine(Schema.String.pipe(Schema.maxLength(64)))
})
export type CronSchedule = typeof CronSchedule.Type

/**
 * A fixed interval. Occurrences are `anchor + k × everySeconds`; without an anchor the Unix epoch,
 * so every instance computes the same instants and `3600` fires on whole UTC hours.
 */
export const IntervalSchedule = Schema.TaggedStruct("Interval", {
  everySeconds: Schema.Int.pipe(Schema.between(1, maxIntervalSeconds)),
  anchor: Schema.optional(Instant)
})
export type IntervalSchedule = typeof IntervalSchedule.Type

/** A cron schedule: `cron("0 9 * * *", "Europe/Moscow")`. */
export const cron = (expression: string, timeZone: string): CronSchedule => CronSchedule.make({ expression, timeZone })

/** An interval schedule: `every(3600)` fires on whole UTC hours. */
export const every = (seconds: number, anchor?: DateTime.Utc): IntervalSchedule =>
  IntervalSchedule.make(anchor === undefined ? { everySeconds: seconds } : { everySeconds: seconds, anchor })

/** When a job runs: a cron expression in a time zone, or a fixed interval. */
export const Schedule = Schema.Union(CronSchedule, IntervalSchedule)
export type Schedule = typeof Schedule.Type

/** Which part of a schedule is wrong. */
export const ScheduleField = Schema.Literal(
  "expression",
  "second",
  "minute",
  "hour",
  "dayOfMonth",
  "month",
  "dayOfWeek",
  "timeZone",
  "interval"
)
export type ScheduleField = typeof ScheduleField.Type

/**
 * A schedule that cannot be used, refused when the job is defined or changed. `position` is the
 * 0-based offset in `expression` of the field at fault (its length when fields are missing).
 */
export class InvalidSchedule extends Schema.TaggedError<InvalidSchedule>()("InvalidSchedule", {
  expression: Schema.String,
  field: ScheduleField,
  position: Schema.Int,
  message: Schema.String
}) {}

/** A cron schedule ready for computing occurrences. */
export interface ParsedCron {
  readonly _tag: "Cron"
  readonly schedule: CronSchedule
  /** The fields, evaluated in UTC: zone offsets are applied by `next`, not by Effect's `Cron`. */
  readonly cron: Cron.Cron
  readonly zone: DateTime.TimeZone.Named
  /** A wildcard hour runs in both copies of a repeated (autumn) hour; a fixed hour only in the first. */
  readonly wildcardHour: boolean
}

/** An interval schedule ready for computing occurrences. */
export interface ParsedInterval {
  readonly _tag: "Interval"
  readonly schedule: IntervalSchedule
  readonly everyMillis: number
  readonly anchorMillis: number
}

/** A schedule checked and ready to compute occurrences. */
export type ParsedSchedule = ParsedCron | ParsedInterval

const fieldsWithoutSeconds: ReadonlyArray<ScheduleField> = ["minute", "hour", "dayOfMonth", "month", "dayOfWeek"]
const fieldsWithSeconds: ReadonlyArray<ScheduleField> = ["second", ...fieldsWithoutSeconds]

// 2000-01-01T00:00:00Z: any date will do to check that an expression ever matches.
const year2000 = 946_684_800_000

const names: Record<ScheduleField, string> = {
  expression: "expression",
  second: "second",
  minute: "minute",
  hour: "hour",
  dayOfMonth: "day of month",
  month: "month",
  dayOfWeek: "day of week",
  timeZone: "time zone",
  interval: "interval"
}

const invalid = (expression: string, field: ScheduleField, position: number, message: string) =>
  new InvalidSchedule({ expression, field, position, message: `${message} (${names[field]}, position ${position})` })

/**
 * An IANA time zone by name, in any case. Node 24's Intl also takes UTC offsets ("+03:00") as
 * zones and Node 20's does not; an offset is not a place's time (no daylight saving), so it is
 * refused on every runtime.
 */
export const zoneNamed = (name: string): Option.Option<DateTime.TimeZone.Named> =>
  Option.filter(DateTime.zoneMakeNamed(name), (zone) => !/^[+-]/.test(zone.id))

/** Parses a cron expression and an IANA zone, naming the field and position of the first error. */
export const parseCron = (schedule: CronSchedule): Either.Either<ParsedCron, InvalidSchedule> => {
  const { expression, timeZone } = schedule
  const tokens = Array.from(expression.matchAll(/\S+/g), (m) => ({ text: m[0], at: m.index }))
  if (tokens.length !== 5 && tokens.length !== 6) {
    const position = tokens.length > 6 ? tokens[6]!.at : expression.length
    return Either.left(
      invalid(
        expression,
        "expression",
        position,
        `expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, found ${tokens.length}`
      )
    )
  }
  const fieldNames = tokens.length === 6 ? fieldsWithSeconds : fieldsWithoutSeconds
  // Effect's parser names the bad text but not where it is: check each field alone to find it.
  for (const [i, token] of tokens.entries()) {
    const probe = ["0", "*", "*", "*", "*", "*"]
    probe[i + 6 - tokens.length] = token.text
    const result = Cron.parse(probe.join(" "), "UTC")
    if (Either.isLeft(result)) return Either.left(invalid(expression, fieldNames[i]!, token.at, result.left.message))
  }
  const zone = zoneNamed(timeZone.trim())
  if (Option.isNone(zone)) {
    return Either.left(
      new InvalidSchedule({
        expression,
        field: "timeZone",
        position: 0,
        message: `unknown time zone "${timeZone}": use an IANA name such as Europe/Moscow`
      })
    )
  }
  const normalized = tokens.map((t) => t.text).join(" ")
  const evaluated = Cron.unsafeParse(normalized, "UTC")
  const parsed: ParsedCron = {
    _tag: "Cron",
    schedule: cron(normalized, zone.value.id),
    cron: evaluated,
    zone: zone.value,
    wildcardHour: evaluated.hours.size === 0
  }
  // A day that never comes (31 February) would make every later computation search in vain.
  if (Option.isNone(nextCron(parsed, year2000))) {
    return Either.left(invalid(expression, "expression", 0, "the expression matches no date"))
  }
  return Either.right(parsed)
}

/** Parses a schedule: a cron expression with its zone, or an interval. */
export const parse = (schedule: Schedule): Either.Either<ParsedSchedule, InvalidSchedule> => {
  if (schedule._tag === "Cron") return parseCron(schedule)
  if (!Number.isInteger(schedule.everySeconds) || schedule.everySeconds < 1) {
    return Either.left(
      new InvalidSchedule({
        expression: String(schedule.everySeconds),
        field: "interval",
        position: 0,
        message: "the interval must be a whole number of seconds, at least 1"
      })
    )
  }
  return Either.right({
    _tag: "Interval",
    schedule,
    everyMillis: schedule.everySeconds * 1000,
    anchorMillis: schedule.anchor === undefined ? 0 : DateTime.toEpochMillis(schedule.anchor)
  })
}

const hour = 3_600_000
const day = 24 * hour
// Longer than any daylight-saving shift, shorter than the time between two changes of one zone.
const lookBack = 3 * hour

const offsetAt = (zone: DateTime.TimeZone, millis: number): number =>
  DateTime.zonedOffset(DateTime.unsafeMakeZoned(millis, { timeZone: zone }))

/** The first instant after `after` whose wall clock at a fixed UTC offset matches the fields. */
const nextAtOffset = (cron: Cron.Cron, offset: number, after: number): number | undefined => {
  try {
    return Cron.next(cron, after + offset).getTime() - offset
  } catch {
    // Effect's Cron gives up after 10,000 steps: the fields match no date.
    return undefined
  }
}

/** The first instant in `(from, to]` whose offset differs from `offset` (the offset at `from`). */
const changeIn = (zone: DateTime.TimeZone, from: number, to: number, offset: number): number | undefined => {
  let low = from
  while (low < to) {
    const high = Math.min(low + day, to)
    if (offsetAt(zone, high) !== offset) {
      let a = low
      let b = high
      while (b - a > 1) {
        const middle = Math.floor((a + b) / 2)
        if (offsetAt(zone, middle) === offset) a = middle
        else b = middle
      }
      return b
    }
    low = high
  }
  return undefined
}

/**
 * The next occurrence strictly after `after` (epoch milliseconds) of a cron schedule.
 *
 * Effect's `Cron.next` steps through wall-clock times and maps each to an instant, which in
 * 3.22.4 loses the second copy of a repeated autumn hour (`0 * * * *` in Berlin on 2026-10-25 gives
 * 00:00Z then 02:00Z) and, started inside that copy, can answer an instant before the start. So
 * the zone is split into stretches of constant offset, in which the fields are evaluated exactly
 * (UTC arithmetic on a shifted clock), with two rules at the seams:
 * - spring forward: a wall-clock time that does not exist runs as much later as the clock jumped
 *   (02:30 → 03:30), as Effect does and as `Temporal` calls "compatible";
 * - fall back: the repeated wall-clock times run again only when the hour field is a wildcard;
 *   a job at a fixed hour (`30 2 * * *`) runs once, at the first 02:30.
 */
export const nextCron = (parsed: ParsedCron, after: number): Option.Option<number> => {
  const { cron, zone, wildcardHour } = parsed
  let offset = offsetAt(zone, after)
  let start = after
  // The change of offset that began the current stretch, when recent enough to matter.
  let change: { readonly at: number; readonly before: number } | undefined
  const earlier = offsetAt(zone, after - lookBack)
  if (earlier !== offset) {
    const at = changeIn(zone, after - lookBack, after, earlier)
    if (at !== undefined) change = { at, before: offsetAt(zone, at - 1) }
  }
  for (let stretch = 0; stretch < 1_000; stretch++) {
    const candidates: Array<number> = []
    let from = Math.max(after, start - 1)
    if (change !== undefined) {
      const shift = change.before - offset
      if (shift > 0 && !wildcardHour) from = Math.max(from, change.at + shift - 1)
      if (shift < 0) {
        const skipped = nextAtOffset(cron, change.before, Math.max(after, change.at - 1))
        if (skipped !== undefined && skipped < change.at - shift) candidates.push(skipped)
      }
    }
    const found = nextAtOffset(cron, offset, from)
    const next = found === undefined ? undefined : changeIn(zone, start, found, offset)
    if (found !== undefined && next === undefined) candidates.push(found)
    if (candidates.length > 0) return Option.some(Math.min(...candidates))
    if (next === undefined) return Option.none()
    change = { at: next, before: offset }
    offset = offsetAt(zone, next)
    start = next
  }
  return Option.none()
}

/** The next occurrence strictly after `after` (epoch milliseconds) of an interval schedule. */
export const nextInterval = (parsed: ParsedInterval, after: number): number => {
  if (after < parsed.anchorMillis) return parsed.anchorMillis
  return parsed.anchorMillis + (Math.floor((after - parsed.anchorMillis) / parsed.everyMillis) + 1) * parsed.everyMillis
}

/** The next occurrence of a schedule strictly after `after`; none when it never occurs again. */
export const next = (parsed: ParsedSchedule, after: DateTime.Utc): Option.Option<DateTime.Utc> => {
  const millis = DateTime.toEpochMillis(after)
  const result = parsed._tag === "Cron" ? nextCron(parsed, millis) : Option.some(nextInterval(parsed, millis))
  return Option.map(result, (m) => DateTime.unsafeMake(m))
}

/** Up to `limit` occurrences in `(after, until]`, oldest first. */
export const between = (
  parsed: ParsedSchedule,
  after: DateTime.Utc,
  until: DateTime.Utc,
  limit: number
): ReadonlyArray<DateTime.Utc> => {
  const out: Array<DateTime.Utc> = []
  let cursor = after
  while (out.length < limit) {
    const found = next(parsed, cursor)
    if (Option.isNone(found) || DateTime.greaterThan(found.value, until)) break
    out.push(found.value)
    cursor = found.value
  }
  return out
}

/** A short human description: `0 9 * * * (Europe/Moscow)` or `every 3600 s`. */
export const describe = (schedule: Schedule): string =>
  schedule._tag === "Cron" ? `${schedule.expression} (${schedule.timeZone})` : `every ${schedule.everySeconds} s`
