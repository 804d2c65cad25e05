import { Args, Command, Options } from "@effect/cli"
import { HttpServer } from "@effect/platform"
import { Backup, Holders } from "@taskdesk/adapters/backup"
import type { Role } from "@taskdesk/core"
import { Role as Roles, Transaction, UserRepo } from "@taskdesk/core"
import { version } from "@taskdesk/http/Api.js"
import { Accounts } from "@taskdesk/http/auth/Accounts.js"
import { Console, DateTime, Effect, Layer, Option, Redacted } from "effect"
import { CliFailure, failWith, settingsOr } from "./CliSettings.js"
import * as Config from "./Config.js"
import { exportCommand, importCommand } from "./csv/Commands.js"
import * as Seed from "./Seed.js"
import * as Server from "./Server.js"
import * as ServerStorage from "./Storage.js"
import { jobs } from "./scheduler/Commands.js"

export { CliFailure }

const host = Options.text("host").pipe(
  Options.withDescription("address to listen on (TASKDESK_HOST)"),
  Options.optional
)
const port = Options.integer("port").pipe(
  Options.withDescription("port to listen on (TASKDESK_PORT)"),
  Options.optional
)
const demo = Options.boolean("demo").pipe(
  Options.withDescription(
    "on an empty database, also create demo people, a project, tasks, assignments and repair requests"
  )
)

const printLogins = (title: string, logins: ReadonlyArray<Seed.Login>) =>
  logins.length === 0 ? Effect.void : Console.log(`${title} (shown only now):\n${Seed.formatLogins(logins)}\n`)

/**
 * First start: the administrator, and demo data when asked for on an empty database, in one
 * transaction: stopped half-way, nothing stays, and the next start seeds (and prints) it all.
 */
const prepare = (settings: Config.Settings, withDemo: boolean) =>
  Effect.gen(function* () {
    const transaction = yield* Transaction.Transaction
    const { admin, people } = yield* transaction.run(
      Effect.gen(function* () {
        const empty = yield* Seed.isEmpty
        const admin = yield* Seed.ensureAdmin(settings.adminPassword)
        const people = withDemo && empty ? yield* Seed.demo : []
        return { admin, people }
      })
    )
    const logins = [...Option.toArray(admin), ...people]
    yield* printLogins(
      people.length > 0 ? "Demo data created. Sign in with" : "Administrator created. Sign in with",
      logins
    )
  })

const serve = Command.make("serve", { host, port, demo }, (options) =>
  Effect.gen(function* () {
    const settings = yield* settingsOr({
      server: {
        ...Option.match(options.host, { onNone: () => ({}), onSome: (h) => ({ host: h }) }),
        ...Option.match(options.port, { onNone: () => ({}), onSome: (p) => ({ port: p }) })
      }
    })
    // The port opens once the database is migrated and seeded: nobody is answered before it is ready.
    const listening = Layer.effectDiscard(
      HttpServer.addressFormattedWith((url) =>
        Console.log(`taskdesk ${version} listening on ${url}  (API docs: ${url}/docs)`)
      )
    )
    return yield* Layer.launch(
      listening.pipe(
        Layer.provideMerge(Server.layer(settings, { prepare: Effect.orDie(prepare(settings, options.demo)) }))
      )
    )
  })
).pipe(
  Command.withDescription("Start the HTTP server (migrates the database; creates the administrator on first start)")
)

const migrate = Command.make("migrate", {}, () =>
  Effect.gen(function* () {
    const settings = yield* settingsOr()
    yield* Effect.scoped(Layer.build(ServerStorage.layer(settings)))
    yield* Console.log(`migrated ${Config.database(settings)._tag} storage`)
  })
).pipe(Command.withDescription("Bring the database schema up to date and exit"))

const seed = Command.make("seed", { demo }, (options) =>
  Effect.gen(function* () {
    const settings = yield* settingsOr()
    yield* prepare(settings, options.demo).pipe(Effect.provide(Server.layerServices(settings)))
    if (!options.demo) yield* Console.log("Only the administrator is created without --demo.")
  })
).pipe(Command.withDescription("Create the administrator and, with --demo on an empty database, the demo data"))

const username = Options.text("username").pipe(Options.withDescription("the person's sign-in name"))
const password = Options.redacted("password").pipe(
  Options.withDescription("the password; a random one is made and printed when absent"),
  Options.optional
)

