// taskdesk inside an existing Express app: the API under /tasks-api behind a Node handler, the host's own
// users (its session cookie mapped to taskdesk actors), its own policy, a job and a notification channel.
// `pnpm example embed-in-express` runs a short demonstration against itself; `--serve` keeps it running.
import type { AddressInfo } from "node:net"
import { HttpServerRequest } from "@effect/platform"
import { Actor, Ids, JobHandlers, Notifications, Policy, Scheduler, Tasks, type User, Users } from "@taskdesk/core"
import { App, Authentication, Config, Problem } from "@taskdesk/http"
import { Effect, Exit, Layer, ManagedRuntime, Option, Schema, Scope } from "effect"
import express from "express"

// The host's own sessions: cookie value → username (its login page would fill this).
const sessions = new Map(Object.entries({ "s-alice": "alice", "s-bob": "bob" }))
const accounts = new Map<string, User.User>()

// The host's session becomes the taskdesk actor.
const HostSessions = Layer.succeed(Authentication.Authentication, {
  bearer: () =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const user = accounts.get(sessions.get(request.cookies.host_session ?? "") ?? "")
      if (user === undefined) return yield* new Problem.Unauthorized({ reason: "sign in to the host first" })
      return new Actor.Actor({ id: user.id, role: user.role })
    })
})

// The host's policy: the default rules, except that workers may not comment.
const { "task.comment": _, ...worker } = Policy.defaultRules.worker
const HostPolicy = Policy.Policy.layer({ ...Policy.defaultRules, worker })

// A channel of the host's own: here a list its pages would show.
const outbox: Array<string> = []
const HostInbox = Layer.succeed(Notifications.NotificationChannel, {
  name: "host-inbox",
  deliver: (n) => Effect.sync(() => void outbox.push(n.subject))
})

// A job of the host's own: reports the overdue tasks.
const overdue = Effect.map(Tasks.Tasks, (tasks) =>
  JobHandlers.make({
    name: "host-overdue",
    parameters: Schema.Struct({}),
    run: () => Effect.map(tasks.list({ overdue: true }), (page) => `${page.items.length} overdue`)
  })
)

// taskdesk's services live as long as the host's process; the core is used directly through it.
const taskdesk = ManagedRuntime.make(App.layerInMemory({ policy: HostPolicy, jobs: [overdue], channel: HostInbox }))
const asSystem = <A, E>(effect: Effect.Effect<A, E, App.Requirements | Actor.CurrentActor>) =>
  taskdesk.runPromise(Actor.asSystem(effect))

for (const [username, role] of [
  ["alice", "manager"],
  ["bob", "worker"]
] as const) {
  const user = await asSystem(Effect.flatMap(Users.Users, (u) => u.create({ name: username, username, role })))
  accounts.set(username, user)
}
const settings = Config.make({ logging: { requests: false } })
const scope = Effect.runSync(Scope.make()) // the API lives until the host closes it
const handler = await taskdesk.runPromise(
  Scope.extend(App.toNodeHandler(settings, { authentication: HostSessions }), scope)
)

const host = express()
host.get("/", (_request, response) => void response.send("the host's home page"))
host.use("/tasks-api", (request, response) => handler(request, response))
const server = host.listen(process.argv.includes("--serve") ? 8080 : 0)
await new Promise((resolve) => server.once("listening", resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

type Reply = { id: string; items: Array<{ title: string }> }
const call = async <A = Reply>(session: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(base + path, {
    method,
    headers: { cookie: `host_session=${session}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  console.log(`${sessions.get(session) ?? "nobody"} ${method} ${path} -> ${response.status}`)
  return (await response.json()) as A
}

if (!process.argv.includes("--serve")) {
  console.log(await (await fetch(base)).text())
  await call("none", "GET", "/tasks-api/api/tasks")
  const task = await call("s-alice", "POST", "/tasks-api/api/tasks", { title: "Call the client" })
  const bob = accounts.get("bob")!
  const items = [{ taskId: task.id, assigneeId: bob.id }]
  const [offer] = await call<Array<{ id: string }>>("s-alice", "POST", "/tasks-api/api/assignments", { items })
  await call("s-bob", "POST", `/tasks-api/api/assignments/${offer!.id}/accept`)
  await call("s-bob", "POST", `/tasks-api/api/tasks/${task.id}/comments`, { body: "on it" }) // the host's policy: 403
  console.log(`tasks: ${(await call("s-bob", "GET", "/tasks-api/api/tasks")).items.map((t) => t.title).join(", ")}`)
  await asSystem(Effect.flatMap(Notifications.Notifications, (n) => n.deliverPending()))
  console.log(`inbox: ${outbox.join(", ")}`)
  const id = Ids.JobId.make("overdue")
  const every = { _tag: "Interval", everySeconds: 3600 } as const
  await asSystem(Effect.flatMap(Scheduler.Scheduler, (s) => s.define({ id, handler: "host-overdue", schedule: every })))
  const run = await asSystem(Effect.flatMap(Scheduler.Scheduler, (s) => s.runNow(id, { wait: true })))
  console.log(`job ${run.status}: ${Option.getOrElse(run.summary, () => "")}`)
  server.close()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await taskdesk.dispose()
}
