import { DateTime, Effect, Option, ParseResult, Schema } from "effect"
import { CurrentActor } from "./Actor.js"
import { ExternalRefs } from "./ExternalRefs.js"
import { IdGenerator } from "./IdGenerator.js"
import { ProjectId, TaskId, UserId } from "./Ids.js"
import * as Mapping from "./ImportMapping.js"
import { ensure, Policy } from "./Policy.js"
import { ProjectRepo } from "./ProjectRepo.js"
import type { Role } from "./Role.js"
import { Description, type Priority, Tag, Task, type TaskStatus, Title } from "./Task.js"
import { TaskRepo } from "./TaskRepo.js"
import { assigneeProblem } from "./Tasks.js"
import { Transaction } from "./Transaction.js"
import { Email, Language, PersonName, TelegramId, User, Username } from "./User.js"
import { UserRepo } from "./UserRepo.js"

/** One data row of a file: its line number (1 is the header) and its cells as read. */
export interface ImportRow {
  readonly line: number
  readonly cells: ReadonlyArray<string>
}

/** A parsed file: the header's cells and the rows under it. */
export interface ImportTable {
  readonly header: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ImportRow>
}

/** What is wrong with one row (or, at line 1, with the header). */
export class RowError extends Schema.Class<RowError>("RowError")({
  line: Schema.Int,
  column: Schema.String,
  reason: Schema.String
}) {}

/** At most this many row errors are listed; `omitted` counts the rest. */
export const maxListedErrors = 1_000

/** The file was refused whole: nothing was written. Every bad row is listed (up to `maxListedErrors`). */
export class ImportRejected extends Schema.TaggedError<ImportRejected>()("ImportRejected", {
  entity: Schema.Literal("users", "tasks"),
  errors: Schema.Array(RowError),
  omitted: Schema.Int
}) {
  override get message(): string {
    const first = this.errors
      .slice(0, 3)
      .map((e) => `line ${e.line} ${e.column}: ${e.reason}`)
      .join("; ")
    const count = this.errors.length + this.omitted
    return `${count} bad row${count === 1 ? "" : "s"} in the ${this.entity} file, nothing imported: ${first}${count > 3 ? "; …" : ""}`
  }
}

/** What an import did (or, in a dry run, would do). */
export class ImportSummary extends Schema.Class<ImportSummary>("ImportSummary")({
  entity: Schema.Literal("users", "tasks"),
  dryRun: Schema.Boolean,
  rows: Schema.Int,
  created: Schema.Int,
  updated: Schema.Int,
  unchanged: Schema.Int
}) {}

/** The namespace of the external ids of imported people. */
export const userNamespace = "csv:user"
/** The namespace of the external ids of imported tasks. */
export const taskNamespace = "csv:task"

/** Column names per file, each with the other names it is known by (lowercase). */
export const userColumns = {
  id: ["user_id"],
  username: ["login"],
  name: ["full_name", "display_name"],
  email: ["e-mail"],
  telegram_id: ["telegram"],
  role: [],
  language: ["lang"],
  is_active: ["active"],
  created_at: [],
  updated_at: []
} as const satisfies Record<string, ReadonlyArray<string>>

/** The task file's columns, each with the other names it is known by (seed 000's first, then the export's). */
export const taskColumns = {
  id: ["task_id"],
  title: [],
  description: [],
  status: [],
  priority: [],
  assigned_to: ["assignees", "assignee", "assignee_ids"],
  created_by: ["creator"],
  project_id: ["project"],
  due_date: ["due_at", "due"],
  tags: [],
  created_at: [],
  updated_at: [],
  completed_at: []
} as const satisfies Record<string, ReadonlyArray<string>>

/** Columns a people file must have; one missing is one error naming it. */
export const requiredUserColumns = ["username", "role"] as const
/** Columns a task file must have. */
export const requiredTaskColumns = ["title"] as const

/** The separator of several values in one cell (assignees, tags); `,` is accepted between people too. */
export const multiValueSeparator = "; "

type Columns<C> = { readonly [K in keyof C]?: number }

