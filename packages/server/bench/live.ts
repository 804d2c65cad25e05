/**
 * `pnpm --filter @taskdesk/server bench:live`: live events to many WebSocket subscribers. Starts the
 * server on a fresh SQLite database, connects one subscriber (the baseline) and then `--clients`
 * more (1,000) over loopback, and writes tasks at a steady `--rate` (20 a second) for `--seconds`
 * (20) in each phase. Prints the delivery latency (the event's `at`, stamped when it is recorded
 * in the transaction, to its arrival at a subscriber: commit, fan-out, filtering, JSON and the socket),
 * p50/p99/max, events delivered against expected, and the server's resident memory sampled every
 * second (idle, with the subscribers, its drift during the phase). Never fails a build.
 *
 * Options: --clients <n> (1000) --rate <writes/s> (20) --seconds <n> (20)
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { openWs, type WsClient } from "../test/liveClients.js"
import { adminPassword, cpuSeconds, postJson, referenceServerEnv, startServer, stopServer } from "./Support.js"

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback)
}
const clients = Number(arg("clients", "1000"))
const rate = Number(arg("rate", "20"))
const seconds = Number(arg("seconds", "20"))
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-live-"))

const { child, url } = await startServer(
  [
    ...(process.env.LIVE_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.LIVE_PROFILE}`] : []),
    "src/main.ts",
    "serve",
    "--port",
    "5197"
  ],
  {
    cwd: Path.join(import.meta.dirname, ".."),
    env: { ...referenceServerEnv(dir), TASKDESK_SCHEDULER_ENABLED: "false" }
  }
)

/** Resident set size of the server process in MiB, from /proc. */
const rss = () => {
  const status = Fs.readFileSync(`/proc/${child.pid}/status`, "utf8")
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

const token = String(
  (await postJson(`${url}/api/auth/login`, undefined, { username: "admin", password: adminPassword })).accessToken
)
const ws = `${url.replace("http", "ws")}/api/ws?type=task.created`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Latencies in ms, recorded by every subscriber for every event of the phase. */
let latencies: Array<number> = []
let delivered = 0
let measuring = false
const subscribe = async (): Promise<WsClient> => {
  const client = await openWs(ws, { authorization: `Bearer ${token}` })
  client.socket.removeAllListeners("message")
  client.socket.on("message", (data) => {
    if (!measuring) return
    // Only the stamp is read: parsing 1,000 copies of each event would make this process the bottleneck.
    const text = String(data)
    const at = text.indexOf('"at":"')
    latencies.push(Date.now() - Date.parse(text.slice(at + 6, text.indexOf('"', at + 6))))
    delivered++
  })
  return client
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!

/** Writes at the rate for the phase, sampling memory each second; prints the phase's figures. */
const phase = async (name: string, subscribers: number) => {
  latencies = []
  delivered = 0
  await sleep(500)
  measuring = true
  const samples: Array<number> = []
  const interval = 1000 / rate
  const started = performance.now()
  const cpuBefore = cpuSeconds(child.pid)
  let writes = 0
  let nextSample = started
  while (performance.now() - started < seconds * 1000) {
    const due = started + writes * interval
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    await postJson(`${url}/api/tasks`, token, { title: `live ${name} ${writes}` })
    writes++
    if (performance.now() >= nextSample) {
      samples.push(rss())
      nextSample += 1000
    }
  }
  // Let the last events arrive.
  await sleep(1000)
  measuring = false
  const cpuAfter = cpuSeconds(child.pid)
  const sorted = [...latencies].sort((a, b) => a - b)
  const figures = {
    subscribers,
    writes,
    writesPerSecond: Math.round((writes / ((performance.now() - started - 1000) / 1000)) * 10) / 10,
    delivered,
    expected: writes * subscribers,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1],
    serverCpuUsPerDelivery:
      cpuBefore === undefined || cpuAfter === undefined || delivered === 0
        ? undefined
        : Math.round(((cpuAfter - cpuBefore) * 1e6) / delivered),
    rssFirstMiB: Math.round(samples[0]! * 10) / 10,
    rssLastMiB: Math.round(samples[samples.length - 1]! * 10) / 10,
    rssMaxMiB: Math.round(Math.max(...samples) * 10) / 10
  }
  console.log(`${name}: ${JSON.stringify(figures)}`)
  return figures
}

const idle = rss()
console.log(`server idle: ${idle.toFixed(1)} MiB resident`)
const first = [await subscribe()]
const baseline = await phase("baseline (1 subscriber)", 1)

const connecting = performance.now()
const many: Array<WsClient> = []
for (let i = 0; i < clients; i += 50) {
  many.push(...(await Promise.all(Array.from({ length: Math.min(50, clients - i) }, subscribe))))
}
console.log(`${clients} subscribers connected in ${Math.round(performance.now() - connecting)} ms`)
const connected = rss()
console.log(
  `server with ${clients + 1} subscribers: ${connected.toFixed(1)} MiB resident (${(((connected - idle) * 1024) / clients).toFixed(1)} KiB a connection over idle)`
)
const loaded = await phase(`${clients + 1} subscribers`, clients + 1)
console.log(
  `p99 ${loaded.p99Ms} ms against ${baseline.p99Ms} ms with one subscriber (target < 100 ms); ` +
    `memory drift during the phase ${(loaded.rssLastMiB - loaded.rssFirstMiB).toFixed(1)} MiB`
)

for (const client of [...first, ...many]) client.close()
await stopServer(child)
Fs.rmSync(dir, { recursive: true, force: true })
