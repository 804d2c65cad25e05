/**
 * `pnpm --filter @taskdesk/server bench:csv` (also run by `pnpm bench`): the CSV export and import.
 *
 * Export: seeds `--tasks` tasks (1,000,000 by default) straight into a SQLite file through the
 * storage layer (or reuses `--db <file>`), in the order they were created unless `--layout shuffled`
 * (creation times at random against the storage order: the worst case for the export's default
 * sort, newest first), starts the server on it, and reads
 * `GET /api/tasks/export.csv` as the administrator to its end twice, sampling the server's resident
 * memory every 50 ms. Prints rows per second and the peak RSS over the idle RSS measured just before
 * each, by tenths of the rows (targets: 50,000 rows/s, peak within 50 MiB of idle). As a baseline in the same run, the same rows read as JSON pages of 200
 * through `GET /api/tasks` (what a client exporting by hand would do).
 *
 * Import: a seed-000-format `tasks.csv` of `--import-rows` rows (100,000 by default) over 50 people
 * of a `users.csv`, checked with `POST /api/import/tasks?dryRun=1`: the time to validate it all
 * (target under 10 s), and the same for `?dryRun=0`, which also writes it in one transaction.
 * Beside each figure, the server's CPU time (from /proc): on a shared machine far steadier than
 * wall-clock rates. `--cpu-prof <dir>` writes the server's CPU profile there when it stops.
 * Never fails a build.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { SqlStorage } from "@taskdesk/adapters"
import { Task, TaskRepo, Transaction, User, UserRepo } from "@taskdesk/core"
import { DateTime, Effect, Option } from "effect"
import { users as benchUsers, makeTasks } from "../../adapters/bench/data.js"
import { adminPassword, cpuSeconds, postJson, referenceServerEnv, startServer, stopServer } from "./Support.js"

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback)
}
const taskCount = Number(arg("tasks", "1000000"))
// `created` (the default): tasks stored in the order they were created, as the API and imports store
// them, so the export's default sort (newest first) walks the table in order. `shuffled`: creation
// times at random against the storage order, the worst case for that sort (each row a page read).
const layout = arg("layout", "created")
if (layout !== "created" && layout !== "shuffled") throw new Error(`--layout created|shuffled, not ${layout}`)
const importRows = Number(arg("import-rows", "100000"))
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-csv-bench-"))
const filename = Path.join(dir, "taskdesk.db")
// Seeding a million tasks takes minutes: `--db` keeps the seeded file for the next run.
const kept = arg("db", "")
if (kept !== "" && Fs.existsSync(kept)) Fs.copyFileSync(kept, filename)

/** The task's times moved so that the `n`th task stored is the `n`th created (180 days over the run). */
const createdAt = (t: Task.Task, n: number) => {
  const created = Date.UTC(2026, 0, 1) + Math.floor((n * 180 * 86_400_000) / taskCount)
  const shift = (at: DateTime.Utc) =>
    DateTime.unsafeMake(DateTime.toEpochMillis(at) - DateTime.toEpochMillis(t.createdAt) + created)
  return {
    createdAt: shift(t.createdAt),
    updatedAt: shift(t.updatedAt),
    dueAt: Option.map(t.dueAt, shift),
    completedAt: Option.map(t.completedAt, shift)
  }
}

const seedStarted = performance.now()
if (!Fs.existsSync(filename)) {
  await Effect.runPromise(
    Effect.gen(function* () {
      const users = yield* UserRepo.UserRepo
      const tasks = yield* TaskRepo.TaskRepo
      const tx = yield* Transaction.Transaction
      const at = DateTime.unsafeMake(Date.UTC(2026, 0, 1))
      for (const [i, id] of benchUsers.entries()) {
        yield* users.insert(
          new User.User({
            id,
            name: `Bench ${i}`,
            username: `bench_${i}`,
            email: Option.none(),
            telegramId: Option.none(),
            dingtalkId: Option.none(),
            role: "worker",
            language: "ru",
            active: true,
            createdAt: at,
            updatedAt: at
          })
        )
      }
      const batch = 10_000
      for (let start = 0; start < taskCount; start += batch) {
        const rows = makeTasks(`csv-${start}`, Math.min(batch, taskCount - start), start + 1).map(
          // The bench data names projects that do not exist; an export reads only the task rows.
          (t, i) =>
            new Task.Task({ ...t, ...(layout === "created" ? createdAt(t, start + i) : {}), projectId: Option.none() })
        )
        yield* tx.run(tasks.insertMany(rows))
      }
    }).pipe(Effect.orDie, Effect.provide(SqlStorage.layerSqlite({ filename })))
  )
  if (kept !== "") Fs.copyFileSync(filename, kept)
  console.log(
    `seeded ${taskCount} tasks (${layout}) into SQLite in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`
  )
}

