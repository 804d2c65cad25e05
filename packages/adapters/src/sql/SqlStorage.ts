import { mkdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { type Migrator, SqlClient } from "@effect/sql"
import { type SqlError, SqlError as SqlErrorClass } from "@effect/sql/SqlError"
import { MysqlClient } from "@effect/sql-mysql2"
import { PgClient } from "@effect/sql-pg"
import type { Storage, TelegramLinks } from "@taskdesk/core"
import { Config, type ConfigError, Duration, Effect, Layer, Option, Redacted } from "effect"
import Mysql from "mysql2/promise"
import Pg from "pg"
import * as Dialect from "./Dialect.js"
import * as Migrations from "./Migrations.js"
import * as SqlAssignmentRepo from "./SqlAssignmentRepo.js"
import * as SqlCommentRepo from "./SqlCommentRepo.js"
import * as SqlDocumentRepo from "./SqlDocumentRepo.js"
import * as SqlEventLog from "./SqlEventLog.js"
import * as SqlExternalRefs from "./SqlExternalRefs.js"
import * as SqliteDriver from "./SqliteDriver.js"
import * as SqlJobStore from "./SqlJobStore.js"
import * as SqlOutbox from "./SqlOutbox.js"
import * as SqlProjectRepo from "./SqlProjectRepo.js"
import * as SqlRepairRequestRepo from "./SqlRepairRequestRepo.js"
import * as SqlStatisticsRepo from "./SqlStatisticsRepo.js"
import * as SqlTaskRepo from "./SqlTaskRepo.js"
import * as SqlTelegramLinks from "./SqlTelegramLinks.js"
import * as SqlTemplateRepo from "./SqlTemplateRepo.js"
import * as SqlTransaction from "./SqlTransaction.js"
import * as SqlUserRepo from "./SqlUserRepo.js"

/** Why a SQL storage layer could not start: the database is unreachable or a migration failed. */
export type StartError = SqlError | Migrator.MigrationError

/**
 * Every storage port on one `SqlClient`, written once for every dialect. It neither connects nor
 * migrates: `layerSqlite` / `layerPg` / `layerMysql` do both; use this with `clientSqlite` / `clientPg` / `clientMysql` (or your
 * own client and `Dialect` layer) and `SqlMigrations.run` when you manage those yourself.
 */
export const repositories: Layer.Layer<Storage.Storage, never, SqlClient.SqlClient | Dialect.Dialect> = Layer.mergeAll(
  SqlTransaction.layer,
  SqlEventLog.layer,
  SqlUserRepo.layer,
  SqlTaskRepo.layer,
  SqlTemplateRepo.layer,
  SqlAssignmentRepo.layer,
  SqlCommentRepo.layer,
  SqlProjectRepo.layer,
  SqlDocumentRepo.layer,
  SqlRepairRequestRepo.layer,
  SqlStatisticsRepo.layer,
  SqlJobStore.layer,
  SqlOutbox.layer,
  SqlExternalRefs.layer
)

/** One-time Telegram link codes on the same client as `repositories` (outside `Storage`: only linking needs them). */
export const telegramLinks: Layer.Layer<TelegramLinks.TelegramLinks, never, SqlClient.SqlClient | Dialect.Dialect> =
  SqlTelegramLinks.layer

/** The repositories on a connected client, after migrating the schema (and whatever `then` does). */
const migratedOn = <E>(
  client: Layer.Layer<SqlClient.SqlClient | Dialect.Dialect, E>,
  then: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.void
): Layer.Layer<Storage.Storage, E | StartError> =>
  repositories.pipe(Layer.provide(Layer.effectDiscard(Effect.zipRight(Migrations.run, then))), Layer.provide(client))

/**
 * SQLite's advice for a long-lived connection: let it gather the statistics its planner lacks
 * (bounded work, nothing when they are fresh), so list and statistics queries pick their indexes.
 */
const optimizeSqlite = Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe("PRAGMA optimize=0x10002"))

export interface SqliteConfig {
  /** A file path (its directory is created if missing), or `:memory:` for a private in-memory database. */
  readonly filename: string
  /** How long a write waits for another process's lock before it fails. Default 5 seconds. */
  readonly busyTimeout?: Duration.DurationInput | undefined
  /**
   * `full` (the default) syncs the log on every commit, so a commit survives a power loss;
   * `normal` syncs at checkpoints: a commit survives a crash of the process, not of the machine.
   */
  readonly synchronous?: "full" | "normal" | undefined
}

/**
 * SQLite set up for taskdesk (WAL journal, foreign keys on, a busy timeout) and its `Dialect`: one
 * writing connection, whose transactions commit in groups, and for a file a second, read-only one for
 * queries that arrive while a transaction runs (`SqliteDriver`). Does not migrate.
 */
