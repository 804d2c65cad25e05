import {
  Actor,
  type Errors,
  type Ids,
  type Page,
  Policy,
  RepairRequest,
  type RepairStatistics,
  type Task,
  UserRepo
} from "@taskdesk/core"
import { Chunk, DateTime, Effect, Option, Stream } from "effect"
import * as Csv from "./Csv.js"

/** The columns of the task export: seed 000's `tasks.csv`, then ours. Stable: clients match on them. */
export const taskHeader = [
  "id",
  "title",
  "description",
  "status",
  "priority",
  "assigned_to",
  "created_by",
  "due_date",
  "created_at",
  "updated_at",
  "completed_at",
  "tags",
  "project_id"
] as const

export const repairHeader = [
  "number",
  "id",
  "status",
  "client",
  "technician",
  "device_type",
  "device_model",
  "serial_number",
  "problem_description",
  "category",
  "deadline",
  "created_by",
  "created_at",
  "updated_at",
  "started_at",
  "completed_at",
  "completion_note",
  "hold_reason",
  "cancel_reason",
  "rating",
  "rating_feedback"
] as const

export const statisticsHeader = ["section", "key", "metric", "value"] as const

/**
 * ISO 8601 in UTC with milliseconds, as the JSON API writes times. `Date#toISOString` writes the same
 * text as `DateTime.formatIso` at a fraction of its cost (a third of an export's CPU went there).
 */
const time = (t: DateTime.Utc) => new Date(DateTime.toEpochMillis(t)).toISOString()
const optionalTime = (t: Option.Option<DateTime.Utc>) => Option.match(t, { onNone: () => "", onSome: time })
const optional = (v: Option.Option<string>) => Option.getOrElse(v, () => "")

/** The page size of an export: the list endpoints' largest. */
export const pageSize = 500

/**
 * How people are named in an export: by username for those who may read people (`user.read` on
 * anyone), else by id, as the JSON lists name them. Names are looked up once per page for the ids
 * not met before, and kept for the rest of the export.
 *
 * `learn` visits a page's ids through `each` rather than taking a list of them: an array of every
 * id of a page (with a set and a filter over it), built for each page only to find nothing new,
 * was what reached V8's old generation during a long export (about 0.3 MiB a scavenge, +120 MiB
 * at a million rows, left for the next full collection); without it nothing does.
 */
const peopleNamer = Effect.gen(function* () {
  const actor = yield* Actor.CurrentActor
  const policy = yield* Policy.Policy
  const users = yield* UserRepo.UserRepo
  const byName = policy.grants(actor, "user.read").has("any")
  const names = new Map<string, string>()
  const learn = <A>(
    items: ReadonlyArray<A>,
    each: (item: A, see: (id: Ids.UserId) => void) => void
  ): Effect.Effect<void> => {
    if (!byName) return Effect.void
    let missing: Set<Ids.UserId> | undefined
    const see = (id: Ids.UserId) => {
      if (names.has(id)) return
      missing ??= new Set()
      missing.add(id)
    }
    for (const item of items) each(item, see)
    if (missing === undefined) return Effect.void
    return Effect.map(users.findByIds([...missing]), (found) => {
      for (const user of found) names.set(user.id, user.username)
    })
  }
  const name = (id: Ids.UserId) => names.get(id) ?? id
  return { learn, name }
})

// Rows encoded together: a page's text at once is a string of 100–200 KB (twice its length once a
// cell is Cyrillic or Chinese), which V8 allocates outside the young generation.
const rowsPerPiece = 50

const encoder = new TextEncoder()

/** Rows as UTF-8 CSV, in pieces of `rowsPerPiece` rows. */
const encodeRows = (rows: ReadonlyArray<ReadonlyArray<string>>, into: Array<Uint8Array>) => {
  for (let i = 0; i < rows.length; i += rowsPerPiece) {
    into.push(encoder.encode(Csv.format(rows.slice(i, i + rowsPerPiece))))
  }
  return into
}