/** Which cell holds each known column; an error per missing required column. */
const locate = <C extends Record<string, ReadonlyArray<string>>>(
  header: ReadonlyArray<string>,
  known: C,
  required: ReadonlyArray<keyof C & string>
): { readonly columns: Columns<C>; readonly errors: ReadonlyArray<RowError> } => {
  const columns: Record<string, number> = {}
  header.forEach((raw, index) => {
    const name = raw
      .replace(/^\uFEFF/, "")
      .trim()
      .toLowerCase()
      .replace(/\s+/g, "_")
    for (const [canonical, aliases] of Object.entries(known)) {
      if ((name === canonical || aliases.includes(name)) && columns[canonical] === undefined) columns[canonical] = index
    }
  })
  const errors = required
    .filter((name) => columns[name] === undefined)
    .map(
      (name) =>
        new RowError({
          line: 1,
          column: name,
          reason: `missing required column "${name}" (the header has: ${header.join(", ") || "nothing"})`
        })
    )
  return { columns: columns as Columns<C>, errors }
}

const firstIssue = (error: ParseResult.ParseError) => ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message

/** Reads one row's cells by column name, collecting its errors. */
const rowReader = <C>(row: ImportRow, columns: Columns<C>, width: number, errors: Array<RowError>) => {
  const fail = (column: string, reason: string) => {
    errors.push(new RowError({ line: row.line, column, reason }))
    return undefined
  }
  if (row.cells.length !== width) {
    fail("(row)", `expected ${width} cells as in the header, found ${row.cells.length}`)
  }
  const raw = (column: keyof C & string): string | undefined => {
    const index = columns[column]
    if (index === undefined) return undefined
    const cell = row.cells[index]
    return cell === undefined || cell.trim() === "" ? undefined : cell
  }
  const decode = <A>(column: keyof C & string, schema: Schema.Schema<A, string>): A | undefined => {
    const text = raw(column)
    if (text === undefined) return undefined
    const result = decoderOf(schema)(text)
    return result._tag === "Right" ? result.right : fail(column, `${JSON.stringify(text)}: ${firstIssue(result.left)}`)
  }
  const mapped = <A>(column: keyof C & string, map: (text: string) => A | undefined, what: string): A | undefined => {
    const text = raw(column)
    if (text === undefined) return undefined
    const value = map(text)
    return value !== undefined ? value : fail(column, `unknown ${what} ${JSON.stringify(text)}`)
  }
  const time = (column: keyof C & string) =>
    mapped(column, (t) => Option.getOrUndefined(Mapping.instant(t)), "date (use ISO 8601, e.g. 2024-01-15T10:30:00Z)")
  return { raw, decode, mapped, time, fail }
}

const ulid = /^[0-9A-HJKMNP-TV-Z]{26}$/

/**
 * The id of a row that makes a new record: its own id when that is a ULID no record has, else a new
 * one. A dry run writes nothing, so its new rows need no real ids.
 */
const newRowId = (
  externalId: string | undefined,
  known: { readonly has: (id: string) => boolean },
  dryRun: boolean,
  line: number,
  next: Effect.Effect<string>
): Effect.Effect<string> =>
  externalId !== undefined && ulid.test(externalId) && !known.has(externalId)
    ? Effect.succeed(externalId)
    : dryRun
      ? Effect.succeed(`(new ${line})`)
      : next

/**
 * A yield to the runtime every 500 rows of a file's checks. They are synchronous, and a generator
 * that yields only finished effects never returns to Effect's run loop, so a 100,000-row check ran
 * as one step (seconds) that no scheduler could interleave with other work.
 */
const breather = (index: number): Effect.Effect<void> => (index % 500 === 499 ? Effect.yieldNow() : Effect.void)

const inChunks = <A, B>(items: ReadonlyArray<A>, f: (chunk: ReadonlyArray<A>) => Effect.Effect<ReadonlyArray<B>>) =>
  Effect.map(
    Effect.forEach(
      Array.from({ length: Math.ceil(items.length / 500) }, (_, i) => items.slice(i * 500, i * 500 + 500)),
      f
    ),
    (parts) => parts.flat()
  )

