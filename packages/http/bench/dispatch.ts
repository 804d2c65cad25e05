/**
 * `pnpm --filter @taskdesk/http bench:dispatch`: the serving path without the network. The whole
 * server (on a SQLite file) is built in process and its Node request handler is called with stub
 * requests and responses, 16 in flight: GET one task, as the HTTP bench's first phase. Prints CPU
 * µs per request (least and median over rounds), which is what the server adds on top of Node's
 * HTTP parsing and writing. Steadier than the HTTP bench on a shared machine: no sockets, one process.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Actor, Tasks, Users } from "@taskdesk/core"
import { Effect, ManagedRuntime, Redacted } from "effect"
import { Accounts } from "../src/auth/Accounts.js"
import { PasswordHasher } from "../src/auth/PasswordHasher.js"
import * as Config from "../src/Config.js"
import * as Server from "../src/Server.js"
import { NodeServer } from "../src/serve/NodeServe.js"

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

const once = () =>
  new Promise<void>((resolve) => {
    const req = {
      method: "GET",
      url: `/api/tasks/${id}`,
      headers: { host: "127.0.0.1", authorization: `Bearer ${token}` },
      socket: { remoteAddress: "127.0.0.1" }
    }
    let status = 0
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
        if (status !== 200) throw new Error(`status ${status}`)
        resolve()
      },
      on() {}
    }
    handler(req, res)
  })

const batch = async (n: number) => {
  const start = process.cpuUsage()
  // 16 in flight, as the HTTP bench's 16 connections.
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next++ < n) await once()
    })
  )
  const used = process.cpuUsage(start)
  return (used.user + used.system) / n
}

const rounds: Array<number> = []
for (let round = 0; round < 12; round++) {
  const us = await batch(5000)
  // The first rounds warm the JIT up.
  if (round >= 2) rounds.push(us)
}
rounds.sort((a, b) => a - b)
console.log(
  `GET one task in process: least ${rounds[0]!.toFixed(1)}, median ${rounds[rounds.length >> 1]!.toFixed(1)} µs CPU a request`
)
await runtime.dispose()
Fs.rmSync(dir, { recursive: true, force: true })
