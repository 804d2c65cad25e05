/**
 * Storage benchmark (`pnpm bench`; not a test, it never fails a run): the in-memory, SQLite,
 * PostgreSQL and MySQL layers over BENCH_TASKS tasks (default 100,000), each beside the raw driver
 * doing the same SQL by hand (better-sqlite3 prepared statements; `pg` and `mysql2` with a pool),
 * with the layer's ratio to it. Operations run one at a time, so the figures are per-operation
 * costs, not throughput under load. PostgreSQL and MySQL are skipped when unreachable
 * (TASKDESK_BENCH_PG_URL, TASKDESK_BENCH_MYSQL_URL; default the local ones).
 */

import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { type Ids, MemoryStorage, StatisticsRepo, Task, TaskQuery, TaskRepo, Transaction } from "@taskdesk/core"
import { DateTime, Effect, Layer, ManagedRuntime, Option, Schema } from "effect"
import Mysql from "mysql2/promise"
import Pg from "pg"
import * as Migrations from "../src/sql/Migrations.js"
import Database, { engine } from "../src/sql/SqliteEngine.js"
import * as SqlStorage from "../src/sql/SqlStorage.js"
import { TaskRow } from "../src/sql/SqlTaskRepo.js"
import { makeTasks, now, pageQueries, random, start } from "./data.js"

const total = Number(process.env.BENCH_TASKS ?? 100_000)
const singles = Number(process.env.BENCH_SINGLES ?? 2_000)
const reads = Number(process.env.BENCH_READS ?? 20_000)
const pages = Number(process.env.BENCH_PAGES ?? 1_000)
const pgUrl = process.env.TASKDESK_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"
/** The MySQL server; the benchmark creates two databases of its own on it and drops them after. */
const mysqlUrl = process.env.TASKDESK_BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test"
/** SQLite's `synchronous` for both the layer and the raw driver: `full` (the layer's default) or `normal`. */
const synchronous = process.env.BENCH_SQLITE_SYNC === "normal" ? "normal" : "full"
const run = Date.now().toString(36)

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Figures {
  readonly batchPerSecond: number
  readonly singlePerSecond: number
  readonly readsPerSecond: number
  readonly pagesPerSecond: number
  readonly pageP50: number
  readonly pageP99: number
  readonly statisticsMs: number
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

/** Runs `op` for each item, one at a time; returns operations per second and each one's time in ms. */
const timeEach = async <A>(items: ReadonlyArray<A>, op: (a: A) => Promise<unknown> | unknown) => {
  const times: Array<number> = new Array(items.length)
  const begin = performance.now()
  for (let i = 0; i < items.length; i++) {
    const t0 = performance.now()
    const result = op(items[i]!)
    if (result instanceof Promise) await result
    times[i] = performance.now() - t0
  }
  const elapsed = performance.now() - begin
  return { perSecond: (items.length / elapsed) * 1000, sorted: times.sort((a, b) => a - b) }
}

const chunks = <A>(xs: ReadonlyArray<A>, size: number) =>
  Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size))

const statisticsRange = new StatisticsRepo.StatisticsRange({
  from: DateTime.unsafeMake(start),
  to: DateTime.unsafeMake(start + 365 * 86_400_000)
})

/** Runs `op` for each item inside one fiber, one at a time; operations per second and each one's ms. */
const timeEachEffect = <A, X, E, R>(items: ReadonlyArray<A>, op: (a: A) => Effect.Effect<X, E, R>) =>
  Effect.gen(function* () {
    const times: Array<number> = new Array(items.length)
    const begin = performance.now()
    for (let i = 0; i < items.length; i++) {
      const t0 = performance.now()
      yield* op(items[i]!)
      times[i] = performance.now() - t0
    }
    const elapsed = performance.now() - begin
    return { perSecond: (items.length / elapsed) * 1000, sorted: times.sort((a, b) => a - b) }
  })

interface Timed {
  readonly perSecond: number
  readonly sorted: ReadonlyArray<number>
}