/** The external references a plan records: its rows' ids that are new or now point elsewhere. */
const referencesOf = <P extends { readonly externalId: string | undefined; readonly recordRef: boolean }>(
  items: ReadonlyArray<P>,
  internalId: (item: P) => string
): Array<readonly [string, string]> =>
  items.flatMap((item) => (item.recordRef ? [[item.externalId!, internalId(item)] as const] : []))

const rejected = (entity: "users" | "tasks", errors: ReadonlyArray<RowError>) =>
  new ImportRejected({
    entity,
    errors: errors.slice(0, maxListedErrors),
    omitted: Math.max(0, errors.length - maxListedErrors)
  })

interface UserPlan {
  readonly line: number
  readonly externalId: string | undefined
  readonly user: User
  readonly existing: User | undefined
  /** Whether the file's id must be recorded (it is new, or pointed elsewhere). */
  readonly recordRef: boolean
}

interface TaskPlan {
  readonly line: number
  readonly externalId: string | undefined
  readonly task: Task
  readonly existing: Task | undefined
  readonly recordRef: boolean
}

const sameOption = <A>(a: Option.Option<A>, b: Option.Option<A>, same: (x: A, y: A) => boolean = (x, y) => x === y) =>
  Option.isNone(a) ? Option.isNone(b) : Option.isSome(b) && same(a.value, b.value)
const sameTime = (a: DateTime.Utc, b: DateTime.Utc) => DateTime.toEpochMillis(a) === DateTime.toEpochMillis(b)
const sameList = <A>(a: ReadonlyArray<A>, b: ReadonlyArray<A>) => a.length === b.length && a.every((x, i) => x === b[i])

/** Whether a re-imported row leaves the person as stored (field by field: encoding both cost 20 µs a row). */
const sameUser = (a: User, b: User) =>
  a.id === b.id &&
  a.name === b.name &&
  a.username === b.username &&
  sameOption(a.email, b.email) &&
  sameOption(a.telegramId, b.telegramId) &&
  sameOption(a.dingtalkId, b.dingtalkId) &&
  a.role === b.role &&
  a.language === b.language &&
  a.active === b.active &&
  sameTime(a.createdAt, b.createdAt) &&
  sameTime(a.updatedAt, b.updatedAt)

const sameTask = (a: Task, b: Task) =>
  a.id === b.id &&
  a.title === b.title &&
  a.description === b.description &&
  a.status === b.status &&
  a.priority === b.priority &&
  sameList(a.assigneeIds, b.assigneeIds) &&
  a.createdBy === b.createdBy &&
  sameOption(a.projectId, b.projectId) &&
  sameOption(a.dueAt, b.dueAt, sameTime) &&
  sameList(a.tags, b.tags) &&
  sameTime(a.createdAt, b.createdAt) &&
  sameTime(a.updatedAt, b.updatedAt) &&
  sameOption(a.completedAt, b.completedAt, sameTime)

// Decoders built once per schema: `Schema.decodeEither(schema)` per cell cost more than the check.
const decoders = new WeakMap<object, (text: string) => ReturnType<ReturnType<typeof Schema.decodeEither>>>()
const decoderOf = <A>(schema: Schema.Schema<A, string>) => {
  let decode = decoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeEither(schema) as (text: string) => ReturnType<ReturnType<typeof Schema.decodeEither>>
    decoders.set(schema, decode)
  }
  return decode as (text: string) => ReturnType<ReturnType<typeof Schema.decodeEither<A, string>>>
}

/**
 * Imports people and tasks from other systems' files (seed 000's `users.csv` and `tasks.csv`, and
 * taskdesk's own task export), administrators only. A file is checked whole first; any bad row
 * refuses it all with every problem listed, and a good one is written in one transaction. Rows
 * with an `id` are remembered as external references, so importing the file again updates what the
 * first import made; `assigned_to` and `created_by` name people by their `users.csv` id, taskdesk
 * id or username. An import writes the rows as they are (statuses included, without the state
 * machine), and records no per-row audit events or notifications: it moves existing data in.
 */
