import { DateTime } from "effect"

/** How many backups to keep: the newest of each of the last `daily` days, `weekly` ISO weeks and `monthly` months. */
export interface RetentionPolicy {
  readonly daily: number
  readonly weekly: number
  readonly monthly: number
}

/** The seeds' rule: 7 daily, 4 weekly and 12 monthly copies. */
export const defaultPolicy: RetentionPolicy = { daily: 7, weekly: 4, monthly: 12 }

/** A backup as retention sees it: a name (the tie-breaker) and when it was made. */
export interface Dated {
  readonly name: string
  readonly at: DateTime.Utc
}

const pad = (n: number) => String(n).padStart(2, "0")

/** `2026-W10`: the ISO 8601 week of a calendar date (weeks start on Monday; week 1 holds the first Thursday). */
export const isoWeek = (year: number, month: number, day: number): string => {
  const date = Date.UTC(year, month - 1, day)
  const weekday = new Date(date).getUTCDay() || 7
  const thursday = new Date(date + (4 - weekday) * 86_400_000)
  const weekYear = thursday.getUTCFullYear()
  const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / (7 * 86_400_000)) + 1
  return `${weekYear}-W${pad(week)}`
}

/** The day, ISO week and month a backup falls in, on the wall clock of `zone`. */
export const periodsOf = (at: DateTime.Utc, zone: DateTime.TimeZone) => {
  const p = DateTime.toParts(DateTime.unsafeMakeZoned(at, { timeZone: zone }))
  return {
    day: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
    week: isoWeek(p.year, p.month, p.day),
    month: `${p.year}-${pad(p.month)}`
  }
}

/**
 * Which backups to keep and which to delete. Each rule counts on its own (a backup kept by one
 * rule also counts for the others): for the last `daily` days that have a backup the newest of
 * each day is kept, likewise for ISO weeks and months, and the union survives. Counting days that
 * have a backup, not calendar days, means a stretch without backups never deletes the old ones.
 * Periods are read on the wall clock of `zone` (the backup job's time zone).
 */
export const select = <A extends Dated>(
  backups: ReadonlyArray<A>,
  policy: RetentionPolicy,
  zone: DateTime.TimeZone
): { readonly keep: ReadonlyArray<A>; readonly remove: ReadonlyArray<A> } => {
  const newestFirst = [...backups].sort(
    (a, b) =>
      DateTime.toEpochMillis(b.at) - DateTime.toEpochMillis(a.at) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0)
  )
  const periods = newestFirst.map((b) => periodsOf(b.at, zone))
  const kept = new Set<number>()
  const rule = (count: number, period: (p: (typeof periods)[number]) => string) => {
    const seen = new Set<string>()
    for (let i = 0; i < newestFirst.length && seen.size < count; i++) {
      const key = period(periods[i]!)
      if (seen.has(key)) continue
      seen.add(key)
      kept.add(i)
    }
  }
  rule(policy.daily, (p) => p.day)
  rule(policy.weekly, (p) => p.week)
  rule(policy.monthly, (p) => p.month)
  return {
    keep: newestFirst.filter((_, i) => kept.has(i)),
    remove: newestFirst.filter((_, i) => !kept.has(i))
  }
}
