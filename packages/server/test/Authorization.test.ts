import { HttpApi, type HttpClient } from "@effect/platform"
import { assert, describe, layer } from "@effect/vitest"
import {
  Actor,
  Assignments,
  Documents,
  type Ids,
  Projects,
  RepairRequests,
  Resolutions,
  type Role,
  Tasks,
  Templates,
  type User
} from "@taskdesk/core"
import { TaskdeskApi } from "@taskdesk/http/Api.js"
import { Accounts } from "@taskdesk/http/auth/Accounts.js"
import { DateTime, Effect } from "effect"
import type * as Server from "../src/Server.js"
import { password, person, raw, serverLayer } from "./support.js"

/**
 * Every endpoint of the API definition × every role (and nobody) → the status the default policy
 * implies. The endpoints come from the definition itself, so one added without a row here fails.
 */

const callers = ["admin", "manager", "worker", "client", "supervisor", "partner", "anonymous"] as const
type Caller = (typeof callers)[number]

/** Expected statuses in the order of `callers`. */
const expect = (statuses: string): Record<Caller, number> => {
  const list = statuses.trim().split(/\s+/).map(Number)
  if (list.length !== callers.length) throw new Error(`expected ${callers.length} statuses in "${statuses}"`)
  return Object.fromEntries(callers.map((c, i) => [c, list[i]!])) as Record<Caller, number>
}

type Person = Effect.Effect.Success<ReturnType<typeof person>>

interface Context {
  readonly people: Record<Role.Role, Person>
  /** Owns the fixtures: a manager nobody else is related to. */
  readonly owner: User.User
  readonly otherWorker: User.User
  readonly otherClient: User.User
}

interface Request {
  readonly path?: Record<string, string>
  readonly query?: string
  readonly body?: unknown
  /** Use this token instead of the caller's (fresh sessions for sign-out, password change). */
  readonly token?: string
  /** Stop at the headers: the response is a stream that does not end. */
  readonly headersOnly?: boolean
}

type Build = (
  ctx: Context,
  caller: Caller,
  me: User.User
) => Effect.Effect<Request, never, Server.Services | HttpClient.HttpClient>

interface Row {
  readonly request: Build
  readonly expect: Record<Caller, number>
}

const as =
  (user: { readonly id: Ids.UserId; readonly role: Role.Role }) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Actor.as(user), Effect.orDie)

const future = DateTime.unsafeMake(Date.UTC(2031, 0, 1))
const none: Build = () => Effect.succeed({})
const id = (value: string) => ({ id: value })

// Fixtures, made through the core as the people who may make them.
const otherTask = (ctx: Context) =>
  Effect.flatMap(Tasks.Tasks, (t) => t.create({ title: "Someone else's task" }).pipe(as(ctx.owner)))
// Clients and supervisors may not be given work: "their" assigned task or assignment is someone else's.
const receivers: ReadonlyArray<Role.Role> = ["admin", "manager", "worker", "partner"]
const receiverFor = (ctx: Context, me: User.User) => (receivers.includes(me.role) ? me : ctx.otherWorker)
const taskAssignedTo = (ctx: Context, me: User.User) =>
  Effect.flatMap(Tasks.Tasks, (t) =>
    t.create({ title: "Assigned task", assigneeIds: [receiverFor(ctx, me).id] }).pipe(as(ctx.owner))
  )
const template = (ctx: Context) =>
  Effect.flatMap(Templates.Templates, (t) => t.create({ title: "A template" }).pipe(as(ctx.owner)))
const assignmentFor = (ctx: Context, me: User.User, accepted = false) =>
  Effect.gen(function* () {
    const assignee = receiverFor(ctx, me)
    const tasks = yield* Tasks.Tasks
    const assignments = yield* Assignments.Assignments
    const task = yield* tasks.create({ title: "Handed out" }).pipe(as(ctx.owner))
    const [made] = yield* assignments
      .batch({ items: [{ taskId: task.id, assigneeId: assignee.id }] })
      .pipe(as(ctx.owner))
    if (accepted) yield* assignments.accept(made!.id).pipe(Actor.as(assignee), Effect.ignore)
    return made!
  })
const project = (ctx: Context) =>
  Effect.flatMap(Projects.Projects, (p) => p.create({ name: "Someone else's project" }).pipe(as(ctx.owner)))
