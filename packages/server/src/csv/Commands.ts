import * as Fs from "node:fs"
import { Args, Command, Options } from "@effect/cli"
import { Actor, Imports, Page, Task, TaskQuery, Tasks } from "@taskdesk/core"
import * as Export from "@taskdesk/http/csv/Export.js"
import * as ImportFile from "@taskdesk/http/csv/ImportFile.js"
import { Console, Effect, Option, Schema, Stream } from "effect"
import { failWith, settingsOr } from "../CliSettings.js"
import * as Server from "../Server.js"

/**
 * `taskdesk import users|tasks FILE [--dry-run]` and `taskdesk export tasks [filters] > FILE`:
 * straight on the database as the administrator (like `taskdesk jobs`), through the same core
 * service, limits and CSV code as the HTTP endpoints.
 */

const file = Args.file({ name: "file", exists: "yes" }).pipe(
  Args.withDescription("a CSV file: seed 000's users.csv / tasks.csv, or a taskdesk export")
)
const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("check the whole file and report; change nothing")
)

const importing = (entity: "users" | "tasks") =>
  Command.make(entity, { file, dryRun }, (options) =>
    Effect.gen(function* () {
      const settings = yield* settingsOr()
      const limitBytes = settings.csv.importMaxBodyKb * 1024
      const size = Fs.statSync(options.file).size
      if (size > limitBytes) {
        return yield* failWith(
          `${options.file} is ${size} bytes; the limit is ${limitBytes} (csv.import_max_body_kb, TASKDESK_IMPORT_MAX_BODY_KB)`
        )
      }
      const text = Fs.readFileSync(options.file, "utf8")
      const summary = yield* Effect.gen(function* () {
        const table = yield* ImportFile.read(entity, text, settings.csv.importMaxRows)
        const imports = yield* Imports.Imports
        return yield* entity === "users"
          ? imports.users(table, { dryRun: options.dryRun })
          : imports.tasks(table, { dryRun: options.dryRun })
      }).pipe(
        Actor.asSystem,
        Effect.catchTags({
          ImportRejected: (e) =>
            failWith(
              [
                `${options.file}: ${e.errors.length + e.omitted} bad row(s), nothing imported:`,
                ...e.errors.map((r) => `  line ${r.line}, ${r.column}: ${r.reason}`),
                ...(e.omitted > 0 ? [`  … and ${e.omitted} more`] : [])
              ].join("\n")
            ),
          TooManyRows: (e) =>
            failWith(
              `${options.file} has ${e.rows} rows; the limit is ${e.limitRows} (csv.import_max_rows, TASKDESK_IMPORT_MAX_ROWS)`
            ),
          Forbidden: (e) => failWith(e.message)
        }),
        Effect.provide(Server.layerServices(settings))
      )
      yield* Console.log(
        `${summary.dryRun ? "dry run, nothing changed: would import" : "imported"} ${summary.rows} ${entity} ` +
          `(${summary.created} new, ${summary.updated} updated, ${summary.unchanged} unchanged)`
      )
    })
  ).pipe(Command.withDescription(`Import ${entity === "users" ? "people" : "tasks"} from a CSV file`))

export const importCommand = Command.make("import").pipe(
  Command.withDescription("Import people or tasks from CSV files (all rows or none; --dry-run to check)"),
  Command.withSubcommands([importing("users"), importing("tasks")])
)

const choice = <A extends string>(name: string, values: ReadonlyArray<A>, description: string) =>
  Options.choice(name, values).pipe(Options.withDescription(description), Options.optional)

const exportTasks = Command.make(
  "tasks",
  {
    status: Options.choice("status", Task.TaskStatus.literals).pipe(
      Options.withDescription("only tasks in this status (repeat for several)"),
      Options.repeated
    ),
    priority: Options.choice("priority", Task.Priority.literals).pipe(
      Options.withDescription("only tasks of this priority (repeat for several)"),
      Options.repeated
    ),
    assignee: Options.text("assignee").pipe(
      Options.withDescription("only tasks of this person (id)"),
      Options.optional
    ),
    project: Options.text("project").pipe(Options.withDescription("only tasks of this project (id)"), Options.optional),
    tag: Options.text("tag").pipe(Options.withDescription("only tasks with this tag"), Options.optional),
    text: Options.text("text").pipe(
      Options.withDescription("only tasks whose title or description holds this"),
      Options.optional
    ),
    sort: choice("sort", TaskQuery.TaskSort.literals, "sort by (created by default)"),
    order: choice("order", Page.Order.literals, "order (desc by default)"),
    bom: Options.boolean("bom").pipe(Options.withDescription("start with a byte-order mark (for Excel)"))
  },
  (options) =>
    Effect.gen(function* () {
      const settings = yield* settingsOr()
      const query = yield* Schema.decodeUnknown(TaskQuery.TaskListQuery)({
        ...(options.status.length > 0 ? { status: options.status } : {}),
        ...(options.priority.length > 0 ? { priority: options.priority } : {}),
        ...Option.match(options.assignee, { onNone: () => ({}), onSome: (assigneeId) => ({ assigneeId }) }),
        ...Option.match(options.project, { onNone: () => ({}), onSome: (projectId) => ({ projectId }) }),
        ...Option.match(options.tag, { onNone: () => ({}), onSome: (tag) => ({ tag }) }),
        ...Option.match(options.text, { onNone: () => ({}), onSome: (text) => ({ text }) }),
        ...Option.match(options.sort, { onNone: () => ({}), onSome: (sort) => ({ sort }) }),
        ...Option.match(options.order, { onNone: () => ({}), onSome: (order) => ({ order }) })
      }).pipe(Effect.catchTag("ParseError", (e) => failWith(`invalid filter: ${e.message}`)))
      yield* Effect.gen(function* () {
        const tasks = yield* Tasks.Tasks
        const body = yield* Export.tasks(
          (cursor) => tasks.list({ ...query, limit: Export.pageSize, ...(cursor ? { cursor } : {}) }),
          { bom: options.bom, maxRows: settings.csv.exportMaxRows }
        )
        // Written with back pressure: the next page is read once stdout has taken this one.
        yield* Stream.runForEach(body, (bytes) =>
          Effect.async<void>((resume) => {
            process.stdout.write(bytes, () => resume(Effect.void))
          })
        )
      }).pipe(
        Actor.asSystem,
        Effect.catchTag("InvalidInput", (e) => failWith(e.message)),
        Effect.provide(Server.layerServices(settings))
      )
    })
).pipe(Command.withDescription("Write the tasks (with the list's filters) as CSV to standard output"))

export const exportCommand = Command.make("export").pipe(
  Command.withDescription("Export data as CSV to standard output"),
  Command.withSubcommands([exportTasks])
)