/** One store's operations, each timed over a list of inputs, one at a time. */
interface Phases {
  readonly batch: (chunks: ReadonlyArray<ReadonlyArray<Task.Task>>) => Promise<Timed>
  readonly single: (tasks: ReadonlyArray<Task.Task>) => Promise<Timed>
  readonly reads: (ids: ReadonlyArray<Ids.TaskId>) => Promise<Timed>
  readonly pages: (queries: ReturnType<typeof pageQueries>) => Promise<Timed>
  readonly statistics: () => Promise<Timed>
  readonly close: () => Promise<void>
}

/** A storage layer's phases, through its ports, with Effect's tracer off; each phase's loop runs in one fiber. */
const layerPhases = async (
  layer: Layer.Layer<TaskRepo.TaskRepo | Transaction.Transaction | StatisticsRepo.StatisticsRepo, unknown>
): Promise<Phases> => {
  const runtime = ManagedRuntime.make(Layer.merge(layer, Layer.setTracerEnabled(false)))
  const [repo, tx, statistics] = await runtime.runPromise(
    Effect.all([TaskRepo.TaskRepo, Transaction.Transaction, StatisticsRepo.StatisticsRepo])
  )
  const run = <A>(effect: Effect.Effect<A, unknown, never>) => runtime.runPromise(Effect.orDie(effect))
  return {
    batch: (groups) =>
      run(timeEachEffect(groups, (chunk) => tx.run(Effect.forEach(chunk, repo.insert, { discard: true })))),
    single: (tasks) => run(timeEachEffect(tasks, repo.insert)),
    reads: (ids) => run(timeEachEffect(ids, repo.findById)),
    pages: (queries) =>
      run(
        timeEachEffect(queries, (q) =>
          repo.list({
            filter: new TaskQuery.TaskFilter({ status: [q.status], assigneeId: q.assignee }),
            visibility: { _tag: "All" },
            sort: "created",
            order: "desc",
            after: Option.none(),
            limit: 50,
            now
          })
        )
      ),
    statistics: () => run(timeEachEffect([1, 2, 3], () => statistics.tasks(statisticsRange, now))),
    close: () => runtime.dispose()
  }
}

/**
 * Runs the phases of the layer and of the raw driver alternately, phase by phase, so both see the
 * same machine: this one is shared, and its load drifts within a run.
 */
const measure = async (layer: Phases, raw: Phases | undefined) => {
  const bulk = makeTasks(`b${run}`, total, 1)
  const groups = chunks(bulk, 100)
  const extra = makeTasks(`s${run}`, singles, 2)
  const r = random(3)
  const ids = Array.from({ length: reads }, () => bulk[Math.floor(r() * bulk.length)]!.id)
  const queries = pageQueries(pages)
  const both = async (phase: (p: Phases) => Promise<Timed>) => {
    const rawTimed = raw === undefined ? undefined : await phase(raw)
    return [await phase(layer), rawTimed] as const
  }
  const [batch, rawBatch] = await both((p) => p.batch(groups))
  const [single, rawSingle] = await both((p) => p.single(extra))
  const [point, rawPoint] = await both((p) => p.reads(ids))
  const [page, rawPage] = await both((p) => p.pages(queries))
  const [stats, rawStats] = await both((p) => p.statistics())
  await layer.close()
  await raw?.close()
  const figures = (b: Timed, s: Timed, p: Timed, l: Timed, st: Timed): Figures => ({
    batchPerSecond: b.perSecond * 100,
    singlePerSecond: s.perSecond,
    readsPerSecond: p.perSecond,
    pagesPerSecond: l.perSecond,
    pageP50: percentile(l.sorted, 50),
    pageP99: percentile(l.sorted, 99),
    statisticsMs: percentile(st.sorted, 50)
  })
  return {
    layer: figures(batch, single, point, page, stats),
    raw: raw === undefined ? undefined : figures(rawBatch!, rawSingle!, rawPoint!, rawPage!, rawStats!)
  }
}

// ---------------------------------------------------------------------------------------------
// The raw drivers, doing the same SQL by hand.