export const clientSqlite = (config: SqliteConfig): Layer.Layer<SqlClient.SqlClient | Dialect.Dialect, SqlError> => {
  const busyMillis = Math.round(Duration.toMillis(config.busyTimeout ?? Duration.seconds(5)))
  const setup = Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.all(
      [
        sql.unsafe(`PRAGMA busy_timeout = ${busyMillis}`),
        sql.unsafe("PRAGMA foreign_keys = ON"),
        sql.unsafe(`PRAGMA synchronous = ${config.synchronous === "normal" ? "NORMAL" : "FULL"}`)
      ],
      { discard: true }
    )
  )
  const client = Layer.unwrapEffect(
    Effect.sync(() => {
      if (isFile(config.filename)) mkdirSync(dirname(config.filename), { recursive: true })
      return SqliteDriver.layer({ filename: config.filename })
    })
  )
  return Layer.provideMerge(Layer.merge(Dialect.layerSqlite, Layer.effectDiscard(setup)), client)
}

const isFile = (filename: string) => filename !== "" && filename !== ":memory:" && !filename.startsWith("file:")

/**
 * Storage in one SQLite file (the embedded default) or in memory: WAL journal, foreign keys on,
 * a busy timeout, one writer at a time. Migrates the schema when built.
 */
export const layerSqlite = (config: SqliteConfig): Layer.Layer<Storage.Storage, StartError> =>
  migratedOn(clientSqlite(config), Effect.asVoid(optimizeSqlite))

/** Where the embedded default keeps its data: one file in the data directory. */
export const defaultSqliteFile = (dataDirectory: string): string => join(dataDirectory, "taskdesk.db")
export interface PgConfig {
  /** A connection string, e.g. `postgres://user:pass@host:5432/db`. */
  readonly url: string
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number | undefined
  /** A statement running longer than this is cancelled by the server. Default 30 seconds. */
  readonly statementTimeout?: Duration.DurationInput | undefined
  /** The schema holding taskdesk's tables (`search_path`); the server's default when absent. */
  readonly schema?: string | undefined
}

/** PostgreSQL's bigint (int8) as a JavaScript number: our bigints are epoch milliseconds and counts. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === Pg.types.builtins.INT8 && format !== "binary"
      ? (value: string) => Number(value)
      : Pg.types.getTypeParser(oid, format as never)) as Pg.CustomTypesConfig["getTypeParser"]
}

const schemaName = (schema: string): string => {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`not a plain schema name: ${schema}`)
  return schema
}

/** A PostgreSQL pool set up for taskdesk (bigints as numbers, a statement timeout) and its `Dialect`. Does not migrate. */
export const clientPg = (config: PgConfig): Layer.Layer<SqlClient.SqlClient | Dialect.Dialect, SqlError> => {
  const client = PgClient.layerFromPool({
    acquire: Effect.acquireRelease(
      Effect.sync(
        () =>
          new Pg.Pool({
            connectionString: config.url,
            max: config.poolSize ?? 10,
            statement_timeout: Math.round(Duration.toMillis(config.statementTimeout ?? Duration.seconds(30))),
            connectionTimeoutMillis: 10_000,
            types,
            ...(config.schema === undefined ? {} : { options: `-c search_path=${schemaName(config.schema)}` })
          })
      ),
      (pool) => Effect.promise(() => pool.end())
    ),
    applicationName: "taskdesk"
  })
  return Layer.provideMerge(Dialect.layerPg, client)
}

/** Storage in PostgreSQL with a pool and a statement timeout. Migrates the schema when built. */
export const layerPg = (config: PgConfig): Layer.Layer<Storage.Storage, StartError> => migratedOn(clientPg(config))

export interface MysqlConfig {
  /** A connection string, e.g. `mysql://user:pass@host:3306/db` (`mariadb://` is the same). */
  readonly url: string
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number | undefined
}

/** Whether a database URL names MySQL or MariaDB. */
export const isMysqlUrl = (url: string): boolean => /^(mysql|mariadb):\/\//.test(url)

/**
 * The parts of a MySQL URL. The client's own `url` option would drop the pool options below, so the
 * URL is taken apart here (user and password percent-decoded).
 */
const mysqlParts = (url: string) => {
  const parsed = new URL(url.replace(/^mariadb:/, "mysql:"))
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""))
  if (database === "") throw new Error("a MySQL URL names its database: mysql://user@host:3306/<database>")
  return {
    host: parsed.hostname === "" ? "127.0.0.1" : parsed.hostname,
    port: parsed.port === "" ? 3306 : Number(parsed.port),
    database,
    username: decodeURIComponent(parsed.username) || "root",
    password: parsed.password === "" ? undefined : Redacted.make(decodeURIComponent(parsed.password))
  }
}

