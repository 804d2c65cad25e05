/**
 * `pnpm --filter @taskdesk/server bench:memory`: the server's resident memory under a mixed load.
 * Starts the server on a fresh SQLite database, seeds 2,000 tasks, warms up for 30 s, then runs a
 * 90/10 read/write mix (16 connections) for 5 minutes while sampling the server's RSS every 10 s.
 * Prints the samples, the drift from the first warm sample to the last, and the drift of the floor
 * (the least sample of the first half against that of the second): single samples land anywhere
 * on the collector's sawtooth, the floor shows whether what stays alive grows. Never fails a build.
 *
 * Options: --minutes <n> (5) --warmup <s> (30)
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import autocannon from "autocannon"
import { adminPassword, postJson, referenceServerEnv, startServer, stopServer } from "./Support.js"

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback)
}
const minutes = Number(arg("minutes", "5"))
const warmup = Number(arg("warmup", "30"))
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-memory-"))

const { child, url } = await startServer(["src/main.ts", "serve", "--port", "5183"], {
  cwd: Path.join(import.meta.dirname, ".."),
  env: referenceServerEnv(dir)
})

/** Resident set size of the server process in MiB, from /proc. */
const rss = () => {
  const status = Fs.readFileSync(`/proc/${child.pid}/status`, "utf8")
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

const post = (path: string, token: string | undefined, body: unknown) => postJson(`${url}${path}`, token, body)

const token = String(
  (await post("/api/auth/login", undefined, { username: "admin", password: adminPassword })).accessToken
)
const ids: Array<string> = []
for (let i = 0; i < 2_000; i++)
  ids.push(String((await post("/api/tasks", token, { title: `Task ${i}`, tags: ["m"] })).id))

let created = 0
const mix = (seconds: number) =>
  autocannon({
    url,
    connections: 16,
    duration: seconds,
    requests: [
      {
        setupRequest: (r) =>
          Math.random() < 0.9
            ? {
                ...r,
                method: "GET",
                path: `/api/tasks/${ids[Math.floor(Math.random() * ids.length)]}`,
                headers: { authorization: `Bearer ${token}` }
              }
            : {
                ...r,
                method: "POST",
                path: "/api/tasks",
                headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
                body: JSON.stringify({ title: `Load ${created++}` })
              }
      }
    ]
  })

await mix(warmup)
const samples: Array<number> = [rss()]
const timer = setInterval(() => samples.push(rss()), 10_000)
const result = await mix(minutes * 60)
clearInterval(timer)
samples.push(rss())
await stopServer(child)
Fs.rmSync(dir, { recursive: true, force: true })

const first = samples[0]!
const last = samples[samples.length - 1]!
console.log(`RSS under a 90/10 mix, ${minutes} min after ${warmup} s of warm-up (${result.requests.average} rps):`)
console.log(`  samples (MiB, every 10 s): ${samples.map((s) => s.toFixed(0)).join(" ")}`)
console.log(
  `  first ${first.toFixed(1)}, last ${last.toFixed(1)}, min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)}; drift ${(((last - first) / first) * 100).toFixed(1)}%`
)
const half = Math.floor(samples.length / 2)
const floorBefore = Math.min(...samples.slice(0, half))
const floorAfter = Math.min(...samples.slice(half))
console.log(
  `  floor: ${floorBefore.toFixed(1)} in the first half, ${floorAfter.toFixed(1)} in the second; drift ${(((floorAfter - floorBefore) / floorBefore) * 100).toFixed(1)}%`
)
