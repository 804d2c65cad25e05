/**
 * `pnpm --filter @taskdesk/server bench:lean`: the ceiling for a leaner serving path. It starts the
 * reference server, signs in and creates tasks, then starts beside it, on the same SQLite file, a
 * bare `node:http` server that answers `GET /api/tasks/:id` with the same services (the real
 * `Accounts.authenticate` and `Tasks.get`, the same JSON, `ETag` and security headers) in one Effect
 * fiber per request, without `HttpApiBuilder`, the platform's request handling or our middleware.
 * Both are loaded in turns; prints requests per second and CPU time per request (Linux).
 *
 * Run with `--serve <port>` it is that bare server (`TASKDESK_DATA_DIR` names the data directory).
 */
import * as Fs from "node:fs"
import { createServer } from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { Actor, Ids, Tasks } from "@taskdesk/core"
import { Accounts } from "@taskdesk/http/auth/Accounts.js"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import * as Etag from "@taskdesk/http/Etag.js"
import * as Json from "@taskdesk/http/tasks/Json.js"
import autocannon from "autocannon"
import { Effect, Exit, ManagedRuntime, Runtime } from "effect"
import * as Config from "../src/Config.js"
import * as Server from "../src/Server.js"
import {
  adminPassword,
  canPin,
  cpuPerRequest,
  cpuSeconds,
  postJson,
  referenceServerEnv,
  startServer,
  stopServer
} from "./Support.js"

const headers = {
  "content-type": "application/json",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cache-control": "no-store"
}

const serve = async (port: number) => {
  const settings = Config.testSettings({
    data_dir: process.env.TASKDESK_DATA_DIR ?? ".",
    logging: { level: "warning", requests: false },
    scheduler: { enabled: false }
  })
  const runtime = await ManagedRuntime.make(
    Server.layerServices(settings, { hasher: PasswordHasher.layerInsecureForTests })
  ).runtime()
  const runFork = Runtime.runFork(runtime)
  const accounts = Runtime.runSync(runtime)(Accounts)
  const tasks = Runtime.runSync(runtime)(Tasks.Tasks)
  let counter = 0
  createServer((request, response) => {
    const match = /^\/api\/tasks\/([^/?]+)$/.exec(request.url ?? "")
    if (match === null) return response.writeHead(404, headers).end("{}")
    const token = (request.headers.authorization ?? "").replace(/^Bearer\s+/i, "")
    const id = Ids.TaskId.make(decodeURIComponent(match[1]!))
    runFork(
      Effect.flatMap(accounts.authenticate(token), (auth) =>
        Effect.provideService(tasks.get(id), Actor.CurrentActor, auth.actor)
      )
    ).addObserver((exit) => {
      if (Exit.isFailure(exit)) return response.writeHead(404, headers).end('{"status":404}')
      const task = exit.value
      response
        .writeHead(200, { ...headers, etag: Etag.of(task), "x-request-id": `lean-${++counter}` })
        .end(JSON.stringify(Json.task(task)))
    })
  }).listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`))
}

const measure = async () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-lean-"))
  const env = referenceServerEnv(dir)
  const start = async (args: ReadonlyArray<string>) => (await startServer(args, { env })).child
  const here = import.meta.dirname
  const reference = await start([Path.join(here, "../src/main.ts"), "serve", "--port", "5183"])
  const post = (path: string, token: string | undefined, body: unknown) =>
    postJson(`http://127.0.0.1:5183${path}`, token, body)
  const token = String(
    (await post("/api/auth/login", undefined, { username: "admin", password: adminPassword })).accessToken
  )
  const ids: Array<string> = []
  for (let i = 0; i < 500; i++) {
    ids.push(String((await post("/api/tasks", token, { title: `Lean ${i}`, tags: ["bench", `t${i % 10}`] })).id))
  }
  const bare = await start([import.meta.filename, "--serve", "5184"])
  const servers = [
    { name: "reference server", child: reference, port: 5183 },
    { name: "bare fiber path", child: bare, port: 5184 }
  ]
  const best: Record<string, { rps: number; cpu: number | undefined; failed: number }> = {}
  try {
    for (let round = 0; round < 3; round++) {
      for (const server of servers) {
        const before = cpuSeconds(server.child.pid)
        const result = await autocannon({
          url: `http://127.0.0.1:${server.port}`,
          connections: 16,
          duration: 5,
          requests: [
            {
              setupRequest: (r) => ({
                ...r,
                method: "GET",
                path: `/api/tasks/${ids[Math.floor(Math.random() * ids.length)]}`,
                headers: { authorization: `Bearer ${token}` }
              })
            }
          ]
        })
        const cpu = cpuPerRequest(before, cpuSeconds(server.child.pid), result.requests.total)
        const previous = best[server.name]
        best[server.name] = {
          rps: Math.max(previous?.rps ?? 0, Math.round(result.requests.average)),
          cpu: cpu === undefined ? previous?.cpu : Math.min(previous?.cpu ?? cpu, cpu),
          failed: (previous?.failed ?? 0) + result.non2xx + result.errors
        }
      }
    }
  } finally {
    for (const server of servers) await stopServer(server.child, "SIGKILL")
    Fs.rmSync(dir, { recursive: true, force: true })
  }
  console.log(`GET one task, 16 connections, best of 3 rounds of 5 s${canPin ? "; servers on core 0" : ""}`)
  for (const [name, figures] of Object.entries(best)) {
    console.log(
      `${name.padEnd(18)}${String(figures.rps).padEnd(8)} rps  ${figures.cpu ?? "-"} µs CPU a request` +
        (figures.failed > 0 ? `  ${figures.failed} failed` : "")
    )
  }
}

const serveAt = process.argv.indexOf("--serve")
if (serveAt === -1) await measure()
else await serve(Number(process.argv[serveAt + 1]))
