import * as Fs from "node:fs"
import * as Readline from "node:readline"
import * as Zlib from "node:zlib"
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { DateTime, Effect, Option, Schema, Stream } from "effect"
import { BackupError } from "./BackupError.js"

/**
 * A logical export of PostgreSQL without `pg_dump`: every table of the connection's schema as
 * gzipped JSON lines, `row_to_json` text copied verbatim (so no value passes through a JavaScript
 * number), read in one `REPEATABLE READ` snapshot. The file is a header line, then per table a
 * line `{"table","rows"}` and its rows, parents before the tables that reference them, then an end
 * line. Restoring truncates those tables and inserts the rows in one transaction.
 */

export const format = "taskdesk-pg-export"
export const formatVersion = 1

/** Rows read or inserted per statement. */
const batch = 1_000

const Header = Schema.Struct({
  format: Schema.Literal(format),
  version: Schema.Literal(formatVersion),
  createdAt: Schema.String,
  /** The latest migration of each migrations table: a restore needs the same schema. */
  migrations: Schema.Record({ key: Schema.String, value: Schema.Number }),
  tables: Schema.Array(Schema.String)
})
type Header = typeof Header.Type

const TableLine = Schema.Struct({ table: Schema.String, rows: Schema.Number })
const EndLine = Schema.Struct({ end: Schema.Literal(true) })

/** Tables that record which migrations ran: compared with the target's, never overwritten. */
const isMigrationsTable = (name: string) => name.endsWith("migrations")

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

const sqlFailed = (what: string) => (e: SqlError) =>
  new BackupError({ message: `${what}: ${e.cause instanceof Error ? e.cause.message : e.message}` })

/** The schema's tables, each after the tables it references (then by name). */
const tablesInOrder = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const tables = yield* sql<{ readonly name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition ORDER BY c.relname`
  const edges = yield* sql<{ readonly child: string; readonly parent: string }>`
    SELECT cl.relname AS child, pr.relname AS parent FROM pg_constraint k
    JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pr ON pr.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace
    WHERE k.contype = 'f' AND n.nspname = current_schema()`
  const names = tables.map((t) => t.name)
  const parents = new Map(names.map((n) => [n, new Set<string>()]))
  for (const e of edges) if (e.child !== e.parent && parents.has(e.parent)) parents.get(e.child)?.add(e.parent)
  const ordered: Array<string> = []
  const placed = new Set<string>()
  while (ordered.length < names.length) {
    const next = names.find((n) => !placed.has(n) && [...parents.get(n)!].every((p) => placed.has(p)))
    // A cycle of foreign keys: place the rest by name (their inserts then need deferred constraints).
    const chosen = next ?? names.find((n) => !placed.has(n))!
    ordered.push(chosen)
    placed.add(chosen)
  }
  return ordered
})

const latestMigration = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.unsafe<{ readonly id: number | null }>(`SELECT max(migration_id) AS id FROM ${quote(table)}`)
  ).pipe(Effect.map((rows) => Number(rows[0]?.id ?? 0)))

/** A gzip stream into a file, written with backpressure. */
const openGzipFile = (path: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const file = Fs.createWriteStream(path, { flags: "wx" })
      const gzip = Zlib.createGzip()
      let error: Error | undefined
      const onError = (e: Error) => {
        error ??= e
      }
      file.on("error", onError)
      gzip.on("error", onError)
      gzip.pipe(file)
      const write = (text: string) =>
        Effect.async<void, BackupError>((resume) => {
          if (error !== undefined) return resume(Effect.fail(new BackupError({ message: error.message })))
          if (gzip.write(text)) resume(Effect.void)
          else gzip.once("drain", () => resume(Effect.void))
        })
      const finish = Effect.async<void, BackupError>((resume) => {
        if (error !== undefined) return resume(Effect.fail(new BackupError({ message: error.message })))
        file.once("close", () =>
          resume(error === undefined ? Effect.void : Effect.fail(new BackupError({ message: error.message })))
        )
        gzip.end()
      })
      const destroy = () => {
        gzip.destroy()
        file.destroy()
      }
      return { write, finish, destroy }
    }),
    (writer) => Effect.sync(writer.destroy)
  )

/** Writes every table of the connection's schema to `path` (which must not exist), as of one snapshot. */
export const exportTo = (path: string, at: DateTime.Utc): Effect.Effect<void, BackupError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const out = yield* openGzipFile(path)
    yield* sql
      .withTransaction(
        Effect.gen(function* () {
          yield* sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`
          const tables = yield* tablesInOrder
          const migrations: Record<string, number> = {}
          for (const table of tables.filter(isMigrationsTable)) migrations[table] = yield* latestMigration(table)
          const header: Header = {
            format,
            version: formatVersion,
            createdAt: DateTime.formatIso(at),
            migrations,
            tables
          }
          yield* out.write(`${JSON.stringify(header)}\n`)
          for (const table of tables) {
            const [{ n }] = (yield* sql.unsafe<{ readonly n: number }>(
              `SELECT count(*)::int AS n FROM ${quote(table)}`
            )) as unknown as [{ readonly n: number }]
            yield* out.write(`${JSON.stringify({ table, rows: n })}\n`)
            // Keyset by physical position: stable inside the snapshot, needs no primary key.
            let after = "(0,0)"
            for (;;) {
              const rows = yield* sql.unsafe<{ readonly c: string; readonly j: string }>(
                `SELECT ctid::text AS c, row_to_json(t)::text AS j FROM ${quote(table)} t
                 WHERE ctid > $1::tid ORDER BY ctid LIMIT ${batch}`,
                [after]
              )
              if (rows.length > 0) yield* out.write(`${rows.map((r) => r.j).join("\n")}\n`)
              if (rows.length < batch) break
              after = rows[rows.length - 1]!.c
            }
          }
          yield* out.write(`${JSON.stringify({ end: true })}\n`)
        })
      )
      .pipe(Effect.catchTag("SqlError", (e) => Effect.fail(sqlFailed("PostgreSQL export failed")(e))))
    yield* out.finish
  }).pipe(Effect.scoped)