const incoming = (ctx: Context) =>
  Effect.gen(function* () {
    const p = yield* project(ctx)
    const register = yield* Documents.Documents
    const document = yield* register.file({ projectId: p.id, title: "A letter" }).pipe(as(ctx.owner))
    return { project: p, document }
  })
const resolutionTaskFor = (ctx: Context, me: User.User) =>
  Effect.gen(function* () {
    const assignee = receiverFor(ctx, me)
    const { document } = yield* incoming(ctx)
    const resolutions = yield* Resolutions.Resolutions
    const progress = yield* resolutions
      .issue(document.id, { title: "Do it", body: "Please", assigneeIds: [assignee.id], dueAt: future })
      .pipe(as(ctx.owner))
    return progress.task
  })
const technicians: ReadonlyArray<Role.Role> = ["admin", "manager", "worker"]
const fileables: ReadonlyArray<Role.Role> = ["admin", "manager", "client"]
const repair = (
  ctx: Context,
  options: {
    readonly client?: User.User
    readonly technician?: User.User
    readonly status?: "new" | "in_progress" | "completed"
  } = {}
) =>
  Effect.gen(function* () {
    const repairs = yield* RepairRequests.RepairRequests
    const client = options.client ?? ctx.otherClient
    const request = yield* repairs
      .create({ clientId: client.id, deviceType: "Fridge", deviceModel: "X1", problemDescription: "Warm" })
      .pipe(as(ctx.owner))
    if (options.technician === undefined && options.status === undefined) return request
    const technician = options.technician ?? ctx.otherWorker
    yield* repairs.assign(request.id, technician.id).pipe(as(ctx.owner))
    // Worked as the system (an administrator): a manager technician may not work requests themselves.
    if (options.status === "in_progress" || options.status === "completed") {
      yield* repairs.start(request.id).pipe(as(Actor.system))
    }
    if (options.status === "completed") yield* repairs.complete(request.id, "Fixed").pipe(as(Actor.system))
    return request
  })
/** The caller as technician when they can be one, else another worker. */
const technicianFor = (ctx: Context, me: User.User) => (technicians.includes(me.role) ? me : ctx.otherWorker)

