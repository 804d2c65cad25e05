import { type Actor, AuditEvent, EventFanout, EventLog, EventVisibility, type Ids } from "@taskdesk/core"
import { Chunk, Deferred, Effect, Exit, FiberSet, Option, Queue, Schema, type Scope } from "effect"
import { ServerSettings } from "../Config.js"

/** What a subscriber asked for: events after a sequence (resume), about a subject, of some types. */
export interface FeedRequest {
  readonly actor: Actor.Actor
  /** Replay the log after this sequence before going live; live from now when absent. */
  readonly after: Option.Option<Ids.EventSequence>
  /** Events about this subject or things under it. */
  readonly subject: Option.Option<AuditEvent.Subject>
  /** Event types: exact (`task.created`) or a prefix (`assignment.*`); all when empty. */
  readonly types: ReadonlyArray<string>
}

/** One connection's events: taken one at a time by its writer. */
export interface Feed {
  /** The events waiting (at least one, in order), or the `Ending` once the connection is to close. */
  readonly take: Effect.Effect<Chunk.Chunk<AuditEvent.AuditEvent> | Ending>
  /** Completes with why when the connection is to close (the client resumes). */
  readonly overflowed: Effect.Effect<Ending>
  /** The writer sent (or dropped) this many of what it took: they no longer hold up direct sends. */
  readonly written: (count: number) => void
}

/**
 * A connection that can take an event at once, from the dispatcher's fiber: its socket, written
 * synchronously while it keeps up. Events go through the buffer and the writer otherwise.
 */
export interface Sink {
  readonly send: (event: AuditEvent.AuditEvent) => void
  /** Whether the socket holds more than it should before the next write (back-pressure). */
  readonly congested: () => boolean
}

/** A connection fed by the dispatcher: handed each batch of live events synchronously. */
interface Direct {
  readonly deliver: (events: Chunk.Chunk<AuditEvent.AuditEvent>) => void
}

/**
 * Why a connection ends: the client fell further behind than its buffer holds, or the subscriber's
 * own account changed (deactivated, or given another role, so what it may see changed). Either way
 * the client reconnects: it resumes from its last sequence, signed in again as it now is.
 */
export class Ending {
  readonly _tag = "Ending"
  private constructor(
    /** The SSE event that says why. */
    readonly event: "overflow" | "account-changed",
    /** The WebSocket close code (the 4000 range is the application's; 4008 mirrors 1008). */
    readonly code: number,
    readonly reason: string
  ) {}
  static readonly overflow = new Ending(
    "overflow",
    4008,
    "overflow: the client fell too far behind; reconnect and resume from the last sequence received"
  )
  static readonly accountChanged = new Ending(
    "account-changed",
    4001,
    "account changed: the subscriber was deactivated or given another role; reconnect to go on as you now are"
  )
}

// Events that change what a subscriber may see end its connection; the reconnect authenticates afresh.
const accountEnding: ReadonlySet<string> = new Set(["user.deactivated", "user.role_changed"])
const endsFor = (actor: Actor.Actor, event: AuditEvent.AuditEvent): boolean =>
  event.subject.kind === "user" && event.subject.id === actor.id && accountEnding.has(event.payload._tag)

/** `assignment.*, task.created` as patterns: `*` alone matches all, a trailing `*` a prefix. */
export const parseTypes = (text: string | undefined): ReadonlyArray<string> =>
  text === undefined
    ? []
    : text
        .split(",")
        .map((t) => t.trim())
        .filter((t) => t.length > 0)

const matchesType = (types: ReadonlyArray<string>, type: string): boolean =>
  types.length === 0 || types.some((t) => (t.endsWith("*") ? type.startsWith(t.slice(0, -1)) : t === type))

const about = (subject: AuditEvent.Subject, event: AuditEvent.AuditEvent): boolean =>
  (event.subject.kind === subject.kind && event.subject.id === subject.id) ||
  Option.exists(event.parent, (p) => p.kind === subject.kind && p.id === subject.id)

const replayPage = 500

// A writer takes at most this many events at a time, so it checks the socket's buffer between batches.
const takeAtOnce = 64

const encodeSync = Schema.encodeSync(AuditEvent.AuditEvent)

// Every subscriber sends the same bytes: each event is encoded once, whatever the number of connections.
const encoded = new WeakMap<AuditEvent.AuditEvent, Buffer>()

/** The JSON of an event, as UTF-8: the same shape as an item of `GET /api/events`. */
export const encodeEvent = (event: AuditEvent.AuditEvent): Buffer => {
  let bytes = encoded.get(event)
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(encodeSync(event)))
    encoded.set(event, bytes)
  }
  return bytes
}

