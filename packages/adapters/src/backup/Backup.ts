import * as Fs from "node:fs"
import * as Path from "node:path"
import { SqlClient } from "@effect/sql"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import Database from "../sql/SqliteEngine.js"
import { BackupError } from "./BackupError.js"
import * as PgExport from "./PgExport.js"
import { type RetentionPolicy, select } from "./Retention.js"

export { BackupError }

/** The storage kinds a backup can come from. */
export type Kind = "sqlite" | "postgres"

/** A finished backup file. */
export interface BackupFile {
  readonly path: string
  readonly name: string
  readonly kind: Kind
  /** When it was made (from its name). */
  readonly at: DateTime.Utc
  readonly bytes: number
}

/** What a restore put back. */
export interface Restored {
  readonly kind: Kind
  /** Rows per table, as read back after the restore (SQLite) or inserted (PostgreSQL). */
  readonly tables: Readonly<Record<string, number>>
}

const extension: Record<Kind, string> = { sqlite: "sqlite", postgres: "pg.jsonl.gz" }

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** `taskdesk-2026-03-02T02-00-00.000Z.sqlite`: sortable, dated in UTC, no characters file systems refuse. */
export const fileName = (kind: Kind, at: DateTime.Utc): string => {
  const p = DateTime.toPartsUtc(at)
  const stamp = `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hours)}-${pad(p.minutes)}-${pad(p.seconds)}.${pad(p.millis, 3)}Z`
  return `taskdesk-${stamp}.${extension[kind]}`
}

const namePattern = /^taskdesk-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})Z\.(sqlite|pg\.jsonl\.gz)$/

/** The kind and time of a backup from its file name; none for any other file. */
export const parseName = (name: string): Option.Option<{ readonly kind: Kind; readonly at: DateTime.Utc }> => {
  const m = namePattern.exec(name)
  if (m === null) return Option.none()
  const [, y, mo, d, h, mi, s, ms, ext] = m.map((part, i) => (i === 8 ? part : Number(part))) as [
    unknown,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    string
  ]
  const millis = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  if (Number.isNaN(millis)) return Option.none()
  return Option.some({ kind: ext === "sqlite" ? "sqlite" : "postgres", at: DateTime.unsafeMake(millis) })
}

const fail = (message: string) => (cause: unknown) =>
  new BackupError({ message: `${message}: ${cause instanceof Error ? cause.message : String(cause)}` })

/** The backups in a directory, newest first; other files are left alone (and never deleted). */
export const list = (directory: string): Effect.Effect<ReadonlyArray<BackupFile>, BackupError> =>
  Effect.try({
    try: () => {
      if (!Fs.existsSync(directory)) return []
      const out: Array<BackupFile> = []
      for (const name of Fs.readdirSync(directory)) {
        const parsed = parseName(name)
        if (Option.isNone(parsed)) continue
        const path = Path.join(directory, name)
        out.push({ path, name, ...parsed.value, bytes: Fs.statSync(path).size })
      }
      return out.sort((a, b) => DateTime.toEpochMillis(b.at) - DateTime.toEpochMillis(a.at))
    },
    catch: fail(`cannot read the backup directory ${directory}`)
  })

/** Deletes the backups in `directory` that the retention policy does not keep; returns them. */
export const prune = (
  directory: string,
  policy: RetentionPolicy,
  zone: DateTime.TimeZone
): Effect.Effect<ReadonlyArray<BackupFile>, BackupError> =>
  Effect.flatMap(list(directory), (backups) => {
    const { remove } = select(backups, policy, zone)
    return Effect.try({
      try: () => {
        for (const backup of remove) Fs.rmSync(backup.path, { force: true })
        return remove
      },
      catch: fail("cannot delete an old backup")
    })
  })

/** A partial file `writeAtomically` leaves behind only when its process dies mid-backup. */
const partialPattern = /^\.taskdesk-.*\.partial$/

/** Deletes the partial files of backups that never finished (their process was killed); returns their names. */
export const removePartials = (directory: string): Effect.Effect<ReadonlyArray<string>, BackupError> =>
  Effect.try({
    try: () => {
      if (!Fs.existsSync(directory)) return []
      const names = Fs.readdirSync(directory).filter((name) => partialPattern.test(name))
      for (const name of names) Fs.rmSync(Path.join(directory, name), { force: true })
      return names
    },
    catch: fail(`cannot clear unfinished backups from ${directory}`)
  })

