/**
 * `pnpm --filter @taskdesk/server bench:dispatch`: the serving path without the network. The whole
 * server (on a SQLite file) is built in process and its Node request handler is called with stub
 * requests and responses, 16 in flight: GET one task, create a task, and a 90/10 mix, as the HTTP
 * bench's phases. Prints CPU µs per request (least and median over rounds), which is what the
 * server adds on top of Node's HTTP parsing and writing. Steadier than the HTTP bench on a shared machine: no sockets, one process.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Readable } from "node:stream"
import { Actor, Tasks, Users } from "@taskdesk/core"
import { Accounts } from "@taskdesk/http/auth/Accounts.js"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import { NodeServer } from "@taskdesk/http/serve/NodeServe.js"
import { Effect, ManagedRuntime, Redacted } from "effect"
import * as Config from "../src/Config.js"
import * as Server from "../src/Server.js"

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-micro-"))
const settings = Config.testSettings({
  data_dir: dir,
  server: { port: 0 },
  logging: { level: "warning", requests: false },
  scheduler: { enabled: false },
  security: { rate_limiting: { requests_per_minute: 0, login_attempts_per_minute: 0 } }
})
const runtime = ManagedRuntime.make(Server.layer(settings, { hasher: PasswordHasher.layerInsecureForTests }))
const { token, id, node } = await runtime.runPromise(
  Effect.gen(function* () {
    const users = yield* Users.Users
    const accounts = yield* Accounts
    const user = yield* users.create({ name: "M", username: "micro", role: "admin" }).pipe(Actor.asSystem)
    yield* accounts.setPassword(user, Redacted.make("correct horse battery"))
    const session = yield* accounts.login({ username: "micro", password: Redacted.make("correct horse battery") })
    const tasks = yield* Tasks.Tasks
    const task = yield* tasks
      .create({ title: "Micro", tags: ["a", "b"] })
      .pipe(Effect.provideService(Actor.CurrentActor, Actor.system))
    return { token: session.accessToken, id: task.id, node: yield* NodeServer }
  }).pipe(Effect.orDie)
)
const handler = node.listeners("request")[0] as (req: unknown, res: unknown) => void

const body = JSON.stringify({ title: "Created in the bench", tags: ["bench"] })

/** One request through the handler: a GET of the task, or a POST creating one. */
const once = (create: boolean) =>
  new Promise<void>((resolve, reject) => {
    const headers = { host: "127.0.0.1", authorization: `Bearer ${token}` }
    const req = create
      ? Object.assign(Readable.from([Buffer.from(body)]), {
          method: "POST",
          url: "/api/tasks",
          headers: { ...headers, "content-type": "application/json", "content-length": String(body.length) },
          socket: { remoteAddress: "127.0.0.1" }
        })
      : { method: "GET", url: `/api/tasks/${id}`, headers, socket: { remoteAddress: "127.0.0.1" } }
    const expected = create ? 201 : 200
    let status = 0
    // Node emits `close` on every response once it is done; the server forgets a request then.
    const closed: Array<() => void> = []
    const res = {
      writableEnded: false,
      headersSent: false,
      writeHead(s: number) {
        status = s
        this.headersSent = true
        return this
      },
      end() {
        this.writableEnded = true
        for (const listener of closed) listener()
        if (status === expected) resolve()
        else reject(new Error(`status ${status}`))
      },
      on(event: string, listener: () => void) {
        if (event === "close") closed.push(listener)
      }
    }
    handler(req, res)
  })

/** CPU µs a request over `n` requests, 16 in flight (as the HTTP bench's 16 connections). */
const batch = async (n: number, writes: number) => {
  const start = process.cpuUsage()
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next++ < n) await once(Math.random() < writes)
    })
  )
  const used = process.cpuUsage(start)
  return (used.user + used.system) / n
}

// `--only <words>` runs the phases whose name contains them (to profile one).
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined
for (const [name, writes, n] of [
  ["GET one task", 0, 5000],
  ["create task", 1, 1000],
  ["90/10 read/write", 0.1, 5000]
] as const) {
  if (only !== undefined && !name.includes(only)) continue
  const rounds: Array<number> = []
  for (let round = 0; round < 10; round++) {
    const us = await batch(n, writes)
    // The first rounds warm the JIT up.
    if (round >= 2) rounds.push(us)
  }
  rounds.sort((a, b) => a - b)
  console.log(
    `${name.padEnd(18)} least ${rounds[0]!.toFixed(1)}, median ${rounds[rounds.length >> 1]!.toFixed(1)} µs CPU a request`
  )
}
await runtime.dispose()
Fs.rmSync(dir, { recursive: true, force: true })
