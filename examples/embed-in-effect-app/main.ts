// taskdesk inside an existing Effect HTTP app: the API under /tasks-api, the host's own users (a session
// header mapped to taskdesk actors), its own policy, a job and a notification channel of its own.
// `pnpm example embed-in-effect-app` runs a short demonstration against itself; `--serve` keeps it running.

import { createServer } from "node:http"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Actor, Ids, JobHandlers, Notifications, Policy, Scheduler, Tasks, type User, Users } from "@taskdesk/core"
import { App, Authentication, Config, Problem } from "@taskdesk/http"
import { Effect, Layer, Option, Ref, Schema } from "effect"

const { JobId } = Ids

// The host's users, created in taskdesk at start; the host's session names one by username.
const people = [
  { username: "alice", name: "Alice", role: "manager" },
  { username: "bob", name: "Bob", role: "worker" }
] as const
const accounts = Ref.unsafeMake(new Map<string, User.User>())

// The host's session (here a header its login would set) becomes the taskdesk actor.
const HostSessions = Layer.succeed(Authentication.Authentication, {
  bearer: () =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const user = (yield* Ref.get(accounts)).get(request.headers["x-host-user"] ?? "")
      if (user === undefined) return yield* new Problem.Unauthorized({ reason: "sign in to the host first" })
      return new Actor.Actor({ id: user.id, role: user.role })
    })
})

// The host's policy: the default rules, and workers may also create tasks.
const rules = { ...Policy.defaultRules, worker: { ...Policy.defaultRules.worker, "task.create": ["any"] } } as const

// A channel of the host's own: here its in-app inbox, printed.
const HostInbox = Layer.succeed(Notifications.NotificationChannel, {
  name: "host-inbox",
  deliver: (n) => Effect.sync(() => console.log(`inbox: ${n.subject} (to ${n.recipientId})`))
})

// A job of the host's own: counts the tasks.
const countTasks = Effect.map(Tasks.Tasks, (tasks) =>
  JobHandlers.make({
    name: "host-digest",
    parameters: Schema.Struct({}),
    run: () => Effect.map(tasks.list({}), (page) => `${page.items.length} tasks`)
  })
)

const TaskdeskLive = App.layerInMemory({ policy: Policy.Policy.layer(rules), jobs: [countTasks], channel: HostInbox })

// The host's own router, with taskdesk mounted under /tasks-api, served on Node.
const serve = process.argv.includes("--serve")
const HostLive = Effect.gen(function* () {
  const router = HttpRouter.empty.pipe(HttpRouter.get("/", HttpServerResponse.text("the host's home page")))
  const app = yield* router.pipe(
    App.mount("/tasks-api", Config.make({ logging: { requests: false } }), { authentication: HostSessions })
  )
  const created = yield* Effect.forEach(people, (p) => Effect.flatMap(Users.Users, (u) => u.create(p)))
  yield* Ref.set(accounts, new Map(created.map((u) => [u.username, u])))
  return HttpServer.serve(app)
}).pipe(
  Actor.asSystem,
  Layer.unwrapScoped,
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: serve ? 8080 : 0 }))
)

const demo = Effect.gen(function* () {
  const address = (yield* HttpServer.HttpServer).address
  const base = `http://127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}`
  const call = (who: string, method: string, path: string, body?: unknown) =>
    Effect.promise(async () => {
      const response = await fetch(base + path, {
        method,
        headers: { "x-host-user": who, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      console.log(`${who || "nobody"} ${method} ${path} -> ${response.status}`)
      return (await response.json()) as { id: string; items: Array<{ title: string }> }
    })
  console.log(yield* Effect.promise(() => fetch(base).then((r) => r.text())))
  yield* call("", "GET", "/tasks-api/api/tasks")
  const task = yield* call("alice", "POST", "/tasks-api/api/tasks", { title: "Fix the lift" })
  const bob = (yield* Ref.get(accounts)).get("bob")!
  yield* call("alice", "POST", "/tasks-api/api/assignments", { items: [{ taskId: task.id, assigneeId: bob.id }] })
  yield* call("bob", "POST", "/tasks-api/api/tasks", { title: "Order spare parts" })
  const list = yield* call("alice", "GET", "/tasks-api/api/tasks")
  console.log(`tasks: ${list.items.map((t) => t.title).join(", ")}`)
  yield* Effect.flatMap(Notifications.Notifications, (n) => n.deliverPending())
  const scheduler = yield* Scheduler.Scheduler
  const every = { _tag: "Interval", everySeconds: 3600 } as const
  yield* scheduler.define({ id: JobId.make("digest"), handler: "host-digest", schedule: every })
  const run = yield* scheduler.runNow(JobId.make("digest"), { wait: true })
  console.log(`job ${run.status}: ${Option.getOrElse(run.summary, () => "")}`)
}).pipe(Actor.asSystem)

;(serve ? Layer.launch(HostLive) : Effect.provide(demo, HostLive)).pipe(
  Effect.provide(TaskdeskLive),
  NodeRuntime.runMain
)