/**
 * Writes a backup through `write` to a hidden partial file and links it into place, so a backup
 * that did not finish never looks like one, and one never replaces another: a name taken already
 * (two backups in one millisecond) moves on by a millisecond. Partial files of backups whose process
 * was killed are deleted before and after (one backup runs at a time: the scheduler's job lock).
 */
const writeAtomically = (
  directory: string,
  kind: Kind,
  requested: DateTime.Utc,
  write: (partial: string) => Effect.Effect<void, BackupError>
): Effect.Effect<BackupFile, BackupError> =>
  Effect.gen(function* () {
    yield* Effect.try({
      try: () => Fs.mkdirSync(directory, { recursive: true }),
      catch: fail(`cannot create the backup directory ${directory}`)
    })
    yield* removePartials(directory)
    let at = requested
    while (Fs.existsSync(Path.join(directory, fileName(kind, at)))) at = DateTime.add(at, { millis: 1 })
    const name = fileName(kind, at)
    const path = Path.join(directory, name)
    const partial = Path.join(directory, `.${name}.partial`)
    const removePartial = Effect.sync(() => Fs.rmSync(partial, { force: true }))
    yield* write(partial).pipe(Effect.onError(() => removePartial))
    return yield* Effect.try({
      try: () => {
        // A link, unlike a rename, fails rather than replace a file of that name.
        Fs.linkSync(partial, path)
        return { path, name, kind, at, bytes: Fs.statSync(path).size }
      },
      catch: fail(`cannot move the backup into place as ${path}`)
    }).pipe(Effect.ensuring(removePartial), Effect.tap(removePartials(directory)))
  })

/** A second connection to the SQLite file, closed after `use`. */
const withConnection = <A>(
  filename: string,
  options: Database.Options,
  use: (db: Database.Database) => Promise<A> | A
): Effect.Effect<A, BackupError> =>
  Effect.acquireUseRelease(
    Effect.try({
      try: () => new Database(filename, { fileMustExist: true, timeout: 5_000, ...options }),
      catch: fail(`cannot open ${filename}`)
    }),
    (db) => Effect.tryPromise({ try: async () => use(db), catch: fail(`SQLite backup of ${filename} failed`) }),
    (db) => Effect.sync(() => db.close())
  )

/**
 * SQLite's online backup (better-sqlite3's `backup`, the `sqlite3_backup_*` API) over a second
 * connection: it copies a consistent snapshot while the server keeps writing.
 */
export const backupSqlite = (
  filename: string,
  directory: string,
  at: DateTime.Utc
): Effect.Effect<BackupFile, BackupError> =>
  writeAtomically(directory, "sqlite", at, (partial) =>
    Effect.zipRight(
      withConnection(filename, {}, (db) => db.backup(partial)),
      // The copy inherits WAL mode, and opening a WAL database, even read-only, leaves -wal and -shm
      // files beside it: a backup is one self-contained file. (Restoring into a WAL database keeps WAL.)
      withConnection(partial, {}, (db) => void db.pragma("journal_mode = DELETE"))
    )
  )

/** Checks that a file is a sound SQLite database holding taskdesk's tables. */
const checkSqliteBackup = (file: string) =>
  withConnection(file, { readonly: true }, (db) => {
    const integrity = db.pragma("integrity_check", { simple: true })
    if (integrity !== "ok") throw new Error(`the file is damaged (integrity_check: ${String(integrity)})`)
    const found = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'taskdesk_migrations'").get()
    if (found === undefined) throw new Error("it holds no taskdesk database (no taskdesk_migrations table)")
  }).pipe(Effect.mapError((e) => new BackupError({ message: `${file} is not a usable backup: ${e.message}` })))

