import { FetchHttpClient, HttpServer } from "@effect/platform"
import { assert, it } from "@effect/vitest"
import { PgFanout } from "@taskdesk/adapters/live"
import { describePg, freshSchema, pgUrl } from "@taskdesk/adapters/testing/postgres"
import { Actor, Tasks } from "@taskdesk/core"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import { Context, Effect, Layer } from "effect"
import * as Server from "../src/Server.js"
import * as ServerStorage from "../src/Storage.js"
import { type LiveEvent, openSse, openWs, upgradeStatus } from "./liveClients.js"
import { person, raw, settingsFor } from "./support.js"

/** A server on a free port over the schema, with the PostgreSQL fan-out (its periodic read far off). */
const instance = (schema: string) =>
  Layer.build(
    Server.layer(settingsFor({ server: { live_heartbeat_seconds: 1 } }), {
      hasher: PasswordHasher.layerInsecureForTests,
      storage: ServerStorage.layerPg({ url: pgUrl, schema }),
      fanout: PgFanout.layer({ url: pgUrl, schema, pollInterval: "60 seconds" })
    }).pipe(Layer.provideMerge(FetchHttpClient.layer))
  )

const portOf = (context: Context.Context<HttpServer.HttpServer>) => {
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") throw new Error("not a TCP server")
  return address.port
}

describePg("live events across instances over PostgreSQL", () => {
  it.live(
    "a change committed on either instance reaches subscribers on both, each once, in sequence order",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const schema = yield* freshSchema("live")
          // One after the other: the second finds the schema migrated.
          const a = yield* instance(schema)
          const b = yield* instance(schema)
          const admin = yield* person("admin").pipe(Effect.provide(a))
          const headers = { authorization: `Bearer ${admin.token}` }
          const query = "?type=task.created"
          const onB = yield* Effect.promise(() => openWs(`ws://127.0.0.1:${portOf(b)}/api/ws${query}`, headers))
          const onA = yield* Effect.promise(() =>
            openSse(`http://127.0.0.1:${portOf(a)}/api/events/stream${query}`, headers)
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
          const ids: Array<string> = []
          for (let i = 0; i < 20; i++) ids.push((yield* create(i % 2 === 0 ? a : b, `across ${i}`)).id)

          const last = ids[ids.length - 1]!
          const has = (events: ReadonlyArray<LiveEvent>) => events.some((e) => e.subject.id === last)
          yield* Effect.promise(() => onB.waitFor((c) => has(c.events)))
          yield* Effect.promise(() => onA.waitFor((c) => has(c.events())))
          for (const [name, events] of [
            ["WebSocket on B", onB.events],
            ["SSE on A", onA.events()]
          ] as const) {
            assert.deepStrictEqual(
              events.map((e) => e.subject.id),
              ids,
              `${name}: every instance's events, once each, in order`
            )
            const sequences = events.map((e) => e.sequence)
            assert.deepStrictEqual(
              sequences,
              [...sequences].sort((x, y) => x - y),
              name
            )
          }
          onB.close()
          onA.close()
        })
      ),
    60_000
  )

  it.live(
    "a WebSocket ticket asked of one instance opens a socket on the other, once across both",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const schema = yield* freshSchema("tickets")
          const a = yield* instance(schema)
          const b = yield* instance(schema)
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
    60_000
  )
})