const userCreate = Command.make(
  "create",
  {
    username,
    name: Options.text("name").pipe(Options.withDescription("the person's full name"), Options.optional),
    role: Options.choice("role", Roles.roles as ReadonlyArray<Role.Role>).pipe(
      Options.withDescription("admin, manager, worker, client, supervisor or partner")
    ),
    password
  },
  (options) =>
    Effect.gen(function* () {
      const settings = yield* settingsOr()
      const chosen = Option.getOrElse(options.password, () => Redacted.make(Seed.randomPassword()))
      const user = yield* Seed.createUser({
        username: options.username,
        name: Option.getOrElse(options.name, () => options.username),
        role: options.role,
        password: chosen
      }).pipe(Effect.provide(Server.layerServices(settings)))
      yield* Console.log(
        `created ${user.role} ${user.username} (${user.id})` +
          (Option.isNone(options.password) ? `; password: ${Redacted.value(chosen)}` : "")
      )
    })
).pipe(Command.withDescription("Create a person who can sign in"))

const userResetPassword = Command.make("reset-password", { username, password }, (options) =>
  Effect.gen(function* () {
    const settings = yield* settingsOr()
    const chosen = Option.getOrElse(options.password, () => Redacted.make(Seed.randomPassword()))
    yield* Effect.gen(function* () {
      const users = yield* UserRepo.UserRepo
      const accounts = yield* Accounts
      const user = yield* users.findByUsername(options.username)
      if (Option.isNone(user)) return yield* Effect.die(new CliFailure(`no user ${options.username}`))
      yield* accounts.setPassword(user.value, chosen)
      // A reset is what one does after a leak: every session and API token of the person ends.
      yield* accounts.revokeUser(user.value.id)
    }).pipe(Effect.provide(Server.layerServices(settings)))
    yield* Console.log(
      `password of ${options.username} reset; their sessions and API tokens are revoked` +
        (Option.isNone(options.password) ? `; new password: ${Redacted.value(chosen)}` : "")
    )
  })
).pipe(Command.withDescription("Set a new password for a person and end their sessions"))

const user = Command.make("user").pipe(
  Command.withDescription("Manage people"),
  Command.withSubcommands([userCreate, userResetPassword])
)

const configCheck = Command.make("check", {}, () =>
  Effect.gen(function* () {
    const settings = yield* settingsOr()
    yield* Console.log(`configuration is valid\n${Config.describe(settings)}`)
  })
).pipe(Command.withDescription("Validate the configuration (defaults, taskdesk.yaml, TASKDESK_*) and print it"))

const config = Command.make("config").pipe(
  Command.withDescription("Inspect the configuration"),
  Command.withSubcommands([configCheck])
)

const restore = Command.make(
  "restore",
  {
    file: Args.file({ name: "file", exists: "yes" }).pipe(
      Args.withDescription("a backup: taskdesk-….sqlite (SQLite) or taskdesk-….pg.jsonl.gz (PostgreSQL)")
    )
  },
  (options) =>
    Effect.gen(function* () {
      const settings = yield* settingsOr()
      const db = Config.database(settings)
      const kind = db._tag
      const expected = Option.map(Backup.parseName(options.file.split(/[\\/]/).pop() ?? ""), (p) => p.kind)
      if (Option.isSome(expected) && expected.value !== kind) {
        return yield* failWith(`${options.file} is a ${expected.value} backup; this configuration uses ${kind}`)
      }
      // A restore under a running server is lost or torn: refuse while one holds the file, and hold it
      // meanwhile so none starts.
      const held =
        db._tag === "sqlite"
          ? Holders.hold(db.filename, "restore", ["serve", "restore"]).pipe(
              Effect.catchTag("BackupError", (error) => failWith(`cannot restore: ${error.message}; stop it first`))
            )
          : Effect.void
      yield* held
      yield* Effect.gen(function* () {
        const database = yield* Backup.DatabaseBackup
        // What is there now is kept first: a restore of the wrong file loses nothing.
        const safety = yield* database.backup(Config.backupDirectory(settings), yield* DateTime.now)
        yield* Console.log(`the current database was saved first as ${safety.path}`)
        const restored = yield* database.restore(options.file)
        const rows = Object.entries(restored.tables)
        yield* Console.log(
          `restored ${options.file}` +
            (rows.length === 0 ? "" : ` (${rows.map(([t, n]) => `${t} ${n}`).join(", ")})`) +
            "; start the server again to use it"
        )
      }).pipe(
        Effect.catchTag("BackupError", (error) => failWith(error.message)),
        Effect.provide(ServerStorage.layer(settings))
      )
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Replace the database's contents with a backup (stop the server first). The current database is backed up first."
  )
)

/** The `taskdesk` command. */
export const command = Command.make("taskdesk").pipe(
  Command.withDescription("taskdesk's reference server and its administration"),
  Command.withSubcommands([serve, migrate, seed, user, config, jobs, restore, importCommand, exportCommand])
)

/** Runs the CLI on `argv` (with the node executable and script first, as `process.argv`). */
export const run = Command.run(command, { name: "taskdesk", version })