/**
 * Each connection's view of the live events: subscribes to the fan-out first, replays the log after
 * the client's last sequence, then goes live, skipping what the replay already gave (no gap, no
 * duplicate, in sequence order), keeping only what the actor may see and asked for. Live events wait
 * in a bounded buffer; when the client falls further behind, the feed overflows instead of growing.
 */
export class LiveFeed extends Effect.Service<LiveFeed>()("@taskdesk/http/LiveFeed", {
  scoped: Effect.gen(function* () {
    const fanout = yield* EventFanout.EventFanout
    const log = yield* EventLog.EventLog
    const visibility = yield* EventVisibility.EventVisibility
    const capacity = (yield* ServerSettings).server.liveBufferEvents

    // One subscription for the whole instance: each batch is taken once and handed synchronously to
    // every direct connection (a fiber woken per connection per event was most of the cost).
    const directs = new Set<Direct>()
    const dispatched = yield* fanout.subscribe
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.map(Queue.takeBetween(dispatched, 1, Number.MAX_SAFE_INTEGER), (events) => {
          for (const direct of directs) direct.deliver(events)
        })
      )
    )

    /** Hands `each` the log's events after `from` about `subject`, in order, a page at a time. */
    const replayLog = (
      subject: Option.Option<AuditEvent.Subject>,
      from: number,
      each: (event: AuditEvent.AuditEvent) => Effect.Effect<unknown>
    ) =>
      Effect.gen(function* () {
        let after = from
        for (;;) {
          const rows = yield* log.list({
            after: Option.some(after as Ids.EventSequence),
            about: subject,
            limit: replayPage
          })
          for (const event of rows) {
            yield* each(event)
            after = event.sequence
          }
          if (rows.length < replayPage) return
        }
      })

    const open = (request: FeedRequest, sink?: Sink): Effect.Effect<Feed, never, Scope.Scope> =>
      sink !== undefined && visibility.seesAll(request.actor) ? openDirect(request, sink) : openFiber(request)

    /** A whole-log reader with a socket: fed by the dispatcher, its writer wakes only when it falls behind. */
    const openDirect = (request: FeedRequest, sink: Sink): Effect.Effect<Feed, never, Scope.Scope> =>
      Effect.gen(function* () {
        const buffer = yield* Queue.bounded<AuditEvent.AuditEvent>(capacity)
        const overflow = yield* Deferred.make<Ending>()
        let last: number = Option.getOrElse(request.after, () => 0)
        // Events handed to the buffer and not yet written: while any are, nothing may overtake them.
        let inFlight = 0
        let replaying = Option.isSome(request.after)
        const pending: Array<AuditEvent.AuditEvent> = []
        const asked = (event: AuditEvent.AuditEvent) =>
          matchesType(request.types, event.payload._tag) &&
          Option.match(request.subject, { onNone: () => true, onSome: (s) => about(s, event) })

        const direct: Direct = {
          deliver: (events) => {
            for (const event of events) {
              if (endsFor(request.actor, event)) return overflowed(Ending.accountChanged)
              if (replaying) {
                pending.push(event)
                if (pending.length > capacity) return overflowed()
              } else if (!pass(event)) return overflowed()
            }
          }
        }
        const overflowed = (ending: Ending = Ending.overflow) => {
          directs.delete(direct)
          Deferred.unsafeDone(overflow, Exit.succeed(ending))
        }
        const pass = (event: AuditEvent.AuditEvent): boolean => {
          if (event.sequence <= last) return true
          if (!asked(event)) {
            last = event.sequence
            return true
          }
          if (inFlight === 0 && !sink.congested()) sink.send(event)
          else if (buffer.unsafeOffer(event)) inFlight++
          else return false
          last = event.sequence
          return true
        }

        directs.add(direct)
        yield* Effect.addFinalizer(() => Effect.sync(() => directs.delete(direct)))

        // The replay goes through the buffer at the client's pace; live events wait meanwhile, bounded.
        const replay = Effect.gen(function* () {
          yield* replayLog(request.subject, last, (event) => {
            last = event.sequence
            if (!asked(event)) return Effect.void
            inFlight++
            return Queue.offer(buffer, event)
          })
          replaying = false
          for (const event of pending.splice(0)) if (!pass(event)) return overflowed()
        })
        if (replaying) yield* Effect.forkScoped(replay)

        return {
          take: Effect.flatMap(
            Deferred.poll(overflow),
            (done): Effect.Effect<Chunk.Chunk<AuditEvent.AuditEvent> | Ending> =>
              Option.isSome(done) ? done.value : Queue.takeBetween(buffer, 1, takeAtOnce)
          ),
          overflowed: Deferred.await(overflow),
          written: (count) => {
            inFlight -= count
          }
        } satisfies Feed
      })

    /** Anyone else (and SSE): a fiber of its own filters, with lookups, into the buffer. */
    const openFiber = (request: FeedRequest): Effect.Effect<Feed, never, Scope.Scope> =>
      Effect.gen(function* () {
        const live = yield* fanout.subscribe
        const buffer = yield* Queue.bounded<AuditEvent.AuditEvent>(capacity)
        const overflow = yield* Deferred.make<Ending>()
        let last: number = Option.getOrElse(request.after, () => 0)
        const wanted = (event: AuditEvent.AuditEvent): Effect.Effect<boolean> =>
          matchesType(request.types, event.payload._tag) &&
          Option.match(request.subject, { onNone: () => true, onSome: (s) => about(s, event) })
            ? visibility.visible(request.actor, event)
            : Effect.succeed(false)

        // The replay is read at the client's pace (a full buffer waits), so it never overflows.
        const replay = Effect.gen(function* () {
          if (Option.isNone(request.after)) return
          yield* replayLog(request.subject, last, (event) =>
            Effect.flatMap(wanted(event), (keep) => {
              last = event.sequence
              return keep ? Queue.offer(buffer, event) : Effect.void
            })
          )
        })

        // A full buffer may only mean the writer has not run yet (a burst: one transaction's events
        // arrive together): it gets a few turns to take before the client counts as too slow. Never
        // a wait in time, so what waits upstream stays bounded by the burst.
        const offer = (event: AuditEvent.AuditEvent, turns: number): Effect.Effect<void> =>
          buffer.unsafeOffer(event)
            ? Effect.void
            : turns > 0
              ? Effect.zipRight(
                  Effect.yieldNow(),
                  Effect.suspend(() => offer(event, turns - 1))
                )
              : Effect.zipRight(Deferred.succeed(overflow, Ending.overflow), Effect.interrupt)

        // Whole-log readers need no lookup: their events go into the buffer without an effect each.
        const seesAll = visibility.seesAll(request.actor)
        const asked = (event: AuditEvent.AuditEvent) =>
          matchesType(request.types, event.payload._tag) &&
          Option.match(request.subject, { onNone: () => true, onSome: (s) => about(s, event) })

        const handle = (events: Chunk.Chunk<AuditEvent.AuditEvent>, from: number): Effect.Effect<void> => {
          for (let i = from; i < events.length; i++) {
            const event = Chunk.unsafeGet(events, i)
            if (endsFor(request.actor, event)) {
              // The event itself wakes a writer waiting on an empty buffer; its take then ends.
              return Deferred.succeed(overflow, Ending.accountChanged).pipe(
                Effect.zipRight(Effect.sync(() => buffer.unsafeOffer(event))),
                Effect.zipRight(Effect.interrupt)
              )
            }
            if (event.sequence <= last) continue
            if (!asked(event)) {
              last = event.sequence
              continue
            }
            if (seesAll && buffer.unsafeOffer(event)) {
              last = event.sequence
              continue
            }
            const next = (keep: boolean) =>
              Effect.flatMap(keep ? offer(event, 8) : Effect.void, () => {
                last = event.sequence
                return handle(events, i + 1)
              })
            return seesAll ? next(true) : Effect.flatMap(visibility.visible(request.actor, event), next)
          }
          return Effect.void
        }

        const goLive = Effect.forever(
          Effect.flatMap(Queue.takeBetween(live, 1, Number.MAX_SAFE_INTEGER), (events) => handle(events, 0))
        )
        yield* Effect.forkScoped(Effect.zipRight(replay, goLive))

        return {
          // Overflow happens only with the buffer full, so a take waiting on it never misses one; an
          // account's change wakes a waiting take with its event, and the take ends the connection.
          take: Effect.flatMap(
            Deferred.poll(overflow),
            (done): Effect.Effect<Chunk.Chunk<AuditEvent.AuditEvent> | Ending> =>
              Option.isSome(done)
                ? done.value
                : Effect.flatMap(Queue.takeBetween(buffer, 1, takeAtOnce), (events) =>
                    Effect.flatMap(
                      Deferred.poll(overflow),
                      (ended): Effect.Effect<Chunk.Chunk<AuditEvent.AuditEvent> | Ending> =>
                        Option.isSome(ended) ? ended.value : Effect.succeed(events)
                    )
                  )
          ),
          overflowed: Deferred.await(overflow),
          written: () => {}
        } satisfies Feed
      })

    // WebSocket sessions outlive the request that upgraded them; they end with the server.
    const sessions = yield* FiberSet.make()
    const run = (session: Effect.Effect<void>) => Effect.asVoid(FiberSet.run(sessions, session))

    return { open, run } as const
  })
}) {}
