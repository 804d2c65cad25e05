import type * as Http from "node:http"
import type * as Net from "node:net"
import type { Socket } from "@effect/platform"
import type { Ids } from "@taskdesk/core"
import {
  Deferred,
  Duration,
  Effect,
  ExecutionStrategy,
  Exit,
  Fiber,
  Option,
  Queue,
  Schedule,
  Schema,
  Scope
} from "effect"
import { Ending, encodeEvent, type Feed, type FeedRequest, type LiveFeed, type Sink } from "./LiveFeed.js"

/** What the session uses of the `ws` WebSocket the platform upgraded the request to. */
interface RawWebSocket {
  readonly bufferedAmount: number
  send(data: Buffer, options: { readonly binary: boolean }): void
  ping(): void
  close(code: number, reason: string): void
  terminate(): void
  on(event: "pong", listener: () => void): void
}

/**
 * The platform hands out a `Socket` that hides its `ws` WebSocket, whose `bufferedAmount`, `ping`
 * and `terminate` back-pressure and reaping need; `ws` keeps it on the upgraded TCP socket.
 */
const rawOf = (socket: Net.Socket): RawWebSocket | undefined => {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === "websocket")
  return key === undefined ? undefined : ((socket as unknown as Record<symbol, RawWebSocket>)[key] ?? undefined)
}

const textFrame = { binary: false } as const

/** How long a new connection without `?lastEventId=` waits for a `{"resume": n}` before going live. */
export const resumeWindow = Duration.millis(250)

// Past this many bytes waiting in the kernel's and `ws`'s buffers, the writer waits for them to drain.
const highWater = 64 * 1024

const ResumeMessage = Schema.parseJson(Schema.Struct({ resume: Schema.NonNegativeInt }))
const decodeResume = Schema.decodeUnknownOption(ResumeMessage)

export interface SessionOptions {
  readonly socket: Socket.Socket
  readonly incoming: Http.IncomingMessage
  readonly feed: LiveFeed
  readonly request: FeedRequest
  readonly heartbeat: Duration.Duration
  /** Completed once the upgrade is done (or failed), so the HTTP handler can return. */
  readonly opened: Deferred.Deferred<boolean>
}

/**
 * One WebSocket: the feed's events as JSON text messages, one per event; `{"resume": n}` from the
 * client restarts the stream after `n`. A ping every heartbeat; a client that did not answer the last
 * one is cut. A client that falls behind its buffer is closed with 4008 and resumes.
 */
export const serve = (options: SessionOptions): Effect.Effect<void> =>
  Effect.scoped(
    Effect.gen(function* () {
      const resumes = yield* Queue.sliding<number>(1)
      const upgraded = yield* Deferred.make<void>()
      const running = yield* options.socket
        .runRaw(
          (data) => {
            const resume = decodeResume(typeof data === "string" ? data : new TextDecoder().decode(data))
            if (Option.isSome(resume)) Queue.unsafeOffer(resumes, resume.value.resume)
          },
          { onOpen: Deferred.succeed(upgraded, undefined) }
        )
        .pipe(Effect.ignore, Effect.forkScoped)
      const open = yield* Deferred.await(upgraded).pipe(
        Effect.as(true),
        Effect.raceFirst(Effect.as(Fiber.await(running), false)),
        Effect.timeoutTo({ duration: Duration.seconds(10), onSuccess: (ok) => ok, onTimeout: () => false })
      )
      const ws = open ? rawOf(options.incoming.socket) : undefined
      yield* Deferred.succeed(options.opened, ws !== undefined)
      if (ws === undefined) return

      let alive = true
      ws.on("pong", () => {
        alive = true
      })
      yield* Effect.sync(() => {
        if (!alive) return ws.terminate()
        alive = false
        ws.ping()
      }).pipe(Effect.repeat(Schedule.spaced(options.heartbeat)), Effect.delay(options.heartbeat), Effect.forkScoped)

      const net = options.incoming.socket
      const drained = Effect.async<void>((resume) => {
        if (ws.bufferedAmount <= highWater || net.destroyed) return resume(Effect.void)
        const done = () => resume(Effect.void)
        net.once("drain", done)
        net.once("close", done)
        return Effect.sync(() => {
          net.off("drain", done)
          net.off("close", done)
        })
      })

      const closeWith = (ending: Ending) =>
        Effect.sync(() => ws.close(ending.code, ending.reason)).pipe(
          // A client that has not read its way to the close frame within a heartbeat is cut.
          Effect.zipRight(
            Effect.delay(
              Effect.sync(() => ws.terminate()),
              options.heartbeat
            )
          )
        )

      // Each feed writes only while it is the connection's current one. A resume retires the current one
      // in the same step it is read, before anything yields: what the old feed still holds, or is handed
      // by the dispatcher while it is being stopped, never reaches the socket after the new one's replay.
      let generation = 0
      // Until the resume window closes, live events wait in the feed's buffer.
      let holding = true

      const sinkFor = (mine: number): Sink => ({
        send: (item) => {
          if (mine === generation) ws.send(encodeEvent(item), textFrame)
        },
        congested: () => holding || ws.bufferedAmount > highWater
      })

      const pumpFrom = (feed: Feed, mine: number) =>
        Effect.gen(function* () {
          holding = false
          // The writer may be waiting for a slow client to drain: close it from beside.
          yield* Effect.forkScoped(
            Effect.flatMap(feed.overflowed, (ending) => (mine === generation ? closeWith(ending) : Effect.void))
          )
          for (;;) {
            const taken = yield* feed.take
            if (mine !== generation) return
            if (taken instanceof Ending) return yield* closeWith(taken)
            for (const item of taken) ws.send(encodeEvent(item), textFrame)
            feed.written(taken.length)
            if (ws.bufferedAmount > highWater) yield* drained
          }
        })

      /** Retires the current feed at once; the returned effect replays after `after`, then goes live. */
      const restartAfter = (after: number) => {
        const mine = ++generation
        return Effect.scoped(
          Effect.flatMap(
            options.feed.open({ ...options.request, after: Option.some(after as Ids.EventSequence) }, sinkFor(mine)),
            (feed) => pumpFrom(feed, mine)
          )
        )
      }

      // Subscribed from the upgrade on; a client that resumes by message first (within the window)
      // gets its replay before any live event, in sequence order, and nothing held meanwhile is lost.
      const initialScope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.sequential)
      const initial = yield* options.feed.open(options.request, sinkFor(generation)).pipe(Scope.extend(initialScope))
      const first = Option.isSome(options.request.after)
        ? Option.none()
        : yield* Effect.timeoutTo(Queue.take(resumes), {
            duration: resumeWindow,
            onSuccess: Option.some,
            onTimeout: Option.none
          })
      let current = yield* Option.match(first, {
        onNone: () =>
          Effect.forkScoped(Effect.ensuring(pumpFrom(initial, generation), Scope.close(initialScope, Exit.void))),
        onSome: (after) => {
          const restart = restartAfter(after)
          return Effect.zipRight(Scope.close(initialScope, Exit.void), Effect.forkScoped(restart))
        }
      })
      // A later resume starts the stream over: the client gets every event after `n` once, in order,
      // from the first one not above the last it was sent (which is how it sees where the restart is).
      yield* Queue.take(resumes).pipe(
        Effect.flatMap((after) => {
          const restart = restartAfter(after)
          return Effect.zipRight(
            Fiber.interrupt(current),
            Effect.map(Effect.forkScoped(restart), (fiber) => {
              current = fiber
            })
          )
        }),
        Effect.forever,
        Effect.forkScoped
      )
      yield* Fiber.await(running)
    })
  )