/**
 * Creates the URL's database when it does not exist (utf8mb4, binary collation), so a fresh server
 * needs no `CREATE DATABASE` by hand. A user without the right to create one gets no error here: the
 * pool then reports the missing database itself.
 */
const ensureMysqlDatabase = (parts: ReturnType<typeof mysqlParts>) =>
  Effect.promise(async () => {
    if (!/^[A-Za-z0-9_$]{1,64}$/.test(parts.database)) return
    const connection = await Mysql.createConnection({
      host: parts.host,
      port: parts.port,
      user: parts.username,
      ...(parts.password === undefined ? {} : { password: Redacted.value(parts.password) }),
      connectTimeout: 10_000
    }).catch(() => undefined)
    if (connection === undefined) return
    try {
      await connection
        .query(`CREATE DATABASE IF NOT EXISTS \`${parts.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
        .catch(() => undefined)
    } finally {
      await connection.end().catch(() => undefined)
    }
  })

/**
 * A MySQL or MariaDB pool set up for taskdesk and its `Dialect`, creating the database if it is
 * missing (`ensureMysqlDatabase`). Does not migrate. The connection
 * speaks utf8mb4 with a binary collation, as the columns do, and returns DECIMAL aggregates (SUM,
 * AVG) as numbers; BIGINT columns (epoch milliseconds, counts) come back as numbers already.
 */
export const clientMysql = (config: MysqlConfig): Layer.Layer<SqlClient.SqlClient | Dialect.Dialect, SqlError> =>
  Layer.unwrapEffect(
    Effect.try({
      try: () => mysqlParts(config.url),
      catch: (cause) => new SqlErrorClass({ cause, message: `not a usable MySQL URL: ${String(cause)}` })
    }).pipe(
      Effect.tap(ensureMysqlDatabase),
      Effect.map((parts) =>
        Layer.provideMerge(
          Dialect.layerMysql,
          MysqlClient.layer({
            ...parts,
            maxConnections: config.poolSize ?? 10,
            poolConfig: { charset: "UTF8MB4_BIN", decimalNumbers: true, connectTimeout: 10_000 }
          })
        )
      )
    )
  ).pipe(
    // The client's layer also admits a ConfigError, which only its `layerConfig` raises.
    Layer.mapError((error) =>
      error instanceof SqlErrorClass ? error : new SqlErrorClass({ cause: error, message: "MySQL client settings" })
    )
  )

/** Storage in MySQL or MariaDB (InnoDB) with a pool. Migrates the schema when built. */
export const layerMysql = (config: MysqlConfig): Layer.Layer<Storage.Storage, StartError> =>
  migratedOn(clientMysql(config))

/**
 * Storage chosen by configuration: MySQL or MariaDB when `TASKDESK_DATABASE_URL` is a `mysql://`
 * (or `mariadb://`) URL (with `TASKDESK_MYSQL_POOL_SIZE`); PostgreSQL when it is a `postgres://` URL
 * (with `TASKDESK_PG_POOL_SIZE`, `TASKDESK_PG_STATEMENT_TIMEOUT` and `TASKDESK_PG_SCHEMA`),
 * otherwise the embedded SQLite file in `TASKDESK_DATA_DIR` (default `./data`). A fresh install
 * with no configuration needs nothing.
 */
export const layerConfig: Layer.Layer<Storage.Storage, StartError | ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const config = Config.nested("TASKDESK")
    const url = yield* config(Config.option(Config.string("DATABASE_URL")))
    if (Option.isSome(url) && isMysqlUrl(url.value)) {
      return layerMysql({
        url: url.value,
        poolSize: yield* config(Config.integer("MYSQL_POOL_SIZE").pipe(Config.withDefault(10)))
      })
    }
    if (Option.isSome(url) && /^postgres(ql)?:\/\//.test(url.value)) {
      return layerPg({
        url: url.value,
        poolSize: yield* config(Config.integer("PG_POOL_SIZE").pipe(Config.withDefault(10))),
        statementTimeout: yield* config(
          Config.duration("PG_STATEMENT_TIMEOUT").pipe(Config.withDefault(Duration.seconds(30)))
        ),
        schema: Option.getOrUndefined(yield* config(Config.option(Config.string("PG_SCHEMA"))))
      })
    }
    const dataDirectory = yield* config(Config.string("DATA_DIR").pipe(Config.withDefault("data")))
    return layerSqlite({ filename: defaultSqliteFile(dataDirectory) })
  })
)
