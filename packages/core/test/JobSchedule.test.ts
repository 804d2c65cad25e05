import { assert, describe, it } from "@effect/vitest"
import { Cron, DateTime, Either, FastCheck, Option } from "effect"
import * as JobSchedule from "../src/JobSchedule.js"

const parse = (expression: string, timeZone: string) =>
  Either.getOrThrow(JobSchedule.parseCron(JobSchedule.cron(expression, timeZone)))

const refused = (expression: string, timeZone = "Europe/Moscow") =>
  Either.match(JobSchedule.parseCron(JobSchedule.cron(expression, timeZone)), {
    onLeft: (error) => error,
    onRight: () => assert.fail(`"${expression}" was accepted`)
  })

/** `count` occurrences after `from`, as ISO strings. */
const occurrences = (expression: string, timeZone: string, from: string, count: number) => {
  const parsed = parse(expression, timeZone)
  const out: Array<string> = []
  let cursor = DateTime.unsafeMake(from)
  for (let i = 0; i < count; i++) {
    cursor = Option.getOrThrow(JobSchedule.next(parsed, cursor))
    out.push(DateTime.formatIso(cursor).replace(".000Z", "Z"))
  }
  return out
}

describe("JobSchedule.parseCron", () => {
  it("refuses a bad field naming it and its position", () => {
    const hour = refused("0 25 * * *")
    assert.strictEqual(hour._tag, "InvalidSchedule")
    assert.strictEqual(hour.field, "hour")
    assert.strictEqual(hour.position, 2)
    assert.include(hour.message, "between 0 and 23")
    assert.include(hour.message, "position 2")

    const minute = refused("61 9 * * *")
    assert.deepStrictEqual([minute.field, minute.position], ["minute", 0])
    const weekday = refused("0 0 9  * * mon-fry")
    assert.deepStrictEqual([weekday.field, weekday.position], ["dayOfWeek", 11])
    const step = refused("*/0 * * * *")
    assert.deepStrictEqual([step.field, step.position], ["minute", 0])
    const range = refused("0 9 * * 5-1")
    assert.deepStrictEqual([range.field, range.position], ["dayOfWeek", 8])
    const month = refused("0 9 1 13 *")
    assert.deepStrictEqual([month.field, month.position], ["month", 6])
    const day = refused("0 9 0 * *")
    assert.deepStrictEqual([day.field, day.position], ["dayOfMonth", 4])
  })

  it("refuses a wrong number of fields, an unknown zone and a date that never comes", () => {
    const short = refused("0 9 * *")
    assert.deepStrictEqual([short.field, short.position], ["expression", 7])
    assert.include(short.message, "found 4")
    const long = refused("0 0 9 * * * 2026")
    assert.deepStrictEqual([long.field, long.position], ["expression", 12])
    assert.strictEqual(refused("").field, "expression")
    const zone = refused("0 9 * * *", "Mars/Olympus_Mons")
    assert.deepStrictEqual([zone.field, zone.position], ["timeZone", 0])
    for (const offset of ["+03:00", "+03", "-0500"]) assert.strictEqual(refused("0 9 * * *", offset).field, "timeZone")
    const never = refused("0 9 31 2 *")
    assert.deepStrictEqual([never.field, never.position], ["expression", 0])
    assert.include(never.message, "matches no date")
  })

  it("normalises spacing and the zone's spelling, and accepts seconds and leap days", () => {
    const parsed = parse("  0   9 * *  1-5 ", "europe/moscow")
    assert.deepStrictEqual(parsed.schedule, JobSchedule.cron("0 9 * * 1-5", "Europe/Moscow"))
    assert.deepStrictEqual(occurrences("*/20 * * * * *", "UTC", "2026-03-02T09:00:00Z", 3), [
      "2026-03-02T09:00:20Z",
      "2026-03-02T09:00:40Z",
      "2026-03-02T09:01:00Z"
    ])
    assert.deepStrictEqual(occurrences("0 12 29 2 *", "Europe/Moscow", "2026-01-01T00:00:00Z", 2), [
      "2028-02-29T09:00:00Z",
      "2032-02-29T09:00:00Z"
    ])
  })

  it("parses intervals and refuses a non-positive one", () => {
    assert.isTrue(Either.isRight(JobSchedule.parse(JobSchedule.every(60))))
    const zero = JobSchedule.parse({ _tag: "Interval", everySeconds: 0 })
    assert.isTrue(Either.isLeft(zero) && zero.left.field === "interval")
    assert.strictEqual(JobSchedule.describe(JobSchedule.every(60)), "every 60 s")
    assert.strictEqual(JobSchedule.describe(JobSchedule.cron("0 9 * * *", "UTC")), "0 9 * * * (UTC)")
  })
})

