import { DateTime, Option } from "effect"
import { fromLegacyName, type Role } from "./Role.js"
import type { Priority, TaskStatus } from "./Task.js"

/**
 * How the values of other systems' files (seed 000's `tasks.csv` and `users.csv`) map to ours.
 * Matched after trimming, in any case, with `-`, `_` and spaces alike. `docs/http.md` shows the table.
 */
const normal = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "_")

/** Status spellings other systems use, normalised, and the status each means. */
export const statusAliases: Readonly<Record<string, TaskStatus>> = {
  todo: "todo",
  to_do: "todo",
  pending: "todo",
  new: "todo",
  open: "todo",
  in_progress: "in_progress",
  inprogress: "in_progress",
  started: "in_progress",
  done: "done",
  completed: "done",
  complete: "done",
  closed: "done",
  cancelled: "cancelled",
  canceled: "cancelled"
}

/** Priority spellings other systems use, normalised (`medium` is `normal`), and the priority each means. */
export const priorityAliases: Readonly<Record<string, Priority>> = {
  low: "low",
  normal: "normal",
  medium: "normal",
  high: "high",
  urgent: "urgent",
  critical: "urgent"
}

/** Roles beyond `Role.fromLegacyName`'s: the seed's plain `user` is a worker. */
export const roleAliases: Readonly<Record<string, Role>> = { user: "worker" }

/** The status a file's value means, or undefined for an unknown one (a row error naming it). */
export const status = (text: string): TaskStatus | undefined => statusAliases[normal(text)]
/** The priority a file's value means, or undefined for an unknown one. */
export const priority = (text: string): Priority | undefined => priorityAliases[normal(text)]
/** The role a file's value means (`user` is a worker), or undefined for an unknown one. */
export const role = (text: string): Role | undefined => roleAliases[normal(text)] ?? fromLegacyName(text)

const truthy = new Set(["true", "1", "yes", "y", "t", "on", "active"])
const falsy = new Set(["false", "0", "no", "n", "f", "off", "inactive"])

/** `True`/`False` (Python's), `1`/`0`, `yes`/`no`; empty is no answer. */
export const boolean = (text: string): boolean | undefined => {
  const t = text.trim().toLowerCase()
  return truthy.has(t) ? true : falsy.has(t) ? false : undefined
}

const dateTime =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

/**
 * An ISO 8601 date or date-time as the seeds write them: `2024-01-15`, `2024-01-15 10:30:00`,
 * `2024-01-15T10:30:00.123456+03:00`. A time without an offset is taken as UTC; a date alone is its
 * midnight UTC. Anything else, or an impossible date (`2024-02-30`), is none.
 */
export const instant = (text: string): Option.Option<DateTime.Utc> => {
  const m = dateTime.exec(text.trim())
  if (m === null) return Option.none()
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0", zone] = m
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const
  const millis = Date.UTC(...fields, Number(frac.padEnd(3, "0").slice(0, 3)))
  const check = new Date(millis)
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] ||
    check.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  ) {
    return Option.none()
  }
  let offsetMinutes = 0
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0"))
  }
  return DateTime.make(millis - offsetMinutes * 60_000).pipe(Option.map(DateTime.toUtc))
}