/**
 * One turn of the event loop. Reading SQLite is synchronous and a socket with room takes a write at
 * once, so without this an export runs on microtasks alone: no timer, no other request and none of
 * V8's collection tasks ran until it ended (16 s for a million rows), and the heap grew meanwhile.
 */
const nextTurn = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/**
 * The CSV bytes of a keyset list: the header, then every page's rows, at most `max` of them (0: all).
 * The first page is read before the answer starts (so a bad filter is still a problem document),
 * each later one only when the client has taken the previous (back pressure), none once the client
 * went away (the stream is interrupted). Reading, naming, formatting and encoding a page is one
 * step of one stream: with a stream stage for each, the pages' garbage outlived the young
 * generation and an export's memory grew with its row count (+120–140 MiB at 200,000 rows).
 */
const csvPages = <A, E, R, R2>(
  header: ReadonlyArray<string>,
  withBom: boolean,
  first: Page.Page<A>,
  next: (cursor: string) => Effect.Effect<Page.Page<A>, E, R>,
  toRows: (items: ReadonlyArray<A>) => Effect.Effect<ReadonlyArray<ReadonlyArray<string>>, never, R2>,
  max: number
): Stream.Stream<Uint8Array, E, R | R2> =>
  Stream.paginateChunkEffect({ at: first as Page.Page<A> | string, sent: 0 }, ({ at, sent }) =>
    Effect.flatMap(typeof at === "string" ? Effect.zipRight(nextTurn, next(at)) : Effect.succeed(at), (page) => {
      const room = max === 0 ? page.items.length : Math.max(0, max - sent)
      const items = page.items.length > room ? page.items.slice(0, room) : page.items
      return Effect.map(toRows(items), (rows) => {
        const pieces: Array<Uint8Array> =
          typeof at === "string" ? [] : [encoder.encode((withBom ? Csv.bom : "") + Csv.format([header]))]
        const total = sent + items.length
        const after =
          Option.isSome(page.nextCursor) && (max === 0 || total < max)
            ? Option.some({ at: page.nextCursor.value as Page.Page<A> | string, sent: total })
            : Option.none()
        return [Chunk.unsafeFromArray(encodeRows(rows, pieces)), after] as const
      })
    })
  )

export interface ExportOptions {
  readonly bom: boolean
  /** Stop after this many rows; 0: no limit. */
  readonly maxRows: number
}

/**
 * The task export of a list query: `list` is the task list (the caller's visibility, filters and
 * sort); the stream runs with the services given here, not with the request's (it outlives the handler).
 */
export const tasks = (
  list: (cursor: string | undefined) => Effect.Effect<Page.Page<Task.Task>, Errors.InvalidInput, Actor.CurrentActor>,
  options: ExportOptions
) =>
  Effect.gen(function* () {
    const context = yield* Effect.context<Actor.CurrentActor | Policy.Policy | UserRepo.UserRepo>()
    const people = yield* peopleNamer
    const first = yield* list(undefined)
    const rows = (page: ReadonlyArray<Task.Task>) =>
      Effect.map(
        people.learn(page, (t, see) => {
          for (const id of t.assigneeIds) see(id)
          see(t.createdBy)
        }),
        () =>
          page.map((t) => [
            t.id,
            t.title,
            t.description,
            t.status,
            t.priority,
            t.assigneeIds.map(people.name).join("; "),
            people.name(t.createdBy),
            optionalTime(t.dueAt),
            time(t.createdAt),
            time(t.updatedAt),
            optionalTime(t.completedAt),
            t.tags.join("; "),
            optional(t.projectId)
          ])
      )
    return csvPages(taskHeader, options.bom, first, list, rows, options.maxRows).pipe(Stream.provideContext(context))
  })