describe("JobSchedule.next", () => {
  it("fires the seeds' jobs at Moscow time, which has no daylight saving", () => {
    assert.deepStrictEqual(occurrences("0 18 * * 1-5", "Europe/Moscow", "2026-03-27T16:00:00Z", 3), [
      "2026-03-30T15:00:00Z",
      "2026-03-31T15:00:00Z",
      "2026-04-01T15:00:00Z"
    ])
    // Europe's change days pass without a trace in Moscow.
    assert.deepStrictEqual(occurrences("30 2 * * *", "Europe/Moscow", "2026-03-28T12:00:00Z", 2), [
      "2026-03-28T23:30:00Z",
      "2026-03-29T23:30:00Z"
    ])
    assert.deepStrictEqual(occurrences("0 * * * *", "Europe/Moscow", "2026-10-24T23:30:00Z", 4), [
      "2026-10-25T00:00:00Z",
      "2026-10-25T01:00:00Z",
      "2026-10-25T02:00:00Z",
      "2026-10-25T03:00:00Z"
    ])
  })

  it("Berlin, spring forward (2026-03-29 02:00 → 03:00): a fixed-time job runs at 03:30, hourly loses nothing", () => {
    assert.deepStrictEqual(occurrences("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", 3), [
      "2026-03-28T01:30:00Z".replace("28T01", "29T01"),
      "2026-03-30T00:30:00Z",
      "2026-03-31T00:30:00Z"
    ])
    // Asked from inside the jump, the shifted run is still ahead.
    assert.deepStrictEqual(occurrences("30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", 1), [
      "2026-03-29T01:30:00Z"
    ])
    assert.deepStrictEqual(occurrences("0 * * * *", "Europe/Berlin", "2026-03-28T23:00:00Z", 4), [
      "2026-03-29T00:00:00Z",
      "2026-03-29T01:00:00Z",
      "2026-03-29T02:00:00Z",
      "2026-03-29T03:00:00Z"
    ])
  })

  it("Berlin, fall back (2026-10-25 03:00 → 02:00): a fixed-time job runs once, hourly runs in both copies of 02:00", () => {
    assert.deepStrictEqual(occurrences("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 2), [
      "2026-10-25T00:30:00Z",
      "2026-10-26T01:30:00Z"
    ])
    assert.deepStrictEqual(occurrences("0 * * * *", "Europe/Berlin", "2026-10-24T22:30:00Z", 5), [
      "2026-10-24T23:00:00Z",
      "2026-10-25T00:00:00Z",
      "2026-10-25T01:00:00Z",
      "2026-10-25T02:00:00Z",
      "2026-10-25T03:00:00Z"
    ])
    // From inside the repeated hour: never an instant before the start, the fixed job not again.
    assert.deepStrictEqual(occurrences("*/30 * * * *", "Europe/Berlin", "2026-10-25T01:00:00Z", 3), [
      "2026-10-25T01:30:00Z",
      "2026-10-25T02:00:00Z",
      "2026-10-25T02:30:00Z"
    ])
    assert.deepStrictEqual(occurrences("30 2 * * *", "Europe/Berlin", "2026-10-25T01:00:00Z", 1), [
      "2026-10-26T01:30:00Z"
    ])
  })

  it("New York, both change days of 2026", () => {
    assert.deepStrictEqual(occurrences("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 3), [
      "2026-03-08T07:30:00Z",
      "2026-03-09T06:30:00Z",
      "2026-03-10T06:30:00Z"
    ])
    assert.deepStrictEqual(occurrences("30 2 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2), [
      "2026-11-01T07:30:00Z",
      "2026-11-02T07:30:00Z"
    ])
    assert.deepStrictEqual(occurrences("0 * * * *", "America/New_York", "2026-11-01T03:30:00Z", 5), [
      "2026-11-01T04:00:00Z",
      "2026-11-01T05:00:00Z",
      "2026-11-01T06:00:00Z",
      "2026-11-01T07:00:00Z",
      "2026-11-01T08:00:00Z"
    ])
    assert.deepStrictEqual(occurrences("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2), [
      "2026-11-01T05:30:00Z",
      "2026-11-02T06:30:00Z"
    ])
  })

  it("pins what Effect's Cron gets wrong in 3.22.4 (remove the workaround when this fails)", () => {
    const hourly = Cron.unsafeParse("0 * * * *", "Europe/Berlin")
    const after = Cron.next(hourly, new Date("2026-10-25T00:00:00Z"))
    assert.strictEqual(after.toISOString(), "2026-10-25T02:00:00.000Z")
    const halfHourly = Cron.unsafeParse("*/30 * * * *", "Europe/Berlin")
    // Started inside the repeated hour it answers an instant before the start.
    assert.strictEqual(
      Cron.next(halfHourly, new Date("2026-10-25T01:00:00Z")).toISOString(),
      "2026-10-25T00:30:00.000Z"
    )
  })

  it("intervals fire on multiples of the interval from the anchor (the epoch by default)", () => {
    const hourly = Either.getOrThrow(JobSchedule.parse(JobSchedule.every(3600)))
    const at = (iso: string) =>
      DateTime.formatIso(Option.getOrThrow(JobSchedule.next(hourly, DateTime.unsafeMake(iso))))
    assert.strictEqual(at("2026-10-25T00:10:00Z"), "2026-10-25T01:00:00.000Z")
    assert.strictEqual(at("2026-10-25T01:00:00Z"), "2026-10-25T02:00:00.000Z")
    const anchored = Either.getOrThrow(
      JobSchedule.parse(JobSchedule.every(600, DateTime.unsafeMake("2026-03-02T09:05:00Z")))
    )
    const from = (iso: string) =>
      DateTime.formatIso(Option.getOrThrow(JobSchedule.next(anchored, DateTime.unsafeMake(iso))))
    assert.strictEqual(from("2026-03-01T00:00:00Z"), "2026-03-02T09:05:00.000Z")
    assert.strictEqual(from("2026-03-02T09:05:00Z"), "2026-03-02T09:15:00.000Z")
    assert.strictEqual(from("2026-03-02T10:00:00Z"), "2026-03-02T10:05:00.000Z")
    assert.deepStrictEqual(
      JobSchedule.between(
        hourly,
        DateTime.unsafeMake("2026-03-02T09:00:00Z"),
        DateTime.unsafeMake("2026-03-02T12:00:00Z"),
        10
      ).map(DateTime.formatIso),
      ["2026-03-02T10:00:00.000Z", "2026-03-02T11:00:00.000Z", "2026-03-02T12:00:00.000Z"]
    )
  })

  // The reference: scan minute by minute, knowing every change of offset in the window (these
  // zones change on whole hours, so an hourly look finds them).
  const minute = 60_000
  const hour = 60 * minute
  const offsetAt = (zone: string, millis: number) =>
    DateTime.zonedOffset(DateTime.unsafeMakeZoned(millis, { timeZone: zone }))
  const reference = (expression: string, zone: string, after: number, until: number): number | undefined => {
    const fields = Cron.unsafeParse(expression, "UTC")
    const wildcardHour = fields.hours.size === 0
    const changes: Array<{ at: number; before: number; after: number }> = []
    for (let m = Math.floor(after / hour) * hour - 4 * hour; m <= until; m += hour) {
      const before = offsetAt(zone, m - minute)
      const now = offsetAt(zone, m)
      if (before !== now) changes.push({ at: m, before, after: now })
    }
    const offset = (m: number) => {
      let o = offsetAt(zone, Math.floor(after / hour) * hour - 5 * hour)
      for (const c of changes) if (c.at <= m) o = c.after
      return o
    }
    for (let m = Math.floor(after / minute) * minute + minute; m <= until; m += minute) {
      const recent = changes.filter((c) => c.at <= m && m < c.at + Math.abs(c.after - c.before)).at(-1)
      const wall = Cron.match(fields, m + offset(m))
      if (recent !== undefined && recent.before > recent.after) {
        if (wall && wildcardHour) return m
        continue
      }
      if (wall) return m
      if (recent !== undefined && recent.before < recent.after && Cron.match(fields, m + recent.before)) return m
    }
    return undefined
  }

  const changes = [
    ["Europe/Berlin", "2026-03-29T01:00:00Z"],
    ["Europe/Berlin", "2026-10-25T01:00:00Z"],
    ["America/New_York", "2026-03-08T07:00:00Z"],
    ["America/New_York", "2026-11-01T06:00:00Z"],
    ["Europe/Moscow", "2026-10-25T01:00:00Z"]
  ] as const

  it.prop(
    "around every change of 2026 it agrees with a minute-by-minute scan and always moves forward",
    {
      change: FastCheck.constantFrom(...changes),
      minuteField: FastCheck.constantFrom("0", "30", "*/15", "*/20", "5,45"),
      hourField: FastCheck.constantFrom("*", "1", "2", "3", "1-3", "*/2", "0"),
      weekdayField: FastCheck.constantFrom("*", "0", "1-5"),
      offsetSeconds: FastCheck.integer({ min: -6 * 3600, max: 6 * 3600 })
    },
    ({ change, minuteField, hourField, weekdayField, offsetSeconds }) => {
      const [zone, at] = change
      const expression = `${minuteField} ${hourField} * * ${weekdayField}`
      const parsed = parse(expression, zone)
      const after = DateTime.toEpochMillis(DateTime.unsafeMake(at)) + offsetSeconds * 1000
      const got = Option.getOrThrow(JobSchedule.nextCron(parsed, after))
      assert.isAbove(got, after)
      const expected = reference(expression, zone, after, after + 8 * 24 * hour)
      assert.strictEqual(
        new Date(got).toISOString(),
        expected === undefined ? "none" : new Date(expected).toISOString(),
        `${expression} in ${zone} after ${new Date(after).toISOString()}`
      )
    },
    { fastCheck: { numRuns: 60 } }
  )
})