const rows: Record<string, Row> = {
  "health.health": { request: none, expect: expect("200 200 200 200 200 200 200") },
  "health.ready": { request: none, expect: expect("200 200 200 200 200 200 200") },
  "storage.counts": { request: none, expect: expect("200 403 403 403 200 403 401") },

  "auth.login": {
    request: (_, caller, me) =>
      Effect.succeed({
        body:
          caller === "anonymous"
            ? { username: "nobody_x", password: "wrong password" }
            : { username: me.username, password }
      }),
    expect: expect("200 200 200 200 200 200 401")
  },
  "auth.refresh": {
    request: (ctx, caller) =>
      Effect.succeed({
        body: {
          refreshToken: caller === "anonymous" ? `tdr_${"x".repeat(43)}` : ctx.people[caller as Role.Role].refreshToken
        }
      }),
    expect: expect("200 200 200 200 200 200 401")
  },
  // Public: the sign-in page asks it before anybody signs in.
  "auth.providers": { request: none, expect: expect("200 200 200 200 200 200 200") },
  "auth.telegram": {
    // No bot token is configured on this server: Telegram sign-in is refused for everybody.
    request: () => Effect.succeed({ body: { id: 1, auth_date: 1, hash: "0".repeat(64) } }),
    expect: expect("401 401 401 401 401 401 401")
  },

  "account.me": { request: none, expect: expect("200 200 200 200 200 200 401") },
  "account.logout": {
    request: (_, caller, me) =>
      caller === "anonymous" ? Effect.succeed({}) : Effect.map(person(me.role), (fresh) => ({ token: fresh.token })),
    expect: expect("204 204 204 204 204 204 401")
  },
  "account.changePassword": {
    request: (_, caller, me) =>
      caller === "anonymous"
        ? Effect.succeed({ body: { currentPassword: password, newPassword: "another long secret" } })
        : Effect.map(person(me.role), (fresh) => ({
            token: fresh.token,
            body: { currentPassword: password, newPassword: "another long secret" }
          })),
    expect: expect("204 204 204 204 204 204 401")
  },

  "tokens.create": {
    request: () => Effect.succeed({ body: { name: "ci" } }),
    expect: expect("201 201 201 201 201 201 401")
  },
  "tokens.list": { request: none, expect: expect("200 200 200 200 200 200 401") },
  "tokens.revoke": {
    // Someone else's token: it does not exist for the caller.
    request: (ctx) =>
      Effect.map(
        Effect.flatMap(Accounts, (a) =>
          a.createApiToken(new Actor.Actor({ id: ctx.owner.id, role: ctx.owner.role }), { name: "x" })
        ),
        ({ stored }) => ({ path: id(stored.id) })
      ),
    expect: expect("404 404 404 404 404 404 401")
  },

  "users.list": { request: none, expect: expect("200 200 200 200 200 200 401") },
  "users.create": {
    request: () =>
      Effect.succeed({
        body: { name: "New", username: `new_${Math.random().toString(36).slice(2, 10)}`, role: "worker" }
      }),
    expect: expect("201 403 403 403 403 403 401")
  },
  "users.get": {
    request: (ctx) => Effect.succeed({ path: id(ctx.otherWorker.id) }),
    expect: expect("200 200 404 404 200 404 401")
  },
  "users.update": {
    request: (ctx) => Effect.succeed({ path: id(ctx.otherClient.id), body: { language: "ru" } }),
    expect: expect("200 403 404 404 403 404 401")
  },
  "users.deactivate": {
    request: () => Effect.map(person("client"), (victim) => ({ path: id(victim.user.id) })),
    expect: expect("200 403 404 404 403 404 401")
  },

  "tasks.list": { request: none, expect: expect("200 200 200 200 200 200 401") },
  "tasks.create": {
    request: () => Effect.succeed({ body: { title: "New task" } }),
    expect: expect("201 201 403 403 403 403 401")
  },
  "tasks.get": {
    request: (ctx) => Effect.map(otherTask(ctx), (t) => ({ path: id(t.id) })),
    expect: expect("200 200 404 404 200 404 401")
  },
  "tasks.update": {
    request: (ctx) => Effect.map(otherTask(ctx), (t) => ({ path: id(t.id), body: { title: "Changed" } })),
    expect: expect("200 200 404 404 403 404 401")
  },
  "tasks.delete": {
    request: (ctx) => Effect.map(otherTask(ctx), (t) => ({ path: id(t.id) })),
    expect: expect("204 204 404 404 403 404 401")
  },
  "tasks.listComments": {
    request: (ctx) => Effect.map(otherTask(ctx), (t) => ({ path: id(t.id) })),
    expect: expect("200 200 404 404 200 404 401")
  },
  "tasks.addComment": {
    // Own: a task the caller is assigned to (workers may comment on those).
    request: (ctx, _, me) => Effect.map(taskAssignedTo(ctx, me), (t) => ({ path: id(t.id), body: { body: "Hi" } })),
    expect: expect("201 201 201 404 403 404 401")
  },
  "tasks.history": {
    request: (ctx, _, me) => Effect.map(taskAssignedTo(ctx, me), (t) => ({ path: id(t.id) })),
    expect: expect("200 200 200 404 200 404 401")
  },

  // No LLM is configured here: whoever may read the task learns that analysis is off.
  "analysis.analyseTask": {
    request: (ctx, _, me) => Effect.map(taskAssignedTo(ctx, me), (t) => ({ path: id(t.id) })),
    expect: expect("503 503 503 404 503 404 401")
  },
  "analysis.analyseRepair": {
    request: (ctx) => Effect.map(repair(ctx), (r) => ({ path: id(r.id) })),
    expect: expect("503 503 404 404 503 404 401")
  },

  "templates.list": { request: none, expect: expect("200 200 200 403 200 200 401") },
  "templates.create": {
    request: () => Effect.succeed({ body: { title: "T" } }),
    expect: expect("201 201 403 403 403 403 401")
  },
  "templates.get": {
    request: (ctx) => Effect.map(template(ctx), (t) => ({ path: id(t.id) })),
    expect: expect("200 200 200 404 200 200 401")
  },
  "templates.update": {
    request: (ctx) => Effect.map(template(ctx), (t) => ({ path: id(t.id), body: { title: "U" } })),
    expect: expect("200 200 403 403 403 403 401")
  },
  "templates.delete": {
    request: (ctx) => Effect.map(template(ctx), (t) => ({ path: id(t.id) })),
    expect: expect("204 204 403 403 403 403 401")
  },

  "assignments.batch": {
    request: (ctx) =>
      Effect.map(otherTask(ctx), (t) => ({ body: { items: [{ taskId: t.id, assigneeId: ctx.otherWorker.id }] } })),
    // A partner may hand out work, but only in projects they own: this task is not theirs.
    expect: expect("201 201 403 403 403 422 401")
  },
  "assignments.list": { request: none, expect: expect("200 200 200 200 200 200 401") },
  "assignments.get": {
    request: (ctx) => Effect.map(assignmentFor(ctx, ctx.otherWorker), (a) => ({ path: id(a.id) })),
    expect: expect("200 200 404 404 200 404 401")
  },
  "assignments.accept": {
    request: (ctx, _, me) => Effect.map(assignmentFor(ctx, me), (a) => ({ path: id(a.id) })),
    expect: expect("200 200 200 404 403 404 401")
  },
  "assignments.reject": {
    request: (ctx, _, me) => Effect.map(assignmentFor(ctx, me), (a) => ({ path: id(a.id), body: { reason: "Busy" } })),
    expect: expect("200 200 200 404 403 404 401")
  },
  "assignments.complete": {
    request: (ctx, _, me) => Effect.map(assignmentFor(ctx, me, true), (a) => ({ path: id(a.id) })),
    expect: expect("200 200 200 404 403 404 401")
  },
  "assignments.cancel": {
    request: (ctx) => Effect.map(assignmentFor(ctx, ctx.otherWorker), (a) => ({ path: id(a.id) })),
    expect: expect("200 200 404 404 403 404 401")
  },
  "assignments.inbox": { request: none, expect: expect("200 200 200 200 200 200 401") },

  "projects.list": { request: none, expect: expect("200 200 200 200 200 200 401") },
  "projects.create": {
    // Partners create projects they own.
    request: () => Effect.succeed({ body: { name: "New project" } }),
    expect: expect("201 201 403 403 403 201 401")
  },
  "projects.get": {
    request: (ctx) => Effect.map(project(ctx), (p) => ({ path: id(p.id) })),
    expect: expect("200 200 404 404 200 404 401")
  },
  "projects.update": {
    request: (ctx) => Effect.map(project(ctx), (p) => ({ path: id(p.id), body: { description: "More" } })),
    expect: expect("200 200 404 404 403 404 401")
  },
  "projects.listDocuments": {
    request: (ctx) => Effect.map(project(ctx), (p) => ({ path: id(p.id) })),
    expect: expect("200 200 404 404 200 404 401")
  },
  "projects.fileDocument": {
    request: (ctx) => Effect.map(project(ctx), (p) => ({ path: id(p.id), body: { title: "A letter" } })),
    expect: expect("201 201 404 404 403 404 401")
  },
  "projects.resolutions": {
    request: (ctx) => Effect.map(project(ctx), (p) => ({ path: id(p.id) })),
    expect: expect("200 200 404 404 200 404 401")
  },
  "projects.getDocument": {
    request: (ctx) => Effect.map(incoming(ctx), ({ document }) => ({ path: id(document.id) })),
    expect: expect("200 200 404 404 200 404 401")
  },
  "projects.issueResolution": {
    request: (ctx) =>
      Effect.map(incoming(ctx), ({ document }) => ({
        path: id(document.id),
        body: { title: "Do it", body: "Now", assigneeIds: [ctx.otherWorker.id], dueAt: "2031-01-01T00:00:00Z" }
      })),
    expect: expect("201 201 404 404 403 404 401")
  },
  "projects.fileReport": {
    // Own: a resolution's task the caller is assigned to.
    request: (ctx, _, me) =>
      Effect.map(resolutionTaskFor(ctx, me), (t) => ({ path: id(t.id), body: { title: "Done", body: "All of it" } })),
    expect: expect("201 201 201 404 403 404 401")
  },

  "repairs.list": { request: none, expect: expect("200 200 200 200 200 200 401") },
  "repairs.create": {
    request: () => Effect.succeed({ body: { deviceType: "Oven", deviceModel: "O1", problemDescription: "Cold" } }),
    expect: expect("201 201 403 201 403 403 401")
  },
  "repairs.get": {
    // Own: filed by the caller where they may file, and worked by them where they may work.
    request: (ctx, _, me) =>
      Effect.map(
        repair(ctx, {
          ...(fileables.includes(me.role) ? { client: me } : {}),
          technician: technicianFor(ctx, me)
        }),
        (r) => ({ path: id(r.id) })
      ),
    expect: expect("200 200 200 200 200 404 401")
  },
  "repairs.update": {
    request: (ctx) => Effect.map(repair(ctx), (r) => ({ path: id(r.id), body: { deviceModel: "X2" } })),
    expect: expect("200 200 404 404 403 404 401")
  },
  "repairs.assign": {
    request: (ctx) => Effect.map(repair(ctx), (r) => ({ path: id(r.id), body: { technicianId: ctx.otherWorker.id } })),
    expect: expect("200 200 404 404 403 404 401")
  },
  "repairs.start": {
    request: (ctx, _, me) =>
      Effect.map(repair(ctx, { technician: technicianFor(ctx, me) }), (r) => ({ path: id(r.id) })),
    expect: expect("200 403 200 404 403 404 401")
  },
  "repairs.hold": {
    request: (ctx, _, me) =>
      Effect.map(repair(ctx, { technician: technicianFor(ctx, me), status: "in_progress" }), (r) => ({
        path: id(r.id),
        body: { reason: "Parts" }
      })),
    expect: expect("200 403 200 404 403 404 401")
  },
  "repairs.complete": {
    request: (ctx, _, me) =>
      Effect.map(repair(ctx, { technician: technicianFor(ctx, me), status: "in_progress" }), (r) => ({
        path: id(r.id),
        body: { note: "Fixed" }
      })),
    expect: expect("200 403 200 404 403 404 401")
  },
  "repairs.cancel": {
    request: (ctx) => Effect.map(repair(ctx), (r) => ({ path: id(r.id), body: {} })),
    expect: expect("200 200 404 404 403 404 401")
  },
  "repairs.listComments": {
    request: (ctx) => Effect.map(repair(ctx), (r) => ({ path: id(r.id) })),
    expect: expect("200 200 404 404 200 404 401")
  },
  "repairs.addComment": {
    request: (ctx) => Effect.map(repair(ctx), (r) => ({ path: id(r.id), body: { body: "Any news?" } })),
    expect: expect("201 201 404 404 403 404 401")
  },
  "repairs.rate": {
    // Own: a completed request filed for the caller, where they may file.
    request: (ctx, _, me) =>
      Effect.map(repair(ctx, { ...(fileables.includes(me.role) ? { client: me } : {}), status: "completed" }), (r) => ({
        path: id(r.id),
        body: { score: 4 }
      })),
    expect: expect("200 403 404 200 403 404 401")
  },
  "repairs.history": {
    request: (ctx) => Effect.map(repair(ctx), (r) => ({ path: id(r.id) })),
    expect: expect("200 200 404 404 200 404 401")
  },

  "statistics.repairs": { request: none, expect: expect("200 200 403 403 200 403 401") },
  "statistics.tasks": { request: none, expect: expect("200 200 403 403 200 403 401") },
  "events.list": { request: none, expect: expect("200 403 403 403 200 403 401") },

  // Live events: anyone signed in may watch (each sees what they may read); a plain GET on the socket asks for an upgrade.
  "live.stream": {
    request: () => Effect.succeed({ headersOnly: true }),
    expect: expect("200 200 200 200 200 200 401")
  },
  "live.socket": { request: none, expect: expect("426 426 426 426 426 426 401") },
  "live.ticket": { request: none, expect: expect("201 201 201 201 201 201 401") },

  // The scheduler: administrators manage it, supervisors read it, nobody else sees it.
  "scheduler.status": { request: none, expect: expect("200 403 403 403 200 403 401") },
  "scheduler.list": { request: none, expect: expect("200 403 403 403 200 403 401") },
  "scheduler.get": {
    request: () => Effect.succeed({ path: id("cleanup") }),
    expect: expect("200 403 403 403 200 403 401")
  },
  "scheduler.update": {
    request: () => Effect.succeed({ path: id("cleanup"), body: { misfireGraceSeconds: 600 } }),
    expect: expect("200 403 403 403 403 403 401")
  },
  "scheduler.run": {
    // Answers at once with the run in progress.
    request: () => Effect.succeed({ path: id("cleanup") }),
    expect: expect("202 403 403 403 403 403 401")
  },
  "scheduler.runs": {
    request: () => Effect.succeed({ path: id("cleanup") }),
    expect: expect("200 403 403 403 200 403 401")
  },

  // One's own notifications, for everybody signed in.
  "notifications.list": { request: none, expect: expect("200 200 200 200 200 200 401") },

  "telegram.link": { request: none, expect: expect("201 201 201 201 201 201 401") },
  "telegram.unlink": { request: none, expect: expect("204 204 204 204 204 204 401") },

  // CSV: exports as their lists and report; imports for administrators (an empty file is a bad file).
  "csv.exportTasks": { request: none, expect: expect("200 200 200 200 200 200 401") },
  "csv.exportRepairs": { request: none, expect: expect("200 200 200 200 200 200 401") },
  "csv.exportRepairStatistics": { request: none, expect: expect("200 200 403 403 200 403 401") },
  "csv.importUsers": {
    request: () => Effect.succeed({ query: "?dryRun=1" }),
    expect: expect("422 403 403 403 403 403 401")
  },
  "csv.importTasks": {
    request: () => Effect.succeed({ query: "?dryRun=1" }),
    expect: expect("422 403 403 403 403 403 401")
  }
}