/** Rows per table of a SQLite database (SQLite's own tables left out), by table name. */
const rowCounts = (db: Database.Database): Record<string, number> => {
  const counts: Record<string, number> = {}
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as ReadonlyArray<string>
  for (const table of tables) {
    counts[table] = Number(
      db
        .prepare(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`)
        .pluck()
        .get()
    )
  }
  return counts
}

const sameCounts = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean => {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}

/**
 * Replaces the SQLite database's contents with a backup's, page by page through the backup API
 * (so another connection to the file sees either the old or the new database, never a torn one),
 * then reads the result back: a copy that did not happen (SQLite's backup into a database another
 * process holds a write lock on can end having copied nothing, and says so only in its page
 * counts) or that differs from the backup in any table's row count is a failure, never "restored".
 * A backup made by an older version is upgraded by the migrations at the next start.
 */
export const restoreSqlite = (file: string, filename: string): Effect.Effect<Restored, BackupError> =>
  Effect.gen(function* () {
    yield* checkSqliteBackup(file)
    yield* Effect.try({
      try: () => Fs.mkdirSync(Path.dirname(filename), { recursive: true }),
      catch: fail(`cannot create the directory of ${filename}`)
    })
    const expected = yield* withConnection(file, { readonly: true }, rowCounts)
    const progress = yield* withConnection(file, { readonly: true }, (db) => db.backup(filename))
    if (progress.totalPages === 0 || progress.remainingPages !== 0) {
      return yield* new BackupError({
        message: `restoring ${file} into ${filename} copied nothing (${progress.totalPages - progress.remainingPages} of ${progress.totalPages} pages): is another process using the database?`
      })
    }
    const found = yield* withConnection(filename, { readonly: true }, (db) => {
      const integrity = db.pragma("integrity_check", { simple: true })
      if (integrity !== "ok") throw new Error(`integrity_check: ${String(integrity)}`)
      return rowCounts(db)
    })
    if (!sameCounts(expected, found)) {
      const differ = Object.keys({ ...expected, ...found })
        .filter((t) => expected[t] !== found[t])
        .map((t) => `${t} ${found[t] ?? "missing"} instead of ${expected[t] ?? "none"}`)
      return yield* new BackupError({
        message: `restoring ${file} into ${filename} did not take: ${differ.join(", ")}`
      })
    }
    return { kind: "sqlite" as const, tables: found }
  })

/**
 * A database's backup and restore, provided beside its storage (the storage layer knows where the
 * data is): SQLite's online backup to a file, or a logical export of PostgreSQL's tables.
 */
export class DatabaseBackup extends Context.Tag("@taskdesk/adapters/DatabaseBackup")<
  DatabaseBackup,
  {
    readonly kind: Kind | "memory"
    /** Writes a backup of the whole database into `directory`, named by `at`. */
    readonly backup: (directory: string, at: DateTime.Utc) => Effect.Effect<BackupFile, BackupError>
    /** Replaces the database's contents with those of a backup file of this kind. */
    readonly restore: (file: string) => Effect.Effect<Restored, BackupError>
  }
>() {
  /** The SQLite file `filename`; an in-memory database (`:memory:`) has nothing to back up (`layerNone`). */
  static layerSqlite(filename: string): Layer.Layer<DatabaseBackup> {
    if (filename === "" || filename === ":memory:" || filename.includes("mode=memory")) return DatabaseBackup.layerNone
    return Layer.succeed(DatabaseBackup, {
      kind: "sqlite",
      backup: (directory, at) => backupSqlite(filename, directory, at),
      restore: (file) => restoreSqlite(file, filename)
    })
  }

  /** PostgreSQL through the client's connection (its `search_path` schema). */
  static readonly layerPg: Layer.Layer<DatabaseBackup, never, SqlClient.SqlClient> = Layer.effect(
    DatabaseBackup,
    Effect.map(SqlClient.SqlClient, (sql) => ({
      kind: "postgres" as const,
      backup: (directory: string, at: DateTime.Utc) =>
        writeAtomically(directory, "postgres", at, (partial) =>
          PgExport.exportTo(partial, at).pipe(Effect.provideService(SqlClient.SqlClient, sql))
        ),
      restore: (file: string) =>
        PgExport.importFrom(file).pipe(
          Effect.provideService(SqlClient.SqlClient, sql),
          Effect.map((tables) => ({ kind: "postgres" as const, tables }))
        )
    }))
  )

  /**
   * MySQL or MariaDB: their own tools back them up (`mysqldump --single-transaction`, `mariadb-backup`),
   * consistently and online; every call fails saying so.
   */
  static readonly layerMysql: Layer.Layer<DatabaseBackup> = Layer.succeed(DatabaseBackup, {
    kind: "memory",
    backup: () =>
      Effect.fail(
        new BackupError({
          message: "the storage is MySQL: back it up with mysqldump --single-transaction or mariadb-backup"
        })
      ),
    restore: () =>
      Effect.fail(
        new BackupError({ message: "the storage is MySQL: restore it with the mysql client or mariadb-backup" })
      )
  })

  /** Storage that has nothing to back up (in memory): every call fails saying so. */
  static readonly layerNone: Layer.Layer<DatabaseBackup> = Layer.succeed(DatabaseBackup, {
    kind: "memory",
    backup: () =>
      Effect.fail(new BackupError({ message: "the storage is in memory: there is no database to back up" })),
    restore: () =>
      Effect.fail(new BackupError({ message: "the storage is in memory: there is no database to restore" }))
  })
}