/** The lines of a gzipped file, one at a time. */
const linesOf = (path: string): Stream.Stream<string, BackupError> =>
  Stream.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(
        Effect.try({
          try: () => {
            const input = Fs.createReadStream(path).pipe(Zlib.createGunzip())
            return { input, lines: Readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }) }
          },
          catch: (e) => new BackupError({ message: `cannot read ${path}: ${String(e)}` })
        }),
        ({ input, lines }) =>
          Effect.sync(() => {
            lines.close()
            input.destroy()
          })
      ),
      ({ lines }) =>
        Stream.fromAsyncIterable(
          lines,
          (e) => new BackupError({ message: `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}` })
        )
    )
  )

const decodeLine =
  <A, I>(schema: Schema.Schema<A, I>, what: string) =>
  (line: string | undefined): Effect.Effect<A, BackupError> =>
    Effect.try({ try: () => JSON.parse(line ?? "null") as unknown, catch: () => undefined }).pipe(
      Effect.flatMap(Schema.decodeUnknown(schema)),
      Effect.mapError(() => new BackupError({ message: `not a taskdesk PostgreSQL export: bad ${what} line` }))
    )

/**
 * Replaces the contents of the tables in the export with its rows, in one transaction: all or
 * nothing. The database must be at the migrations the export was made at (restore with the same
 * version of taskdesk, then upgrade). Returns the rows restored per table.
 */
