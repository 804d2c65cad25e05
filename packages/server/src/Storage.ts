import type { SqlClient } from "@effect/sql"
import { type SqlDialect, SqlMigrations, SqlStorage } from "@taskdesk/adapters"
import { Backup } from "@taskdesk/adapters/backup"
import * as Notify from "@taskdesk/adapters/notify"
import { MemoryStorage, type Storage, type TelegramLinks } from "@taskdesk/core"
import { AuthStore } from "@taskdesk/http/auth/AuthStore.js"
import * as SqlAuthStore from "@taskdesk/http/auth/SqlAuthStore.js"
import { HealthProbe } from "@taskdesk/http/health/HealthProbe.js"
import { Effect, Layer, Redacted } from "effect"
import { type Database, database, type Settings } from "./Config.js"

/**
 * Everything the server stores: the domain's storage ports, its own auth records, the one-time
 * Telegram link codes (in the database, so a restart or another instance still knows them), and
 * the health probe and backup over them.
 */
export type ServerStorage =
  | Storage.Storage
  | AuthStore
  | TelegramLinks.TelegramLinks
  | HealthProbe
  | Backup.DatabaseBackup

/** Why storage could not start: the database is unreachable or a migration failed. */
export type StartError = SqlStorage.StartError

const memory: Layer.Layer<ServerStorage> = Layer.mergeAll(
  HealthProbe.layerMemory,
  AuthStore.layerMemory,
  Notify.TelegramLinkCodes.layerMemory,
  Backup.DatabaseBackup.layerNone
).pipe(Layer.provideMerge(MemoryStorage.layer))

/** The domain's tables and the server's own on one client, both migrated before anything serves. */
const onSql = <E>(
  kind: "sqlite" | "postgres" | "mysql",
  client: Layer.Layer<SqlClient.SqlClient | SqlDialect.Dialect, E>,
  backup: Layer.Layer<Backup.DatabaseBackup, never, SqlClient.SqlClient>
): Layer.Layer<ServerStorage, E | StartError> =>
  Layer.mergeAll(
    SqlStorage.repositories,
    SqlStorage.telegramLinks,
    SqlAuthStore.layer,
    HealthProbe.layerSql(kind),
    backup
  ).pipe(
    Layer.provide(Layer.effectDiscard(Effect.zipRight(SqlMigrations.run, SqlAuthStore.migrate))),
    Layer.provide(client)
  )

/** PostgreSQL storage with the adapter's pool options (e.g. a `schema`), for embedders and tests. */
export const layerPg = (config: SqlStorage.PgConfig): Layer.Layer<ServerStorage, StartError> =>
  onSql("postgres", SqlStorage.clientPg(config), Backup.DatabaseBackup.layerPg)

/**
 * MySQL or MariaDB storage with the adapter's pool options, for embedders and tests. Backups are the
 * database's own tools' job there (`mysqldump`, `mariadb-backup`): the backup port has none.
 */
export const layerMysql = (config: SqlStorage.MysqlConfig): Layer.Layer<ServerStorage, StartError> =>
  onSql("mysql", SqlStorage.clientMysql(config), Backup.DatabaseBackup.layerMysql)

/** The storage a database setting names: in memory, a SQLite file, PostgreSQL, or MySQL/MariaDB. */
export const layerFor = (db: Database): Layer.Layer<ServerStorage, StartError> => {
  switch (db._tag) {
    case "memory":
      return memory
    case "sqlite":
      return onSql(
        "sqlite",
        SqlStorage.clientSqlite({ filename: db.filename }),
        Backup.DatabaseBackup.layerSqlite(db.filename)
      )
    case "postgres":
      return onSql("postgres", SqlStorage.clientPg({ url: Redacted.value(db.url) }), Backup.DatabaseBackup.layerPg)
    case "mysql":
      return layerMysql({ url: Redacted.value(db.url) })
  }
}

/** The storage of the settings (`database_url`, or SQLite at `<data_dir>/taskdesk.db`). */
export const layer = (settings: Settings): Layer.Layer<ServerStorage, StartError> => layerFor(database(settings))