const encodeRow = Schema.encodeSync(TaskRow)
const columns = Object.keys(encodeRow(makeTasks("x", 1, 9)[0]!))
const allColumns = [...columns, "priority_rank", "title_search", "description_search"]
const rawValues = (task: Task.Task): Array<unknown> => [
  task.id,
  task.title,
  task.description,
  task.status,
  task.priority,
  JSON.stringify(task.assigneeIds),
  task.createdBy,
  Option.getOrNull(task.projectId),
  Option.match(task.dueAt, { onNone: () => null, onSome: DateTime.toEpochMillis }),
  JSON.stringify(task.tags),
  DateTime.toEpochMillis(task.createdAt),
  DateTime.toEpochMillis(task.updatedAt),
  Option.match(task.completedAt, { onNone: () => null, onSome: DateTime.toEpochMillis }),
  task.version,
  Task.priorityRank[task.priority],
  task.title.toLowerCase(),
  task.description.toLowerCase()
]
const quoted = (names: ReadonlyArray<string>) => names.map((c) => `"${c}"`).join(", ")
const listSql = (placeholder: (i: number) => string) =>
  `SELECT ${columns.map((c) => `t.${c}`).join(", ")} FROM task_assignees a JOIN tasks t ON t.id = a.task_id
   WHERE a.status IN (${placeholder(1)}) AND a.user_id = ${placeholder(2)}
   ORDER BY a.created_at DESC, a.task_id DESC LIMIT ${placeholder(3)}`
/**
 * The statements of `StatisticsRepo.tasks`, as the layer sends them (p1: from, p2: to, p3: now);
 * `key` is the alias `key` as the dialect quotes it (a reserved word in MySQL).
 */
const statisticsSql = (p: (i: number) => string, key = "key") => {
  const counted = (column: string) => `
    SELECT ${column} AS ${key}, 1 AS c, 0 AS d, 0 AS o FROM tasks WHERE created_at >= ${p(1)} AND created_at < ${p(2)}
    UNION ALL SELECT ${column}, 0, 1, 0 FROM tasks WHERE status = 'done' AND completed_at >= ${p(1)} AND completed_at < ${p(2)}
    UNION ALL SELECT ${column}, 0, 0, 1 FROM tasks WHERE status IN ('todo', 'in_progress') AND due_at >= ${p(1)} AND due_at < ${p(2)} AND due_at < ${p(3)}`
  const sums = "SUM(f.c) AS created, SUM(f.d) AS completed, SUM(f.o) AS overdue"
  return [
    `SELECT f.${key} AS ${key}, ${sums} FROM (${counted("project_id")}) f GROUP BY f.${key}`,
    `SELECT a.user_id AS ${key}, ${sums} FROM (${counted("id")}) f JOIN task_assignees a ON a.task_id = f.${key} GROUP BY a.user_id`,
    `SELECT COUNT(*) AS count FROM assignments WHERE created_at >= ${p(1)} AND created_at < ${p(2)}`,
    `SELECT assignee_id, SUM(CASE WHEN status = 'rejected' THEN 0 ELSE 1 END) AS accepted,
       SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS rejected
     FROM assignments WHERE responded_at >= ${p(1)} AND responded_at < ${p(2)} GROUP BY assignee_id`,
    `SELECT id, task_id, assignee_id, rejection_reason, responded_at FROM assignments
     WHERE status = 'rejected' AND responded_at >= ${p(1)} AND responded_at < ${p(2)} ORDER BY responded_at, id`
  ]
}

/** The named parameters a statement uses (better-sqlite3 refuses unused ones). */
const pick = (statement: Database.Statement, params: Record<string, number>) =>
  Object.fromEntries(Object.entries(params).filter(([name]) => statement.source.includes(`@${name}`)))