export const importFrom = (path: string): Effect.Effect<Record<string, number>, BackupError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    if (!Fs.existsSync(path)) return yield* Effect.fail(new BackupError({ message: `no such file ${path}` }))
    const first = yield* linesOf(path).pipe(Stream.take(1), Stream.runHead)
    const header = yield* decodeLine(Header, "header")(Option.getOrUndefined(first))
    return yield* sql
      .withTransaction(
        Effect.gen(function* () {
          const present = new Set(yield* tablesInOrder)
          for (const [table, id] of Object.entries(header.migrations)) {
            const current = present.has(table) ? yield* latestMigration(table) : 0
            if (current !== id) {
              return yield* Effect.fail(
                new BackupError({
                  message: `the export was made at migration ${id} of ${table}, this database is at ${current}: restore it with the version of taskdesk that made it`
                })
              )
            }
          }
          const data = header.tables.filter((t) => !isMigrationsTable(t))
          const missing = data.filter((t) => !present.has(t))
          if (missing.length > 0) {
            return yield* Effect.fail(new BackupError({ message: `tables missing here: ${missing.join(", ")}` }))
          }
          if (data.length > 0) yield* sql.unsafe(`TRUNCATE ${data.map(quote).join(", ")}`)
          const columns = new Map<string, ReadonlyArray<string>>()
          for (const row of yield* sql<{ readonly t: string; readonly c: string }>`
            SELECT table_name AS t, column_name AS c FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position`) {
            columns.set(row.t, [...(columns.get(row.t) ?? []), row.c])
          }
          const insert = (table: string, rows: ReadonlyArray<string>) => {
            const list = (columns.get(table) ?? []).map(quote).join(", ")
            return sql.unsafe(
              `INSERT INTO ${quote(table)} (${list}) OVERRIDING SYSTEM VALUE
               SELECT ${list} FROM json_populate_recordset(NULL::${quote(table)}, $1::json)`,
              [`[${rows.join(",")}]`]
            )
          }
          const counts: Record<string, number> = {}
          let current: { table: string; expected: number; seen: number; skip: boolean } | undefined
          let pending: Array<string> = []
          let ended = false
          const flush = Effect.suspend(() => {
            if (current === undefined || pending.length === 0) return Effect.void
            const rows = pending
            pending = []
            return current.skip ? Effect.void : Effect.asVoid(insert(current.table, rows))
          })
          const close = Effect.gen(function* () {
            yield* flush
            if (current === undefined) return
            if (current.seen !== current.expected) {
              return yield* Effect.fail(
                new BackupError({
                  message: `the export is damaged: ${current.table} has ${current.seen} rows, not ${current.expected}`
                })
              )
            }
            if (!current.skip) counts[current.table] = current.seen
          })
          yield* linesOf(path).pipe(
            Stream.drop(1),
            Stream.runForEach((line) =>
              Effect.gen(function* () {
                if (ended) return yield* Effect.fail(new BackupError({ message: "the export has lines after its end" }))
                if (current !== undefined && current.seen < current.expected) {
                  current.seen++
                  pending.push(line)
                  if (pending.length >= batch) yield* flush
                  return
                }
                yield* close
                if (line.startsWith('{"end"')) {
                  yield* decodeLine(EndLine, "end")(line)
                  ended = true
                  current = undefined
                  return
                }
                const next = yield* decodeLine(TableLine, "table")(line)
                current = { table: next.table, expected: next.rows, seen: 0, skip: isMigrationsTable(next.table) }
              })
            )
          )
          if (!ended) {
            return yield* Effect.fail(new BackupError({ message: "the export is cut short (no end line)" }))
          }
          // Identity columns (the event sequence) go on from the restored rows, not from where they were.
          for (const identity of yield* sql<{ readonly t: string; readonly c: string }>`
            SELECT table_name AS t, column_name AS c FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'`) {
            if (!data.includes(identity.t)) continue
            yield* sql.unsafe(
              `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quote(identity.c)}) FROM ${quote(identity.t)}), 0) + 1, false)`,
              [quote(identity.t), identity.c]
            )
          }
          return counts
        })
      )
      .pipe(Effect.catchTag("SqlError", (e) => Effect.fail(sqlFailed("PostgreSQL restore failed")(e))))
  })
