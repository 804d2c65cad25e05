/**
 * `pnpm bench` for the HTTP server: seeds tasks through the API, then loads four phases with
 * autocannon — GET one task, a filtered page of 50, create a task, a 90/10 read/write mix — against
 * the taskdesk server and, in the same run, against a plain Fastify + better-sqlite3 server doing the
 * same work (`bench/fastify.ts`). Prints requests per second, p50/p99 and the ratio per phase.
 * Servers run pinned to core 0 and autocannon to core 1 when `taskset` exists. Beside requests per
 * second it prints each server's CPU time per request (Linux), which a noisy neighbour moves far
 * less. Never fails a build.
 *
 * Options: --duration <s> (10) --connections <n> (16) --tasks <n> (10000) --rounds <n> (2) --only taskdesk|fastify
 */
import type { ChildProcess } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import autocannon from "autocannon"
import {
  adminPassword,
  canPin,
  cpuPerRequest,
  cpuSeconds,
  postJson as post,
  referenceServerEnv,
  startServer,
  stopServer
} from "./Support.js"

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback)
}
const duration = Number(arg("duration", "10"))
const connections = Number(arg("connections", "16"))
const taskCount = Number(arg("tasks", "10000"))
const only = arg("only", "")
const rounds = Number(arg("rounds", "2"))
const here = import.meta.dirname
const packageDir = Path.join(here, "..")

/** Starts a server process in this package and waits for the line naming its address. */
const start = (args: ReadonlyArray<string>, env: Record<string, string>) => startServer(args, { cwd: packageDir, env })

const priorities = ["low", "normal", "high", "urgent"]
const taskBody = (i: number) => ({
  title: `Bench task ${i}`,
  priority: priorities[i % 4],
  tags: ["bench", `t${i % 10}`]
})

/** Creates `count` tasks through the API, 16 at a time; their ids. */
const seed = async (base: string, token: string, count: number) => {
  const ids: Array<string> = []
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++
        ids.push(String((await post(`${base}/api/tasks`, token, taskBody(i))).id))
      }
    })
  )
  return ids
}

interface Figures {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
  /** The server's CPU time per request (user + system), where `/proc` tells it. */
  readonly cpuMicros: number | undefined
}

const load = (options: autocannon.Options, pid?: number): Promise<Figures> =>
  new Promise((resolve, reject) => {
    const cpuBefore = cpuSeconds(pid)
    autocannon({ connections, duration, ...options }, (error, result) => {
      if (error) return reject(error)
      const cpuAfter = cpuSeconds(pid)
      resolve({
        rps: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts + result.non2xx,
        cpuMicros: cpuPerRequest(cpuBefore, cpuAfter, result.requests.total)
      })
    })
  })

const phases = (base: string, token: string, ids: ReadonlyArray<string>, pid: number | undefined) => {
  // Headers per request: autocannon would otherwise send a JSON content type with body-less GETs.
  const read = { authorization: `Bearer ${token}` }
  const write = { ...read, "content-type": "application/json" }
  const pick = () => ids[Math.floor(Math.random() * ids.length)]!
  let created = 0
  const get = (r: autocannon.Request) => ({
    ...r,
    method: "GET" as const,
    path: `/api/tasks/${pick()}`,
    headers: read,
    body: undefined
  })
  const create = (r: autocannon.Request) => ({
    ...r,
    method: "POST" as const,
    path: "/api/tasks",
    headers: write,
    body: JSON.stringify(taskBody(taskCount + created++))
  })
  return {
    "GET one task": () => load({ url: base, requests: [{ setupRequest: get }] }, pid),
    "list 50 (status filter)": () =>
      load({ url: base, requests: [{ method: "GET", path: "/api/tasks?status=todo&limit=50", headers: read }] }, pid),
    "create task": () => load({ url: base, requests: [{ setupRequest: create }] }, pid),
    "90/10 read/write": () =>
      load({ url: base, requests: [{ setupRequest: (r) => (Math.random() < 0.9 ? get(r) : create(r)) }] }, pid)
  } as const
}

type Results = Record<string, Figures>

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-bench-"))

