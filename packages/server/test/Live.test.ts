import type { HttpServer } from "@effect/platform"
import { assert, describe, layer } from "@effect/vitest"
import { Actor, Assignments, RepairRequests, Tasks, Users } from "@taskdesk/core"
import { DateTime, Duration, Effect, Fiber } from "effect"
import { type LiveEvent, openSse, openWs, upgradeStatus } from "./liveClients.js"
import { baseUrl, person, raw, serverLayer } from "./support.js"

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** A subscriber over either transport, reduced to what the tests look at. */
interface Subscriber {
  readonly events: () => ReadonlyArray<LiveEvent>
  readonly waitFor: (ready: (events: ReadonlyArray<LiveEvent>) => boolean) => Promise<void>
  readonly close: () => void
}

type Transport = "SSE" | "WebSocket"

const subscribe = (transport: Transport, token: string, query = "") =>
  Effect.gen(function* () {
    const url = yield* baseUrl
    if (transport === "SSE") {
      const sse = yield* promise(() => openSse(`${url}/api/events/stream${query}`, bearer(token)))
      assert.strictEqual(sse.status, 200)
      return {
        events: sse.events,
        waitFor: (ready) => sse.waitFor(() => ready(sse.events())),
        close: sse.close
      } satisfies Subscriber
    }
    const ws = yield* promise(() => openWs(`${url.replace("http", "ws")}/api/ws${query}`, bearer(token)))
    return {
      events: () => ws.events,
      waitFor: (ready) => ws.waitFor(() => ready(ws.events)),
      close: ws.close
    } satisfies Subscriber
  })

const about = (id: string) => (events: ReadonlyArray<LiveEvent>) => events.some((e) => e.subject.id === id)

const sequences = (events: ReadonlyArray<LiveEvent>) => events.map((e) => e.sequence)