const rawSqlitePhases = (filename: string): Phases => {
  const db = new Database(filename)
  db.pragma("journal_mode = WAL")
  db.pragma("busy_timeout = 5000")
  db.pragma("foreign_keys = ON")
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`)
  const insert = db.prepare(
    `INSERT INTO tasks (${quoted(allColumns)}) VALUES (${allColumns.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING RETURNING id`
  )
  const insertBatch = db.transaction((tasks: ReadonlyArray<Task.Task>) => {
    for (const task of tasks) insert.all(...rawValues(task))
  })
  const findById = db.prepare(`SELECT ${columns.join(", ")} FROM tasks WHERE id = ?`)
  const list = db.prepare(listSql(() => "?"))
  const stats = statisticsSql((i) => `@p${i}`).map((text) => db.prepare(text))
  const params = {
    p1: DateTime.toEpochMillis(statisticsRange.from),
    p2: DateTime.toEpochMillis(statisticsRange.to),
    p3: DateTime.toEpochMillis(now)
  }
  return {
    batch: (groups) => timeEach(groups, (chunk) => insertBatch(chunk)),
    single: (tasks) => timeEach(tasks, (task) => insert.all(...rawValues(task))),
    reads: (ids) => timeEach(ids, (id) => findById.get(id)),
    pages: (queries) => timeEach(queries, (q) => list.all(q.status, q.assignee, 50)),
    statistics: () =>
      timeEach([1, 2, 3], () =>
        db.transaction(() => stats.map((statement) => statement.all(pick(statement, params))))()
      ),
    close: async () => {
      db.close()
    }
  }
}

const rawPgPhases = (schema: string): Phases => {
  const pool = new Pg.Pool({ connectionString: pgUrl, max: 10, options: `-c search_path=${schema}` })
  const insertSql = `INSERT INTO tasks (${quoted(allColumns)}) VALUES (${allColumns.map((_, i) => `$${i + 1}`).join(", ")}) ON CONFLICT DO NOTHING RETURNING id`
  const findSql = `SELECT ${columns.join(", ")} FROM tasks WHERE id = $1`
  const list = listSql((i) => `$${i}`)
  const stats = statisticsSql((i) => `$${i}`)
  const params = [
    DateTime.toEpochMillis(statisticsRange.from),
    DateTime.toEpochMillis(statisticsRange.to),
    DateTime.toEpochMillis(now)
  ]
  const inTransaction = async (begin: string, f: (client: Pg.PoolClient) => Promise<void>) => {
    const client = await pool.connect()
    try {
      await client.query(begin)
      await f(client)
      await client.query("COMMIT")
    } finally {
      client.release()
    }
  }
  return {
    batch: (groups) =>
      timeEach(groups, (chunk) =>
        inTransaction("BEGIN", async (client) => {
          for (const task of chunk) await client.query(insertSql, rawValues(task))
        })
      ),
    single: (tasks) => timeEach(tasks, (task) => pool.query(insertSql, rawValues(task))),
    reads: (ids) => timeEach(ids, (id) => pool.query(findSql, [id])),
    pages: (queries) => timeEach(queries, (q) => pool.query(list, [q.status, q.assignee, 50])),
    statistics: () =>
      timeEach([1, 2, 3], () =>
        inTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ", async (client) => {
          for (const text of stats) {
            const used = [1, 2, 3].filter((i) => text.includes(`$${i}`))
            await client.query(
              text,
              used.map((i) => params[i - 1])
            )
          }
        })
      ),
    close: () => pool.end()
  }
}

/**
 * mysql2 with a pool, prepared statements (`execute`, as the client sends them) and the layer's
 * connection settings. The insert is a plain INSERT, as the layer's on MySQL (a duplicate fails it).
 */
const rawMysqlPhases = (url: string): Phases => {
  const pool = Mysql.createPool({
    uri: url,
    connectionLimit: 10,
    charset: "UTF8MB4_BIN",
    decimalNumbers: true,
    supportBigNumbers: true,
    namedPlaceholders: true
  })
  const insertSql = `INSERT INTO tasks (${allColumns.join(", ")}) VALUES (${allColumns.map(() => "?").join(", ")})`
  const findSql = `SELECT ${columns.join(", ")} FROM tasks WHERE id = ?`
  const list = listSql(() => "?")
  const stats = statisticsSql((i) => `:p${i}`, "`key`")
  const params = {
    p1: DateTime.toEpochMillis(statisticsRange.from),
    p2: DateTime.toEpochMillis(statisticsRange.to),
    p3: DateTime.toEpochMillis(now)
  }
  const inTransaction = async (f: (connection: Mysql.PoolConnection) => Promise<void>) => {
    const connection = await pool.getConnection()
    try {
      await connection.query("BEGIN")
      await f(connection)
      await connection.query("COMMIT")
    } finally {
      connection.release()
    }
  }
  return {
    batch: (groups) =>
      timeEach(groups, (chunk) =>
        inTransaction(async (connection) => {
          for (const task of chunk) await connection.execute(insertSql, rawValues(task) as Array<never>)
        })
      ),
    single: (tasks) => timeEach(tasks, (task) => pool.execute(insertSql, rawValues(task) as Array<never>)),
    reads: (ids) => timeEach(ids, (id) => pool.execute(findSql, [id])),
    pages: (queries) => timeEach(queries, (q) => pool.execute(list, [q.status, q.assignee, 50])),
    statistics: () =>
      timeEach([1, 2, 3], () =>
        inTransaction(async (connection) => {
          for (const text of stats) await connection.execute(text, params)
        })
      ),
    close: () => pool.end()
  }
}

/**
 * Point reads through the stock `@effect/sql-sqlite-node` client instead of the layer's
 * connection: the figure behind using our own (see SqliteDriver.ts). The stock client loads
 * better-sqlite3 12.x, the engine of Node 20 only (SqliteEngine.ts), so it is imported only there.
 */
const stockPointReads = async (filename: string) => {
  const { SqliteClient } = await import("@effect/sql-sqlite-node")
  return Effect.runPromise(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const decode = Schema.decodeUnknown(TaskRow)
      const select = sql.literal(columns.join(", "))
      const r = random(3)
      const ids = Array.from({ length: reads }, () => `b${run}-${String(Math.floor(r() * total)).padStart(7, "0")}`)
      const timed = yield* timeEachEffect(ids, (id) =>
        Effect.flatMap(sql`SELECT ${select} FROM tasks WHERE id = ${id}`, (rows) => decode(rows[0]))
      )
      return timed.perSecond
    }).pipe(Effect.provide(Layer.merge(SqliteClient.layer({ filename }), Layer.setTracerEnabled(false))), Effect.orDie)
  )
}

// ---------------------------------------------------------------------------------------------
// Setting up and printing.

const migrateSqlite = (filename: string) =>
  Effect.runPromise(Effect.provide(Migrations.run, SqlStorage.clientSqlite({ filename })).pipe(Effect.orDie))

const pgAdmin = async (text: string) => {
  const client = new Pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

const mysqlAdmin = async (text: string) => {
  const connection = await Mysql.createConnection({ uri: mysqlUrl, connectTimeout: 3000 })
  try {
    await connection.query(text)
  } finally {
    await connection.end()
  }
}

/** `mysqlUrl` with another database. */
const mysqlDatabaseUrl = (database: string) => {
  const url = new URL(mysqlUrl)
  url.pathname = `/${database}`
  return url.toString()
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2))

const report = (name: string, layer: Figures, raw: Figures | undefined) => {
  const rows: Array<[string, (f: Figures) => number, boolean]> = [
    ["inserts/s, single", (f) => f.singlePerSecond, true],
    ["inserts/s, batches of 100", (f) => f.batchPerSecond, true],
    ["point reads/s", (f) => f.readsPerSecond, true],
    ["list pages/s (status + assignee, 50 rows)", (f) => f.pagesPerSecond, true],
    ["list page p50 ms", (f) => f.pageP50, false],
    ["list page p99 ms", (f) => f.pageP99, false],
    ["task statistics ms", (f) => f.statisticsMs, false]
  ]
  console.log(`\n## ${name}`)
  console.log(`| measure | layer | raw driver | layer / raw |`)
  console.log(`|---|---|---|---|`)
  for (const [label, get, higherIsBetter] of rows) {
    const ratio = raw === undefined ? "" : higherIsBetter ? (get(layer) / get(raw)).toFixed(2) : ""
    console.log(`| ${label} | ${fmt(get(layer))} | ${raw === undefined ? "—" : fmt(get(raw))} | ${ratio} |`)
  }
}

const main = async () => {
  console.log(
    `# Storage benchmark: ${total.toLocaleString("en-US")} tasks, ${singles} single inserts, ${reads} point reads, ${pages} list pages; one operation at a time`
  )
  const dir = tmpdir()
  const files = [join(dir, `taskdesk-bench-${run}.sqlite`), join(dir, `taskdesk-bench-raw-${run}.sqlite`)] as const
  const only = process.env.BENCH_ONLY?.split(",")
  const wants = (name: string) => only === undefined || only.includes(name)
  try {
    if (wants("memory")) {
      const { layer } = await measure(await layerPhases(MemoryStorage.layer), undefined)
      report("in-memory layer", layer, undefined)
    }
    if (wants("sqlite")) {
      await migrateSqlite(files[1])
      const { layer, raw } = await measure(
        await layerPhases(SqlStorage.layerSqlite({ filename: files[0], synchronous })),
        rawSqlitePhases(files[1])
      )
      report(
        `SQLite layer (file, WAL, synchronous=${synchronous.toUpperCase()}) vs better-sqlite3 prepared statements`,
        layer,
        raw
      )
      if (engine === "better-sqlite3") {
        const stock = await stockPointReads(files[0])
        console.log(
          `| point reads/s through @effect/sql-sqlite-node's client (same SQL and decode, for comparison) | ${fmt(stock)} | ${fmt(raw!.readsPerSecond)} | ${(stock / raw!.readsPerSecond).toFixed(2)} |`
        )
      } else console.log(`\n(@effect/sql-sqlite-node's client skipped: it loads better-sqlite3 12.x, not ${engine})`)
    }
    if (wants("pg")) {
      const reachable = await pgAdmin("SELECT 1").then(
        () => true,
        () => false
      )
      if (!reachable) console.log(`\n## PostgreSQL: skipped, ${pgUrl} is unreachable`)
      else {
        const schemas = [`bench_${run}`, `bench_raw_${run}`] as const
        for (const schema of schemas) await pgAdmin(`CREATE SCHEMA ${schema}`)
        try {
          await Effect.runPromise(
            Effect.provide(Migrations.run, SqlStorage.clientPg({ url: pgUrl, schema: schemas[1] })).pipe(Effect.orDie)
          )
          const { layer, raw } = await measure(
            await layerPhases(SqlStorage.layerPg({ url: pgUrl, schema: schemas[0] })),
            rawPgPhases(schemas[1])
          )
          report("PostgreSQL layer vs pg with a pool", layer, raw)
        } finally {
          for (const schema of schemas) await pgAdmin(`DROP SCHEMA ${schema} CASCADE`)
        }
      }
    }
    if (wants("mysql")) {
      const reachable = await mysqlAdmin("SELECT 1").then(
        () => true,
        () => false
      )
      if (!reachable) console.log(`\n## MySQL: skipped, ${mysqlUrl} is unreachable`)
      else {
        const databases = [`taskdesk_bench_${run}`, `taskdesk_bench_raw_${run}`] as const
        for (const database of databases) await mysqlAdmin(`CREATE DATABASE ${database}`)
        try {
          const rawUrl = mysqlDatabaseUrl(databases[1])
          await Effect.runPromise(
            Effect.provide(Migrations.run, SqlStorage.clientMysql({ url: rawUrl })).pipe(Effect.orDie)
          )
          const { layer, raw } = await measure(
            await layerPhases(SqlStorage.layerMysql({ url: mysqlDatabaseUrl(databases[0]) })),
            rawMysqlPhases(rawUrl)
          )
          const [version] = (await Mysql.createConnection({ uri: mysqlUrl }).then(async (c) => {
            const [rows] = await c.query("SELECT VERSION() AS v")
            await c.end()
            return rows
          })) as Array<{ v: string }>
          report(`MySQL layer (${version?.v ?? "server"}) vs mysql2 with a pool`, layer, raw)
        } finally {
          for (const database of databases) await mysqlAdmin(`DROP DATABASE IF EXISTS ${database}`)
        }
      }
    }
  } finally {
    for (const file of files) for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true })
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