interface Target {
  readonly name: "taskdesk" | "fastify"
  readonly child: ChildProcess
  readonly run: ReturnType<typeof phases>
}

/** Starts a server, signs in, seeds it and warms it up. */
const prepare = async (name: Target["name"]): Promise<Target> => {
  const server =
    name === "taskdesk"
      ? await start(["src/main.ts", "serve", "--port", "5181"], referenceServerEnv(Path.join(dir, "taskdesk")))
      : await start(["bench/fastify.ts", "5182", Path.join(dir, "fastify.db")], {})
  const session = await post(
    `${server.url}/api/auth/login`,
    undefined,
    name === "taskdesk" ? { username: "admin", password: adminPassword } : {}
  )
  const token = String(session.accessToken)
  const startedAt = Date.now()
  const ids = await seed(server.url, token, taskCount)
  console.error(`${name}: seeded ${ids.length} tasks in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`)
  await load({
    url: server.url,
    duration: 3,
    headers: { authorization: `Bearer ${token}` },
    requests: [{ path: `/api/tasks/${ids[0]}` }]
  })
  return { name, child: server.child, run: phases(server.url, token, ids, server.child.pid) }
}

const names = (only === "" ? ["taskdesk", "fastify"] : [only]) as ReadonlyArray<Target["name"]>
const targets: Array<Target> = []
for (const name of names) targets.push(await prepare(name))

// Both servers stay up (on the same core) and take turns phase by phase, `rounds` times each: on a
// shared machine the load of the moment then weighs on both sides of a ratio alike. The best round counts.
const all: Record<string, Results> = {}
// The least CPU time a request took over the rounds, per server and phase.
const leastCpu: Record<string, number> = {}
try {
  for (const phase of Object.keys(targets[0]!.run) as Array<keyof Target["run"]>) {
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        const figures = await target.run[phase]()
        const best = all[target.name]?.[phase]
        if (best === undefined || figures.rps > best.rps) all[target.name] = { ...all[target.name], [phase]: figures }
        const cpu = figures.cpuMicros
        if (cpu !== undefined)
          leastCpu[`${target.name} ${phase}`] = Math.min(leastCpu[`${target.name} ${phase}`] ?? cpu, cpu)
        console.error(
          `${target.name}: ${phase} (round ${round + 1}): ${figures.rps} rps, p99 ${figures.p99} ms` +
            (cpu === undefined ? "" : `, ${cpu} µs CPU a request`)
        )
      }
    }
  }
} finally {
  for (const target of targets) await stopServer(target.child)
}

const pad = (s: string, n: number) => s.padEnd(n)
console.log(
  `\nHTTP benchmark: ${connections} connections, ${duration} s a phase, ${taskCount} tasks seeded through the API` +
    (canPin ? "; servers on core 0, autocannon on core 1" : "")
)
console.log(
  `${pad("phase", 26)}${pad("taskdesk rps (p50/p99 ms)", 28)}${pad("fastify rps (p50/p99 ms)", 28)}${pad("ratio", 8)}` +
    "CPU µs a request, taskdesk / fastify (ratio)"
)
for (const phase of Object.keys(all.taskdesk ?? all.fastify ?? {})) {
  const t = all.taskdesk?.[phase]
  const f = all.fastify?.[phase]
  const cell = (x: Figures | undefined) =>
    x ? `${x.rps} (${x.p50}/${x.p99})${x.errors ? ` ${x.errors} err` : ""}` : "-"
  const ratio = t && f && f.rps > 0 ? (t.rps / f.rps).toFixed(2) : "-"
  const tc = leastCpu[`taskdesk ${phase}`]
  const fc = leastCpu[`fastify ${phase}`]
  const cpu = `${tc ?? "-"} / ${fc ?? "-"}${tc && fc ? ` (${(fc / tc).toFixed(2)})` : ""}`
  console.log(`${pad(phase, 26)}${pad(cell(t), 28)}${pad(cell(f), 28)}${pad(ratio, 8)}${cpu}`)
}
Fs.rmSync(dir, { recursive: true, force: true })