describe("live events", () => {
  layer(serverLayer({ server: { live_heartbeat_seconds: 0.2 } }), { excludeTestServices: true, timeout: "60 seconds" })(
    (it) => {
      it.effect("SSE: default-type messages with the sequence as id, the same JSON as GET /api/events, pings", () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const admin = yield* person("admin")
          const sse = yield* promise(() => openSse(`${url}/api/events/stream`, bearer(admin.token)))
          assert.strictEqual(sse.status, 200)
          assert.strictEqual(sse.contentType, "text/event-stream")
          yield* promise(() => sse.waitFor((c) => c.comments.includes("ping")))
          const tasks = yield* Tasks.Tasks
          const task = yield* tasks.create({ title: "watched" }).pipe(Actor.as(admin.user), Effect.orDie)
          yield* promise(() => sse.waitFor((c) => about(task.id)(c.events())))
          const message = sse.messages.find((m) => JSON.parse(m.data).subject.id === task.id)!
          assert.isUndefined(message.event)
          const event = JSON.parse(message.data) as LiveEvent
          assert.strictEqual(message.id, String(event.sequence))
          const polled = yield* raw(`/api/events?after=${event.sequence - 1}&limit=1`, { token: admin.token })
          assert.deepStrictEqual(polled.body[0], event)
          sse.close()
        })
      )

      it.effect("WebSocket: a client that stops answering pings is cut; one that answers stays", () =>
        Effect.gen(function* () {
          const base = (yield* baseUrl).replace("http", "ws")
          const admin = yield* person("admin")
          const dead = yield* promise(() => openWs(`${base}/api/ws`, bearer(admin.token)))
          const alive = yield* promise(() => openWs(`${base}/api/ws`, bearer(admin.token)))
          // Reads nothing, so answers no ping: after a heartbeat without an answer the server cuts it.
          dead.socket.pause()
          yield* Effect.sleep(Duration.millis(1_000))
          dead.socket.resume()
          yield* promise(() => dead.waitFor((c) => c.closed() !== undefined))
          assert.strictEqual(dead.closed()!.code, 1006)
          assert.isUndefined(alive.closed())
          alive.close()
        })
      )

      for (const transport of ["SSE", "WebSocket"] as const) {
        it.effect(
          `${transport}: a worker sees only their own assignments, a client only their own repair requests`,
          () =>
            Effect.gen(function* () {
              const admin = yield* person("admin")
              const [workerA, workerB, clientA, clientB] = [
                yield* person("worker"),
                yield* person("worker"),
                yield* person("client"),
                yield* person("client")
              ]
              const watchWorker = yield* subscribe(transport, workerA.token)
              const watchClient = yield* subscribe(transport, clientA.token)
              // Past the socket's resume window, so what follows is live.
              yield* Effect.sleep(Duration.millis(300))

              const tasks = yield* Tasks.Tasks
              const assignments = yield* Assignments.Assignments
              const repairs = yield* RepairRequests.RepairRequests
              const task = yield* tasks.create({ title: "shared" }).pipe(Actor.as(admin.user), Effect.orDie)
              const theirs = yield* assignments
                .batch({ items: [{ taskId: task.id, assigneeId: workerB.user.id }] })
                .pipe(Actor.as(admin.user), Effect.orDie)
              const other = yield* repairs
                .create({ deviceType: "printer", deviceModel: "B", problemDescription: "jams" })
                .pipe(Actor.as(clientB.user), Effect.orDie)
              const mine = yield* assignments
                .batch({ items: [{ taskId: task.id, assigneeId: workerA.user.id }] })
                .pipe(Actor.as(admin.user), Effect.orDie)
              const own = yield* repairs
                .create({ deviceType: "printer", deviceModel: "A", problemDescription: "smudges" })
                .pipe(Actor.as(clientA.user), Effect.orDie)

              const myAssignment = mine[0]!.id
              const theirAssignment = theirs[0]!.id
              yield* promise(() => watchWorker.waitFor(about(myAssignment)))
              yield* promise(() => watchClient.waitFor(about(own.id)))
              // Events arrive in sequence order, so anything of the others' would have come before.
              const workerSaw = watchWorker.events()
              const clientSaw = watchClient.events()
              assert.isFalse(about(theirAssignment)(workerSaw), "another worker's assignment")
              assert.isFalse(about(other.id)(workerSaw), "a repair request")
              assert.isFalse(about(workerB.user.id)(workerSaw), "another worker's account")
              assert.isTrue(workerSaw.every((e) => e.subject.kind !== "repair_request"))
              assert.isFalse(about(other.id)(clientSaw), "another client's repair request")
              assert.isFalse(about(myAssignment)(clientSaw), "an assignment")
              assert.isFalse(about(task.id)(clientSaw), "someone else's task")
              assert.deepStrictEqual(
                sequences(workerSaw),
                [...sequences(workerSaw)].sort((a, b) => a - b)
              )
              watchWorker.close()
              watchClient.close()
            })
        )

        it.effect(`${transport}: ?subject= and ?type= narrow the stream`, () =>
          Effect.gen(function* () {
            const admin = yield* person("admin")
            const tasks = yield* Tasks.Tasks
            const task = yield* tasks.create({ title: "narrowed" }).pipe(Actor.as(admin.user), Effect.orDie)
            const watch = yield* subscribe(transport, admin.token, `?subject=task:${task.id}&type=task.updated`)
            yield* Effect.sleep(Duration.millis(300))
            yield* tasks.create({ title: "elsewhere" }).pipe(Actor.as(admin.user), Effect.orDie)
            yield* tasks.update(task.id, { title: "narrowed, renamed" }).pipe(Actor.as(admin.user), Effect.orDie)
            yield* promise(() => watch.waitFor((events) => events.length >= 1))
            yield* Effect.sleep(Duration.millis(100))
            assert.deepStrictEqual(
              watch.events().map((e) => [e.subject.id, e.payload._tag]),
              [[task.id, "task.updated"]]
            )
            watch.close()
          })
        )
      }

      /** Creates `count` tasks, one every few milliseconds, as the admin; returns their ids in order. */
      const produce = (admin: Actor.Actor, prefix: string, count: number) =>
        Effect.gen(function* () {
          const tasks = yield* Tasks.Tasks
          const ids: Array<string> = []
          for (let i = 0; i < count; i++) {
            ids.push((yield* tasks.create({ title: `${prefix} ${i}` }).pipe(Actor.as(admin), Effect.orDie)).id)
            yield* Effect.sleep(Duration.millis(4))
          }
          return ids
        })

      const resumeCase = (
        name: string,
        reconnect: (
          token: string,
          last: number,
          query: string
        ) => Effect.Effect<Subscriber, never, HttpServer.HttpServer>,
        first: (token: string, query: string) => Effect.Effect<Subscriber, never, HttpServer.HttpServer>
      ) =>
        it.effect(name, () =>
          Effect.gen(function* () {
            const admin = yield* person("admin")
            const prefix = `resume-${Math.random().toString(36).slice(2, 8)}`
            const query = "?type=task.created"
            const before = first(admin.token, query)
            const watch = yield* before
            yield* Effect.sleep(Duration.millis(300))
            const producer = yield* Effect.fork(
              produce(new Actor.Actor({ id: admin.user.id, role: admin.user.role }), prefix, 80)
            )
            yield* promise(() => watch.waitFor((events) => events.length >= 15))
            watch.close()
            const seen = [...watch.events()]
            const last = seen[seen.length - 1]!.sequence
            // Events keep coming while nobody listens.
            yield* Effect.sleep(Duration.millis(60))
            const again = yield* reconnect(admin.token, last, query)
            const ids = yield* Fiber.join(producer)
            yield* promise(() => again.waitFor(about(ids[ids.length - 1]!)))
            again.close()
            const union = [...seen, ...again.events()].filter((e) => String(e.payload.title).startsWith(prefix))
            assert.deepStrictEqual(
              union.map((e) => e.subject.id),
              ids,
              "every event once, in order"
            )
            const all = sequences([...seen, ...again.events()])
            assert.deepStrictEqual(
              all,
              [...new Set(all)].sort((a, b) => a - b)
            )
          })
        )

      const url = Effect.map(baseUrl, (u) => u)
      resumeCase(
        "SSE: reconnecting with Last-Event-ID replays what was missed, then goes live: each event once, in order",
        (token, last, query) =>
          Effect.gen(function* () {
            const base = yield* Effect.orDie(url)
            const sse = yield* promise(() =>
              openSse(`${base}/api/events/stream${query}`, { ...bearer(token), "last-event-id": String(last) })
            )
            return { events: sse.events, waitFor: (r) => sse.waitFor(() => r(sse.events())), close: sse.close }
          }),
        (token, query) => Effect.orDie(subscribe("SSE", token, query))
      )
      resumeCase(
        "WebSocket: reconnecting with ?lastEventId= replays what was missed, then goes live: each event once, in order",
        (token, last, query) => Effect.orDie(subscribe("WebSocket", token, `${query}&lastEventId=${last}`)),
        (token, query) => Effect.orDie(subscribe("WebSocket", token, query))
      )
      resumeCase(
        "WebSocket: a {resume} message as the first message replays, then goes live: each event once, in order",
        (token, last, query) =>
          Effect.gen(function* () {
            const base = yield* Effect.orDie(url)
            const ws = yield* promise(() => openWs(`${base.replace("http", "ws")}/api/ws${query}`, bearer(token)))
            ws.send({ resume: last })
            return { events: () => ws.events, waitFor: (r) => ws.waitFor(() => r(ws.events)), close: ws.close }
          }),
        (token, query) => Effect.orDie(subscribe("WebSocket", token, query))
      )

      it.effect(
        "WebSocket: {resume: n} on a live socket, to an earlier sequence while events keep coming, starts over after n: each event once, in order",
        () =>
          Effect.gen(function* () {
            const base = (yield* baseUrl).replace("http", "ws")
            const admin = yield* person("admin")
            const prefix = `restart-${Math.random().toString(36).slice(2, 8)}`
            const ws = yield* promise(() => openWs(`${base}/api/ws?type=task.created`, bearer(admin.token)))
            // Past the socket's resume window, so what follows is live.
            yield* Effect.sleep(Duration.millis(300))
            const producer = yield* Effect.fork(
              produce(new Actor.Actor({ id: admin.user.id, role: admin.user.role }), prefix, 120)
            )
            const ours = () => ws.events.filter((e) => String(e.payload.title).startsWith(prefix))
            yield* promise(() => ws.waitFor(() => ours().length >= 20))
            const sentBefore = ws.events.length
            const n = ours()[4]!.sequence
            ws.send({ resume: n })
            const ids = yield* Fiber.join(producer)
            yield* promise(() => ws.waitFor((c) => about(ids[ids.length - 1]!)(c.events)))
            // Whatever is still arriving of the old stream came first; give a duplicate time to show.
            yield* Effect.sleep(Duration.millis(100))
            ws.close()
            const seqs = sequences(ws.events)
            // The restart is where the sequence stops rising; there is exactly one, after the resume was sent.
            const drops = seqs.flatMap((s, i) => (i > 0 && s <= seqs[i - 1]! ? [i] : []))
            assert.strictEqual(drops.length, 1, `one restart, got drops at ${drops.join(",")}`)
            const restart = drops[0]!
            assert.isAtLeast(restart, sentBefore)
            const after = ws.events.slice(restart).filter((e) => String(e.payload.title).startsWith(prefix))
            const from = ids.indexOf(ours().find((e) => e.sequence === n)!.subject.id)
            assert.deepStrictEqual(
              after.map((e) => e.subject.id),
              ids.slice(from + 1),
              "every event after n once, in order"
            )
            assert.isTrue(
              ws.events.slice(restart).every((e) => e.sequence > n),
              "nothing at or before n again"
            )
          })
      )
    }
  )

  layer(serverLayer({ server: { live_buffer_events: 32, live_heartbeat_seconds: 30 } }), {
    excludeTestServices: true,
    timeout: "60 seconds"
  })((it) => {
    it.effect("a client that stops reading is closed with 4008 and a reason; the others get every event", () =>
      Effect.gen(function* () {
        const base = (yield* baseUrl).replace("http", "ws")
        const admin = yield* person("admin")
        const slow = yield* promise(() => openWs(`${base}/api/ws?type=task.*`, bearer(admin.token)))
        const fast = yield* promise(() => openWs(`${base}/api/ws?type=task.*`, bearer(admin.token)))
        yield* Effect.sleep(Duration.millis(300))
        // Stops reading: the kernel's buffers fill, then the server's, then the connection's few events.
        slow.socket.pause()
        const tasks = yield* Tasks.Tasks
        const task = yield* tasks.create({ title: "flooded" }).pipe(Actor.as(admin.user), Effect.orDie)
        // Each change carries the old and the new description: about 40 kB an event.
        const texts = ["x".repeat(20_000), "y".repeat(20_000)]
        const updates = (events: ReadonlyArray<LiveEvent>) =>
          events.filter((e) => e.payload._tag === "task.updated" && e.subject.id === task.id)
        let sent = 0
        // Some 30 MB: more than the kernel's buffers, the server's and the connection's 32 events hold.
        while (sent < 800) {
          yield* tasks.update(task.id, { description: texts[sent % 2]! }).pipe(Actor.as(admin.user), Effect.orDie)
          sent++
          // As requests do: the server's fibers run between changes.
          yield* Effect.sleep(Duration.millis(1))
        }
        slow.socket.resume()
        yield* promise(() => slow.waitFor((c) => c.closed() !== undefined))
        assert.strictEqual(slow.closed()!.code, 4008)
        assert.match(slow.closed()!.reason, /overflow/)
        assert.isBelow(updates(slow.events).length, sent)
        yield* promise(() => fast.waitFor((c) => updates(c.events).length === sent))
        const received = sequences(updates(fast.events))
        assert.deepStrictEqual(
          received,
          [...new Set(received)].sort((a, b) => a - b)
        )
        assert.isUndefined(fast.closed())
        fast.close()
      })
    )
  })

  layer(serverLayer(), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect(
      "no credentials, an expired token, a deactivated user's token: refused on both endpoints and both serving paths",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const ws = url.replace("http", "ws")
          const worker = yield* person("worker")
          const gone = yield* person("worker")
          const expiresAt = DateTime.add(yield* DateTime.now, { millis: 1_200 })
          const created = yield* raw("/api/tokens", {
            method: "POST",
            token: worker.token,
            body: JSON.stringify({ name: "short", expiresAt: DateTime.formatIso(expiresAt) })
          })
          assert.strictEqual(created.status, 201)
          // Both valid now: the refusals below are about what changes.
          assert.strictEqual(yield* promise(() => upgradeStatus(`${ws}/api/ws`, bearer(created.body.token))), 101)
          assert.strictEqual(yield* promise(() => upgradeStatus(`${ws}/api/ws`, bearer(gone.token))), 101)
          yield* Effect.sleep(Duration.millis(DateTime.distance(yield* DateTime.now, expiresAt) + 50))
          const users = yield* Users.Users
          yield* users.deactivate(gone.user.id).pipe(Actor.asSystem, Effect.orDie)

          const cases: ReadonlyArray<[string, Record<string, string>]> = [
            ["no credentials", {}],
            ["an expired token", bearer(created.body.token)],
            ["a deactivated user's token", bearer(gone.token)]
          ]
          for (const [name, headers] of cases) {
            // The compiled dispatcher serves plain requests.
            const sse = yield* promise(() => openSse(`${url}/api/events/stream`, headers))
            assert.strictEqual(sse.status, 401, `SSE, dispatcher: ${name}`)
            const plain = yield* raw("/api/ws", { headers })
            assert.strictEqual(plain.status, 401, `WebSocket without upgrade, dispatcher: ${name}`)
            // Node hands upgrade requests to the platform's router.
            assert.strictEqual(yield* promise(() => upgradeStatus(`${ws}/api/ws`, headers)), 401, `WebSocket: ${name}`)
            assert.strictEqual(
              yield* promise(() => upgradeStatus(`${ws}/api/events/stream`, headers)),
              401,
              `SSE, platform router: ${name}`
            )
          }
          // Still good credentials: a plain GET on /api/ws asks for an upgrade.
          const plain = yield* raw("/api/ws", { token: worker.token })
          assert.strictEqual(plain.status, 426)
        })
    )

    it.effect(
      "a subscriber deactivated or given another role is cut, says why, and is refused or re-scoped on return",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const ws = url.replace("http", "ws")
          const users = yield* Users.Users
          const gone = yield* person("worker")
          const promoted = yield* person("worker")
          const admin = yield* person("admin")
          // A worker (a lookup per event) and an admin (the dispatcher's direct path), on both transports.
          const goneSse = yield* promise(() => openSse(`${url}/api/events/stream?type=task.*`, bearer(gone.token)))
          const goneWs = yield* promise(() => openWs(`${ws}/api/ws?type=task.*`, bearer(gone.token)))
          const promotedWs = yield* promise(() => openWs(`${ws}/api/ws`, bearer(promoted.token)))
          const adminSse = yield* promise(() => openSse(`${url}/api/events/stream`, bearer(admin.token)))
          const adminWs = yield* promise(() => openWs(`${ws}/api/ws`, bearer(admin.token)))
          yield* Effect.sleep(Duration.millis(300))

          // Asked only for task events, the worker is cut all the same.
          yield* users.deactivate(gone.user.id).pipe(Actor.asSystem, Effect.orDie)
          yield* promise(() => goneSse.waitFor((c) => c.ended()))
          const said = goneSse.messages.find((m) => m.event === "account-changed")
          assert.isDefined(said)
          assert.match(JSON.parse(said!.data).reason, /account changed/)
          yield* promise(() => goneWs.waitFor((c) => c.closed() !== undefined))
          assert.strictEqual(goneWs.closed()!.code, 4001)
          assert.strictEqual(yield* promise(() => upgradeStatus(`${ws}/api/ws`, bearer(gone.token))), 401)

          yield* users.update(promoted.user.id, { role: "manager" }).pipe(Actor.asSystem, Effect.orDie)
          yield* promise(() => promotedWs.waitFor((c) => c.closed() !== undefined))
          assert.strictEqual(promotedWs.closed()!.code, 4001)

          // Another administrator first: the last one may not be demoted.
          yield* person("admin")
          yield* users.update(admin.user.id, { role: "manager" }).pipe(Actor.asSystem, Effect.orDie)
          yield* promise(() => adminSse.waitFor((c) => c.ended()))
          assert.isDefined(adminSse.messages.find((m) => m.event === "account-changed"))
          yield* promise(() => adminWs.waitFor((c) => c.closed() !== undefined))
          assert.strictEqual(adminWs.closed()!.code, 4001)
          // Someone else's change ends no one else's connection.
          const other = yield* promise(() => openWs(`${ws}/api/ws`, bearer(promoted.token)))
          yield* Effect.sleep(Duration.millis(300))
          const bystander = yield* person("worker")
          yield* users.deactivate(bystander.user.id).pipe(Actor.asSystem, Effect.orDie)
          yield* Effect.sleep(Duration.millis(300))
          assert.isUndefined(other.closed())
          other.close()
        })
    )

    it.effect("a WebSocket ticket signs in once, as the credential that asked for it", () =>
      Effect.gen(function* () {
        const url = yield* baseUrl
        const ws = url.replace("http", "ws")
        const worker = yield* person("worker")
        const issued = yield* raw("/api/ws/ticket", { method: "POST", token: worker.token })
        assert.strictEqual(issued.status, 201)
        assert.strictEqual(issued.body.expiresIn, 30)
        const ticket = encodeURIComponent(issued.body.ticket)
        assert.strictEqual(yield* promise(() => upgradeStatus(`${ws}/api/ws?ticket=${ticket}`)), 101)
        assert.strictEqual(yield* promise(() => upgradeStatus(`${ws}/api/ws?ticket=${ticket}`)), 401, "used")
        assert.strictEqual(yield* promise(() => upgradeStatus(`${ws}/api/ws?ticket=tdw_forged`)), 401, "forged")
        // A ticket stands for its credential: once that is gone, so is the ticket.
        const next = yield* raw("/api/ws/ticket", { method: "POST", token: worker.token })
        yield* raw("/api/auth/logout", { method: "POST", token: worker.token })
        const after = encodeURIComponent(next.body.ticket)
        assert.strictEqual(yield* promise(() => upgradeStatus(`${ws}/api/ws?ticket=${after}`)), 401, "logged out")
      })
    )
  })
})