export class Imports extends Effect.Service<Imports>()("@taskdesk/core/Imports", {
  effect: Effect.gen(function* () {
    const userRepo = yield* UserRepo
    const taskRepo = yield* TaskRepo
    const projects = yield* ProjectRepo
    const refs = yield* ExternalRefs
    const tx = yield* Transaction
    const policy = yield* Policy
    const ids = yield* IdGenerator

    /** Runs the plan in one transaction (a dry run writes nothing and needs none). */
    const finish = <P>(
      entity: "users" | "tasks",
      dryRun: boolean,
      rows: number,
      plan: Effect.Effect<{ readonly errors: ReadonlyArray<RowError>; readonly items: ReadonlyArray<P> }>,
      isChange: (item: P) => "created" | "updated" | "unchanged",
      write: (items: ReadonlyArray<P>) => Effect.Effect<void>
    ) => {
      const run = Effect.gen(function* () {
        const { errors, items } = yield* plan
        if (errors.length > 0) return yield* rejected(entity, errors)
        const counts = { created: 0, updated: 0, unchanged: 0 }
        for (const item of items) counts[isChange(item)]++
        if (!dryRun) yield* write(items)
        return new ImportSummary({ entity, dryRun, rows, ...counts })
      })
      return dryRun ? run : tx.run(run)
    }

    /** Internal ids of people named by a `users.csv` id, a taskdesk id or a username. */
    const resolvePeople = (tokens: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const out = new Map<string, User>()
        if (tokens.length === 0) return out
        const byRef = yield* refs.resolve(userNamespace, tokens)
        const wanted = [...new Set([...tokens, ...byRef.values()])] as Array<UserId>
        const found = new Map((yield* inChunks(wanted, userRepo.findByIds)).map((u) => [u.id as string, u]))
        for (const token of tokens) {
          const viaRef = byRef.get(token)
          const user = (viaRef !== undefined ? found.get(viaRef) : undefined) ?? found.get(token)
          if (user !== undefined) {
            out.set(token, user)
            continue
          }
          const byName = yield* userRepo.findByUsername(token)
          if (Option.isSome(byName)) out.set(token, byName.value)
        }
        return out
      })

    const users = (table: ImportTable, options: { readonly dryRun: boolean }) =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        yield* ensure(policy, actor, "data.load")
        const { columns, errors: headerErrors } = locate(table.header, userColumns, requiredUserColumns)
        if (headerErrors.length > 0) return yield* rejected("users", headerErrors)
        const now = yield* DateTime.now
        const dryRun = options.dryRun
        const plan = Effect.gen(function* () {
          const errors: Array<RowError> = []
          const externalIds = table.rows.flatMap((r) => {
            const i = columns.id
            const v = i === undefined ? undefined : r.cells[i]?.trim()
            return v ? [v] : []
          })
          const byRef = yield* refs.resolve(userNamespace, externalIds)
          const candidates = [...new Set([...externalIds, ...byRef.values()])] as Array<UserId>
          const known = new Map((yield* inChunks(candidates, userRepo.findByIds)).map((u) => [u.id as string, u]))
          const seenIds = new Map<string, number>()
          const seenNames = new Map<string, number>()
          const seenTelegram = new Map<number, number>()
          const claimed = new Set<string>()
          const items: Array<UserPlan> = []
          for (const [index, row] of table.rows.entries()) {
            yield* breather(index)
            const before = errors.length
            const read = rowReader(row, columns, table.header.length, errors)
            const externalId = read.raw("id")?.trim()
            const username = read.decode("username", Username)
            if (read.raw("username") === undefined) read.fail("username", "a username is required")
            const role = read.mapped("role", Mapping.role, "role") as Role | undefined
            if (read.raw("role") === undefined) read.fail("role", "a role is required")
            const name = read.decode("name", PersonName)
            const email = read.decode("email", Email)
            const telegramId = read.decode("telegram_id", Schema.compose(Schema.NumberFromString, TelegramId))
            const language = read.mapped(
              "language",
              (t) => Language.literals.find((l) => l === t.trim().toLowerCase()),
              "language (en, ru or zh)"
            )
            const active = read.mapped("is_active", Mapping.boolean, "true/false value")
            const createdAt = read.time("created_at")
            const updatedAt = read.time("updated_at")
            if (externalId !== undefined) {
              const first = seenIds.get(externalId)
              if (first !== undefined) read.fail("id", `id ${externalId} appears again (first on line ${first})`)
              else seenIds.set(externalId, row.line)
            }
            if (username !== undefined) {
              const first = seenNames.get(username.toLowerCase())
              if (first !== undefined)
                read.fail("username", `username ${username} appears again (first on line ${first})`)
              else seenNames.set(username.toLowerCase(), row.line)
            }
            if (telegramId !== undefined) {
              const first = seenTelegram.get(telegramId)
              if (first !== undefined) {
                read.fail("telegram_id", `telegram_id ${telegramId} appears again (first on line ${first})`)
              } else seenTelegram.set(telegramId, row.line)
            }
            if (errors.length > before || username === undefined || role === undefined) continue
            // Found by the file's id (a reference recorded before, or a taskdesk id), else by username.
            const viaRef = externalId === undefined ? undefined : byRef.get(externalId)
            let existing =
              (viaRef !== undefined ? known.get(viaRef) : undefined) ??
              (externalId !== undefined ? known.get(externalId) : undefined)
            const holder = Option.getOrUndefined(yield* userRepo.findByUsername(username))
            if (existing === undefined) existing = holder
            else if (holder !== undefined && holder.id !== existing.id) {
              read.fail("username", `username ${username} belongs to another person (${holder.id})`)
              continue
            }
            if (telegramId !== undefined) {
              const other = Option.getOrUndefined(yield* userRepo.findByTelegramId(telegramId))
              if (other !== undefined && other.id !== existing?.id) {
                read.fail("telegram_id", `telegram_id ${telegramId} belongs to another person (${other.id})`)
                continue
              }
            }
            if (existing !== undefined && claimed.has(existing.id)) {
              read.fail("id", `this row names the same person as an earlier row (${existing.id})`)
              continue
            }
            const id = existing?.id ?? UserId.make(yield* newRowId(externalId, known, dryRun, row.line, ids.next))
            claimed.add(id)
            const base = existing ?? {
              name: username,
              email: Option.none(),
              telegramId: Option.none(),
              dingtalkId: Option.none(),
              language: "ru" as const,
              active: true,
              createdAt: now,
              updatedAt: now
            }
            let user = new User(
              {
                ...base,
                id,
                username,
                role,
                name: name ?? base.name,
                email: email !== undefined ? Option.some(email) : base.email,
                telegramId: telegramId !== undefined ? Option.some(telegramId) : base.telegramId,
                language: language ?? base.language,
                active: active ?? base.active,
                createdAt: createdAt ?? base.createdAt,
                updatedAt: updatedAt ?? base.updatedAt
              },
              true
            )
            if (existing !== undefined && updatedAt === undefined && !sameUser(user, existing)) {
              user = new User({ ...user, updatedAt: now }, true)
            }
            items.push({
              line: row.line,
              externalId,
              user,
              existing,
              recordRef: externalId !== undefined && viaRef !== id
            })
          }
          // At least one active administrator remains, as `Users` holds for single changes.
          if (errors.length === 0) {
            const admins = new Set<string>(yield* userRepo.lockActive("admin"))
            let lastLine = 0
            for (const item of items) {
              const isAdmin = item.user.role === "admin" && item.user.active
              if (isAdmin) admins.add(item.user.id)
              else if (admins.delete(item.user.id)) lastLine = item.line
            }
            if (admins.size === 0 && lastLine > 0) {
              errors.push(
                new RowError({ line: lastLine, column: "role", reason: "this would leave no active administrator" })
              )
            }
          }
          return { errors, items }
        })
        return yield* finish(
          "users",
          options.dryRun,
          table.rows.length,
          plan,
          (item: UserPlan) =>
            item.existing === undefined ? "created" : sameUser(item.user, item.existing) ? "unchanged" : "updated",
          (items) =>
            Effect.zipRight(
              Effect.forEach(
                items,
                (item) =>
                  Effect.gen(function* () {
                    if (item.existing === undefined) yield* userRepo.insert(item.user)
                    else if (!sameUser(item.user, item.existing)) yield* userRepo.update(item.user)
                  }).pipe(Effect.orDie),
                { discard: true }
              ),
              refs.putMany(
                userNamespace,
                referencesOf(items, (item) => item.user.id)
              )
            )
        )
      })

    const tasks = (table: ImportTable, options: { readonly dryRun: boolean }) =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        yield* ensure(policy, actor, "data.load")
        const { columns, errors: headerErrors } = locate(table.header, taskColumns, requiredTaskColumns)
        if (headerErrors.length > 0) return yield* rejected("tasks", headerErrors)
        const now = yield* DateTime.now
        const cell = (row: ImportRow, index: number | undefined) =>
          index === undefined ? undefined : row.cells[index]?.trim() || undefined
        const people = (text: string | undefined) =>
          text === undefined
            ? []
            : text
                .split(/[;,]/)
                .map((t) => t.trim())
                .filter((t) => t !== "")
        const dryRun = options.dryRun
        const plan = Effect.gen(function* () {
          const errors: Array<RowError> = []
          const tokens = new Set<string>()
          const externalIds: Array<string> = []
          const projectIds = new Set<string>()
          for (const row of table.rows) {
            for (const t of people(cell(row, columns.assigned_to))) tokens.add(t)
            const creator = cell(row, columns.created_by)
            if (creator !== undefined) tokens.add(creator)
            const id = cell(row, columns.id)
            if (id !== undefined) externalIds.push(id)
            const project = cell(row, columns.project_id)
            if (project !== undefined) projectIds.add(project)
          }
          const resolved = yield* resolvePeople([...tokens])
          const byRef = yield* refs.resolve(taskNamespace, externalIds)
          const candidates = [...new Set([...externalIds, ...byRef.values()])] as Array<TaskId>
          const known = new Map((yield* inChunks(candidates, taskRepo.findByIds)).map((t) => [t.id as string, t]))
          const knownProjects = new Set<string>()
          for (const p of projectIds) {
            if (Option.isSome(yield* projects.findById(ProjectId.make(p)))) knownProjects.add(p)
          }
          const seenIds = new Map<string, number>()
          const claimed = new Set<string>()
          const items: Array<TaskPlan> = []
          const problems = new Map<string, string | undefined>()
          const problemOf = (user: User) => {
            if (!problems.has(user.id)) problems.set(user.id, assigneeProblem(policy, user, user.id))
            return problems.get(user.id)
          }
          for (const [index, row] of table.rows.entries()) {
            yield* breather(index)
            const before = errors.length
            const read = rowReader(row, columns, table.header.length, errors)
            const externalId = read.raw("id")?.trim()
            const title = read.decode("title", Title)
            if (read.raw("title") === undefined) read.fail("title", "a title is required")
            const description = read.decode("description", Description)
            const status = read.mapped("status", Mapping.status, "status") as TaskStatus | undefined
            const priority = read.mapped("priority", Mapping.priority, "priority") as Priority | undefined
            const dueAt = read.time("due_date")
            const createdAt = read.time("created_at")
            const updatedAt = read.time("updated_at")
            const completedAt = read.time("completed_at")
            const tags: Array<string> = []
            for (const text of (read.raw("tags") ?? "").split(";")) {
              if (text.trim() === "") continue
              const tag = decoderOf(Tag)(text)
              if (tag._tag === "Left") read.fail("tags", `${JSON.stringify(text.trim())}: ${firstIssue(tag.left)}`)
              else if (!tags.includes(tag.right)) tags.push(tag.right)
            }
            const assigneeIds: Array<UserId> = []
            for (const token of people(read.raw("assigned_to"))) {
              const user = resolved.get(token)
              const problem = user === undefined ? `unknown user ${JSON.stringify(token)}` : problemOf(user)
              if (problem !== undefined) read.fail("assigned_to", problem)
              else if (!assigneeIds.includes(user!.id)) assigneeIds.push(user!.id)
            }
            const creatorToken = read.raw("created_by")?.trim()
            const creator = creatorToken === undefined ? undefined : resolved.get(creatorToken)
            if (creatorToken !== undefined && creator === undefined) {
              read.fail("created_by", `unknown user ${JSON.stringify(creatorToken)}`)
            }
            const projectText = read.raw("project_id")?.trim()
            if (projectText !== undefined && !knownProjects.has(projectText)) {
              read.fail("project_id", `unknown project ${JSON.stringify(projectText)}`)
            }
            if (externalId !== undefined) {
              const first = seenIds.get(externalId)
              if (first !== undefined) read.fail("id", `id ${externalId} appears again (first on line ${first})`)
              else seenIds.set(externalId, row.line)
            }
            if (errors.length > before || title === undefined) continue
            const viaRef = externalId === undefined ? undefined : byRef.get(externalId)
            const existing =
              (viaRef !== undefined ? known.get(viaRef) : undefined) ??
              (externalId !== undefined ? known.get(externalId) : undefined)
            if (existing !== undefined && claimed.has(existing.id)) {
              read.fail("id", `this row names the same task as an earlier row (${existing.id})`)
              continue
            }
            const id = existing?.id ?? TaskId.make(yield* newRowId(externalId, known, dryRun, row.line, ids.next))
            claimed.add(id)
            const finalStatus = status ?? existing?.status ?? "todo"
            const created = createdAt ?? existing?.createdAt ?? now
            const stamped = updatedAt ?? existing?.updatedAt ?? createdAt ?? now
            // Every field is a checked cell or a stored value: the constructor need not check them again.
            let task = new Task(
              {
                id,
                title,
                description: description ?? existing?.description ?? "",
                status: finalStatus,
                priority: priority ?? existing?.priority ?? "normal",
                assigneeIds:
                  read.raw("assigned_to") !== undefined || existing === undefined ? assigneeIds : existing.assigneeIds,
                createdBy: creator?.id ?? existing?.createdBy ?? actor.id,
                projectId:
                  projectText !== undefined
                    ? Option.some(ProjectId.make(projectText))
                    : (existing?.projectId ?? Option.none()),
                dueAt:
                  dueAt !== undefined
                    ? Option.some(dueAt)
                    : columns.due_date !== undefined
                      ? Option.none()
                      : (existing?.dueAt ?? Option.none()),
                tags: columns.tags !== undefined || existing === undefined ? tags : existing.tags,
                createdAt: created,
                updatedAt: stamped,
                completedAt:
                  finalStatus === "done"
                    ? Option.some(
                        completedAt ?? Option.getOrUndefined(existing?.completedAt ?? Option.none()) ?? stamped
                      )
                    : Option.none(),
                version: existing === undefined ? 1 : existing.version
              },
              true
            )
            if (existing !== undefined && !sameTask(task, existing)) {
              task = new Task(
                {
                  ...task,
                  updatedAt: updatedAt ?? now,
                  version: existing.version + 1
                },
                true
              )
            }
            items.push({
              line: row.line,
              externalId,
              task,
              existing,
              recordRef: externalId !== undefined && viaRef !== id
            })
          }
          return { errors, items }
        })
        return yield* finish(
          "tasks",
          options.dryRun,
          table.rows.length,
          plan,
          (item: TaskPlan) =>
            item.existing === undefined
              ? "created"
              : item.existing.version === item.task.version
                ? "unchanged"
                : "updated",
          // New tasks and references go in batches: one statement per row was most of a real run.
          (items) =>
            Effect.all(
              [
                taskRepo.insertMany(items.flatMap((item) => (item.existing === undefined ? [item.task] : []))),
                Effect.forEach(
                  items,
                  (item) =>
                    item.existing !== undefined && item.existing.version !== item.task.version
                      ? taskRepo.update(item.task, item.existing.version)
                      : Effect.void,
                  { discard: true }
                ),
                refs.putMany(
                  taskNamespace,
                  referencesOf(items, (item) => item.task.id)
                )
              ],
              { discard: true }
            ).pipe(Effect.orDie)
        )
      })

    /** Whether the actor may import: asked before a file is even read. */
    const allowed = Effect.flatMap(CurrentActor, (actor) => ensure(policy, actor, "data.load"))

    return { users, tasks, allowed } as const
  })
}) {}
