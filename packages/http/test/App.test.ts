import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Actor, Users } from "@taskdesk/core"
import { Context, Effect, Layer, Redacted } from "effect"
import * as App from "../src/App.js"
import { Accounts } from "../src/auth/Accounts.js"
import { PasswordHasher } from "../src/auth/PasswordHasher.js"
import * as Config from "../src/Config.js"

const settings = Config.make({ logging: { level: "error", requests: false } })
const Taskdesk = App.layerInMemory({ hasher: PasswordHasher.layerInsecureForTests })

/** A manager with a password, made through the core and the accounts service. */
const manager = Effect.gen(function* () {
  const user = yield* Users.Users.pipe(
    Effect.flatMap((users) => users.create({ name: "Olga", username: "olga", role: "manager" })),
    Actor.asSystem,
    Effect.orDie
  )
  yield* Effect.flatMap(App.layerServices(settings).pipe(Layer.build), (context) =>
    Effect.provide(
      Effect.flatMap(Accounts, (accounts) => accounts.setPassword(user, Redacted.make("correct horse battery"))),
      context
    )
  ).pipe(Effect.orDie)
})

/** Signs in and creates a task through the API at `base`: the statuses and the task's title. */
const useApi = (base: string) =>
  Effect.promise(async () => {
    const json = { "content-type": "application/json" }
    const anonymous = await fetch(`${base}/api/tasks`)
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ username: "olga", password: "correct horse battery" })
    })
    const { accessToken } = (await login.json()) as { accessToken: string }
    const created = await fetch(`${base}/api/tasks`, {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ title: "Mounted" })
    })
    const task = (await created.json()) as { title: string }
    return { anonymous: anonymous.status, login: login.status, created: created.status, title: task.title }
  })

const expected = { anonymous: 401, login: 200, created: 201, title: "Mounted" }

describe("App: the API in a host", () => {
  it.scopedLive("mounts under a prefix in the host's own router, beside its routes", () =>
    Effect.gen(function* () {
      yield* manager
      const router = HttpRouter.empty.pipe(HttpRouter.get("/", HttpServerResponse.text("host")))
      const app = yield* router.pipe(App.mount("/tasks-api", settings))
      const context = yield* Layer.build(
        HttpServer.serve(app).pipe(Layer.provideMerge(NodeHttpServer.layer(Http.createServer, { port: 0 })))
      )
      const address = Context.get(context, HttpServer.HttpServer).address as HttpServer.TcpAddress
      const base = `http://127.0.0.1:${address.port}`
      assert.strictEqual(yield* Effect.promise(() => fetch(base).then((r) => r.text())), "host")
      assert.deepStrictEqual(yield* useApi(`${base}/tasks-api`), expected)
      // The prefix is the host's: the API is not also at the root.
      assert.strictEqual((yield* Effect.promise(() => fetch(`${base}/api/tasks`))).status, 404)
    }).pipe(Effect.provide(Taskdesk))
  )

  it.scopedLive("serves behind a Node request handler", () =>
    Effect.gen(function* () {
      yield* manager
      const handler = yield* App.toNodeHandler(settings)
      const server = Http.createServer((request, response) => {
        // What Express's `app.use("/tasks-api", handler)` does: strip the prefix.
        request.url = request.url?.replace(/^\/tasks-api/, "") || "/"
        handler(request, response)
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
        () => Effect.sync(() => server.close())
      )
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tasks-api`
      assert.deepStrictEqual(yield* useApi(base), expected)
    }).pipe(Effect.provide(Taskdesk))
  )
})