/** Every endpoint of the definition: method, path and the key of its row. */
const endpoints = (() => {
  const out: Array<{ readonly key: string; readonly method: string; readonly path: string }> = []
  HttpApi.reflect(TaskdeskApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, group }) =>
      out.push({ key: `${group.identifier}.${endpoint.name}`, method: endpoint.method, path: endpoint.path })
  })
  return out
})()

describe("authorization matrix", () => {
  layer(serverLayer(), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("every endpoint of the API definition has a row", () =>
      Effect.sync(() => {
        const missing = endpoints.filter((e) => rows[e.key] === undefined).map((e) => e.key)
        assert.deepStrictEqual(missing, [], "endpoints without a row in the authorization matrix")
        const stale = Object.keys(rows).filter((k) => !endpoints.some((e) => e.key === k))
        assert.deepStrictEqual(stale, [], "rows for endpoints that no longer exist")
      })
    )

    it.effect(
      "every endpoint × every role answers what the policy implies, as a problem document when refused",
      () =>
        Effect.gen(function* () {
          const people = {} as Record<Role.Role, Person>
          for (const role of ["admin", "manager", "worker", "client", "supervisor", "partner"] as const) {
            people[role] = yield* person(role)
          }
          const ctx: Context = {
            people,
            owner: (yield* person("manager")).user,
            otherWorker: (yield* person("worker")).user,
            otherClient: (yield* person("client")).user
          }
          const mismatches: Array<string> = []
          for (const endpoint of endpoints) {
            const row = rows[endpoint.key]
            if (row === undefined) continue
            for (const caller of callers) {
              const me = caller === "anonymous" ? ctx.otherClient : people[caller].user
              const request = yield* row.request(ctx, caller, me)
              const path = endpoint.path.replace(/:(\w+)/g, (_, name: string) =>
                encodeURIComponent(request.path?.[name] ?? "x")
              )
              const token = request.token ?? (caller === "anonymous" ? undefined : people[caller].token)
              const response = yield* raw(path + (request.query ?? ""), {
                method: endpoint.method,
                ...(token !== undefined ? { token } : {}),
                ...(request.headersOnly === true ? { headersOnly: true } : {}),
                ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {})
              })
              const expected = row.expect[caller]
              if (response.status !== expected) {
                mismatches.push(
                  `${endpoint.key} as ${caller}: ${response.status} (expected ${expected}) ${JSON.stringify(response.body)?.slice(0, 160)}`
                )
              }
              if (response.status >= 400 && response.headers.get("content-type") !== "application/problem+json") {
                mismatches.push(`${endpoint.key} as ${caller}: ${response.status} without a problem document`)
              }
            }
          }
          assert.deepStrictEqual(mismatches, [])
        }),
      60_000
    )
  })
})