/** The repair request export of a list query, as `tasks`. */
export const repairs = (
  list: (
    cursor: string | undefined
  ) => Effect.Effect<Page.Page<RepairRequest.RepairRequest>, Errors.InvalidInput, Actor.CurrentActor>,
  options: ExportOptions
) =>
  Effect.gen(function* () {
    const context = yield* Effect.context<Actor.CurrentActor | Policy.Policy | UserRepo.UserRepo>()
    const people = yield* peopleNamer
    const first = yield* list(undefined)
    const rows = (page: ReadonlyArray<RepairRequest.RepairRequest>) =>
      Effect.map(
        people.learn(page, (r, see) => {
          see(r.clientId)
          see(r.createdBy)
          if (Option.isSome(r.technicianId)) see(r.technicianId.value)
        }),
        () =>
          page.map((r) => [
            RepairRequest.formatNumber(r.number),
            r.id,
            r.status,
            people.name(r.clientId),
            Option.match(r.technicianId, { onNone: () => "", onSome: people.name }),
            r.deviceType,
            r.deviceModel,
            optional(r.serialNumber),
            r.problemDescription,
            optional(r.category),
            optionalTime(r.deadline),
            people.name(r.createdBy),
            time(r.createdAt),
            time(r.updatedAt),
            optionalTime(r.startedAt),
            optionalTime(r.completedAt),
            optional(r.completionNote),
            optional(r.holdReason),
            optional(r.cancelReason),
            Option.match(r.rating, { onNone: () => "", onSome: (x) => String(x.score) }),
            Option.match(r.rating, { onNone: () => "", onSome: (x) => optional(x.feedback) })
          ])
      )
    return csvPages(repairHeader, options.bom, first, list, rows, options.maxRows).pipe(Stream.provideContext(context))
  })

const number = (n: Option.Option<number>) => Option.match(n, { onNone: () => "", onSome: String })

/** A report as rows of section, key, metric, value: one flat table holds every part of it. */
export const repairStatistics = (
  s: RepairStatistics.RepairStatistics,
  options: { readonly bom: boolean },
  name: (id: Ids.UserId) => string
): Stream.Stream<Uint8Array> => {
  const rows: Array<Array<string>> = [
    ["range", "", "from", time(s.from)],
    ["range", "", "to", time(s.to)],
    ["summary", "", "total", String(s.total)],
    ["summary", "", "overdue", String(s.overdue)],
    ["summary", "", "uncategorized", String(s.uncategorized)],
    ["summary", "", "ratings", String(s.ratings)],
    ["summary", "", "average_rating", number(s.averageRating)],
    ...Object.entries(s.byStatus).map(([status, count]) => ["status", status, "count", String(count)]),
    ...(["toComplete", "inWork"] as const).flatMap((k) => {
      const d = s[k]
      const key = k === "toComplete" ? "to_complete" : "in_work"
      return [
        ["duration", key, "count", String(d.count)],
        ["duration", key, "average_hours", number(d.averageHours)],
        ["duration", key, "median_hours", number(d.medianHours)]
      ]
    }),
    ...s.byDeviceType.map((k) => ["device_type", k.key, "count", String(k.count)]),
    ...s.byCategory.map((k) => ["category", k.key, "count", String(k.count)]),
    ...s.technicians.flatMap((t) => {
      const who = name(t.technicianId)
      return [
        ["technician", who, "open", String(t.open)],
        ["technician", who, "completed", String(t.completed)],
        ["technician", who, "average_hours_to_complete", number(t.averageHoursToComplete)],
        ["technician", who, "average_hours_in_work", number(t.averageHoursInWork)],
        ["technician", who, "ratings", String(t.ratings)],
        ["technician", who, "average_rating", number(t.averageRating)]
      ]
    })
  ]
  return Stream.fromIterable(
    encodeRows(rows, [encoder.encode((options.bom ? Csv.bom : "") + Csv.format([statisticsHeader]))])
  )
}

/** The technicians' names of a report, as the exports name people. */
export const statisticsNames = (s: RepairStatistics.RepairStatistics) =>
  Effect.gen(function* () {
    const people = yield* peopleNamer
    yield* people.learn(s.technicians, (t, see) => see(t.technicianId))
    return people.name
  })