// `--cpu-prof <dir>` writes the server's CPU profile there when it stops.
const profileDir = arg("cpu-prof", "")
const profile = profileDir === "" ? [] : ["--cpu-prof", "--cpu-prof-dir", Path.resolve(profileDir)]
const { child, url } = await startServer([...profile, "src/main.ts", "serve", "--port", "5184"], {
  cwd: Path.join(import.meta.dirname, ".."),
  env: {
    ...referenceServerEnv(dir),
    TASKDESK_REQUEST_TIMEOUT: "600",
    TASKDESK_SCHEDULER_ENABLED: "false",
    TASKDESK_IMPORT_MAX_BODY_KB: "65536",
    TASKDESK_IMPORT_MAX_ROWS: String(Math.max(importRows, 100_000))
  }
})

/** Resident set size of the server process in MiB, from /proc. */
const rss = () => {
  const status = Fs.readFileSync(`/proc/${child.pid}/status`, "utf8")
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

try {
  const token = String(
    (await postJson(`${url}/api/auth/login`, undefined, { username: "admin", password: adminPassword })).accessToken
  )
  const auth = { authorization: `Bearer ${token}` }
  // Warm the paths once (a small export and a page), then let the collector settle.
  await (await fetch(`${url}/api/tasks/export.csv?status=cancelled&priority=low&tag=visit`, { headers: auth })).text()
  await (await fetch(`${url}/api/tasks?limit=200`, { headers: auth })).text()
  await new Promise((r) => setTimeout(r, 2_000))
  const idle = rss()

  /** Reads one whole export, sampling the server's RSS; the peak over `idle` at each tenth of the rows. */
  const exportOnce = async (idle: number) => {
    let peak = idle
    const trace: Array<number> = []
    const sampler = setInterval(() => {
      peak = Math.max(peak, rss())
    }, 50)
    const started = performance.now()
    const cpuBefore = cpuSeconds(child.pid)
    const response = await fetch(`${url}/api/tasks/export.csv`, { headers: auth })
    let lines = 0
    let bytes = 0
    for await (const chunk of response.body!) {
      bytes += chunk.length
      for (const byte of chunk) if (byte === 10) lines++
      if (lines >= ((trace.length + 1) * taskCount) / 10) trace.push(Math.round(peak - idle))
    }
    const seconds = (performance.now() - started) / 1000
    const cpu = (cpuSeconds(child.pid) ?? Number.NaN) - (cpuBefore ?? Number.NaN)
    clearInterval(sampler)
    return { rows: lines - 1, bytes, seconds, peak, trace, cpu }
  }
  // The first export also fills SQLite's page caches (32 MiB a connection, by configuration) and lets
  // V8 size its heap for the work; the second shows what an export costs once those are in place.
  const first = await exportOnce(idle)
  await new Promise((r) => setTimeout(r, 2_000))
  const warm = rss()
  const second = await exportOnce(warm)
  const { rows, bytes, seconds } = second
  const rate = rows / seconds

  // Baseline: the same rows through the JSON list, page by page.
  const jsonStarted = performance.now()
  const jsonCpuBefore = cpuSeconds(child.pid)
  let jsonRows = 0
  let cursor: string | undefined
  do {
    const page = (await (
      await fetch(`${url}/api/tasks?limit=200${cursor ? `&cursor=${cursor}` : ""}`, { headers: auth })
    ).json()) as { items: Array<unknown>; nextCursor?: string }
    jsonRows += page.items.length
    cursor = page.nextCursor
  } while (cursor !== undefined && jsonRows < Math.min(rows, 200_000))
  const jsonRate = jsonRows / ((performance.now() - jsonStarted) / 1000)
  const jsonCpu = (cpuSeconds(child.pid) ?? Number.NaN) - (jsonCpuBefore ?? Number.NaN)
  // The server's CPU time a row: on a shared machine far steadier than rows a second.
  const perRow = (cpu: number, n: number) => `${((cpu * 1e6) / n).toFixed(1)} µs of server CPU a row`

  console.log(
    `export (${layout}): ${rows} rows (${(bytes / 1_048_576).toFixed(0)} MiB) in ${seconds.toFixed(1)} s = ${Math.round(rate)} rows/s ` +
      `(first export ${Math.round(first.rows / first.seconds)} rows/s; target 50,000); JSON pages of 200: ` +
      `${Math.round(jsonRate)} rows/s over ${jsonRows} rows (CSV ${(rate / jsonRate).toFixed(2)}×)`
  )
  console.log(
    `export CPU: first ${perRow(first.cpu, first.rows)}, second ${perRow(second.cpu, second.rows)}; ` +
      `JSON pages ${perRow(jsonCpu, jsonRows)}`
  )
  const tenths = (trace: ReadonlyArray<number>) => trace.map((m) => `+${m}`).join(" ")
  console.log(
    `export memory: idle ${idle.toFixed(0)} MiB; first export peak +${(first.peak - idle).toFixed(0)} MiB ` +
      `(by tenths of the rows: ${tenths(first.trace)}); idle after it ${warm.toFixed(0)} MiB; second export peak ` +
      `+${(second.peak - warm).toFixed(0)} MiB over that (${tenths(second.trace)}) (target ≤ 50 MiB)`
  )

  // Import: seed 000's columns, people by their users.csv ids.
  const usersCsv = [
    "id,username,telegram_id,role,created_at,updated_at,is_active",
    ...Array.from({ length: 50 }, (_, i) => `${i + 1},seed_${i + 1},,user,2024-01-01 09:00:00,2024-01-01 09:00:00,True`)
  ].join("\r\n")
  const statuses = ["pending", "in_progress", "completed", "cancelled", "new", "done"]
  const priorities = ["low", "medium", "high"]
  const tasksCsv = [
    "id,title,description,status,priority,assigned_to,created_by,due_date,created_at,updated_at",
    ...Array.from(
      { length: importRows },
      (_, i) =>
        `${i + 1},Задача ${i + 1},"Описание, строка ${i + 1}",${statuses[i % statuses.length]},${priorities[i % 3]},` +
        `${(i % 50) + 1},${((i + 7) % 50) + 1},${i % 4 === 0 ? "" : "2024-03-01"},2024-01-15 08:00:00,2024-01-16T10:00:00`
    )
  ].join("\r\n")
  const post = async (path: string, body: string) => {
    const t = performance.now()
    const cpu = cpuSeconds(child.pid)
    const r = await fetch(`${url}${path}`, { method: "POST", headers: { ...auth, "content-type": "text/csv" }, body })
    const text = await r.text()
    if (!r.ok) throw new Error(`${path}: ${r.status} ${text.slice(0, 300)}`)
    return { seconds: (performance.now() - t) / 1000, cpu: (cpuSeconds(child.pid) ?? Number.NaN) - (cpu ?? Number.NaN) }
  }
  const timed = (x: { seconds: number; cpu: number }) =>
    `${x.seconds.toFixed(1)} s (${x.cpu.toFixed(1)} s of server CPU)`
  await post("/api/import/users", usersCsv)
  const dry = await post("/api/import/tasks?dryRun=1", tasksCsv)
  const real = await post("/api/import/tasks", tasksCsv)
  const again = await post("/api/import/tasks?dryRun=1", tasksCsv)
  console.log(
    `import: ${importRows} seed-000 rows (${(tasksCsv.length / 1_048_576).toFixed(1)} MiB): dry run ${timed(dry)} ` +
      `(target < 10 s), real run ${timed(real)}, dry run over the imported rows ${timed(again)}`
  )
} finally {
  await stopServer(child)
  Fs.rmSync(dir, { recursive: true, force: true })
}
