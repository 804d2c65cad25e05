import { DateTime, Option } from "effect"

const zoneOrUtc = (zone: Option.Option<DateTime.TimeZone>): DateTime.TimeZone =>
  Option.getOrElse(zone, () => DateTime.zoneUnsafeMakeNamed("UTC"))

const pad = (n: number) => String(n).padStart(2, "0")

/** `2026-03-02 09:00` on the wall clock of the zone (UTC when none), for messages. */
export const formatLocal = (at: DateTime.Utc, zone: Option.Option<DateTime.TimeZone>): string => {
  const p = DateTime.toParts(DateTime.unsafeMakeZoned(at, { timeZone: zoneOrUtc(zone) }))
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hours)}:${pad(p.minutes)}`
}

/** `2026-03-02`: the local date of an instant in the zone (UTC when none). */
export const localDate = (at: DateTime.Utc, zone: Option.Option<DateTime.TimeZone>): string =>
  formatLocal(at, zone).slice(0, 10)

/** The local day containing `at` as a half-open UTC range `[from, to)`; 23 or 25 hours long on DST days. */
export const localDay = (
  at: DateTime.Utc,
  zone: Option.Option<DateTime.TimeZone>
): { readonly from: DateTime.Utc; readonly to: DateTime.Utc } => {
  const start = DateTime.startOf(DateTime.unsafeMakeZoned(at, { timeZone: zoneOrUtc(zone) }), "day")
  return { from: DateTime.toUtc(start), to: DateTime.toUtc(DateTime.add(start, { days: 1 })) }
}
