import { FetchHttpClient, HttpServer } from "@effect/platform"
import { assert, it } from "@effect/vitest"
import type { EventBus, EventFanout } from "@taskdesk/core"
import { Actor, Tasks } from "@taskdesk/core"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import { Context, Effect, Layer, type Scope } from "effect"
import * as Server from "../src/Server.js"
import type * as ServerStorage from "../src/Storage.js"
import { type LiveEvent, openSse, openWs, upgradeStatus } from "./liveClients.js"
import { person, raw, settingsFor } from "./support.js"

/** One shared database for two instances: its storage and its fan-out, as each instance builds them. */
export interface SharedDatabase {
  readonly storage: Layer.Layer<ServerStorage.ServerStorage, ServerStorage.StartError>
  readonly fanout: Layer.Layer<EventFanout.EventFanout, ServerStorage.StartError, EventBus.EventBus>
}

/** A server on a free port over the shared database. */
const instance = (db: SharedDatabase) =>
  Layer.build(
    Server.layer(settingsFor({ server: { live_heartbeat_seconds: 1 } }), {
      hasher: PasswordHasher.layerInsecureForTests,
      storage: db.storage,
      fanout: db.fanout
    }).pipe(Layer.provideMerge(FetchHttpClient.layer))
  )

const portOf = (context: Context.Context<HttpServer.HttpServer>) => {
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") throw new Error("not a TCP server")
  return address.port
}

/**
 * The tests every fan-out for several instances passes (PostgreSQL's, MySQL's), over a fresh
 * database each test (`fresh`, named by the test's purpose).
 */
export const acrossInstances = <E>(fresh: (purpose: string) => Effect.Effect<SharedDatabase, E, Scope.Scope>) => {
  it.live(
    "a change committed on either instance reaches subscribers on both, each once, in sequence order",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const db = yield* fresh("live")
          // One after the other: the second finds the database migrated.
          const a = yield* instance(db)
          const b = yield* instance(db)
          const admin = yield* person("admin").pipe(Effect.provide(a))
          const headers = { authorization: `Bearer ${admin.token}` }
          const query = "?type=task.created"
          // Closed however the test ends, so the servers can stop.
          const onB = yield* Effect.acquireRelease(
            Effect.promise(() => openWs(`ws://127.0.0.1:${portOf(b)}/api/ws${query}`, headers)),
            (c) => Effect.sync(c.close)
          )
          const onA = yield* Effect.acquireRelease(
            Effect.promise(() => openSse(`http://127.0.0.1:${portOf(a)}/api/events/stream${query}`, headers)),
            (c) => Effect.sync(c.close)
          )
          // Past the socket's resume window: what follows is live.
          yield* Effect.sleep("300 millis")

          const actor = new Actor.Actor({ id: admin.user.id, role: admin.user.role })
          const create = (context: Context.Context<Tasks.Tasks>, title: string) =>
            Effect.flatMap(Tasks.Tasks, (tasks) => tasks.create({ title })).pipe(
              Actor.as(actor),
              Effect.provide(context),
              Effect.orDie
            )
          // Both instances write at once, so each one's reads meet the other's commits mid-burst.
          const [evens, odds] = yield* Effect.all(
            [
              Effect.forEach([0, 2, 4, 6, 8, 10, 12, 14, 16, 18], (i) => create(a, `across ${i}`)),
              Effect.forEach([1, 3, 5, 7, 9, 11, 13, 15, 17, 19], (i) => create(b, `across ${i}`))
            ],
            { concurrency: 2 }
          )
          const created = new Set<string>([...evens, ...odds].map((t) => t.id))

          const done = (events: ReadonlyArray<LiveEvent>) =>
            events.filter((e) => created.has(e.subject.id)).length >= 20
          yield* Effect.promise(() => onB.waitFor((c) => done(c.events)))
          yield* Effect.promise(() => onA.waitFor((c) => done(c.events())))
          // Time for a duplicate to show.
          yield* Effect.sleep("300 millis")
          const inLog = yield* raw("/api/events?limit=1000", { token: admin.token }).pipe(Effect.provide(a))
          const logOrder = (inLog.body as ReadonlyArray<LiveEvent>)
            .filter((e) => created.has(e.subject.id))
            .map((e) => e.sequence)
            .sort((x, y) => x - y)
          assert.strictEqual(logOrder.length, 20)

          for (const [name, events] of [
            ["WebSocket on B", onB.events],
            ["SSE on A", onA.events()]
          ] as const) {
            assert.deepStrictEqual(
              events.filter((e) => created.has(e.subject.id)).map((e) => e.sequence),
              logOrder,
              `${name}: every instance's events, once each, in the log's order`
            )
          }
        })
      ),
    90_000
  )

  it.live(
    "a WebSocket ticket asked of one instance opens a socket on the other, once across both",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const db = yield* fresh("tickets")
          const a = yield* instance(db)
          const b = yield* instance(db)
          const worker = yield* person("worker").pipe(Effect.provide(a))
          const ask = raw("/api/ws/ticket", { method: "POST", token: worker.token }).pipe(Effect.provide(a))
          const issued = yield* ask
          assert.strictEqual(issued.status, 201)
          const on = (context: Context.Context<HttpServer.HttpServer>, ticket: string) =>
            Effect.promise(() =>
              upgradeStatus(`ws://127.0.0.1:${portOf(context)}/api/ws?ticket=${encodeURIComponent(ticket)}`)
            )
          assert.strictEqual(yield* on(b, issued.body.ticket), 101, "asked of A, used on B")
          assert.strictEqual(yield* on(a, issued.body.ticket), 401, "used, on the other instance too")
          assert.strictEqual(yield* on(b, issued.body.ticket), 401, "used")
          // A ticket stands for its credential on every instance: signed out on B, A's ticket is refused on A.
          const next = yield* ask
          yield* raw("/api/auth/logout", { method: "POST", token: worker.token }).pipe(Effect.provide(b))
          assert.strictEqual(yield* on(a, next.body.ticket), 401, "signed out elsewhere")
        })
      ),
    90_000
  )
}
