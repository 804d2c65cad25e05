import { Context, Effect, Layer, PubSub, type Queue, type Scope, Stream } from "effect"
import type { AuditEvent } from "./AuditEvent.js"
import { EventBus } from "./EventBus.js"

/**
 * Live audit events for connected clients (`/api/events/stream`, `/api/ws`): every event committed
 * by any instance sharing the storage, in sequence order. A port: the adapters fill it in process
 * (one instance: the local `EventBus`), over PostgreSQL `LISTEN/NOTIFY`, or by reading the log
 * every so often where the database has no notifications (MySQL/MariaDB); the last two serve several instances.
 * The bot and notifications stay on the local `EventBus`, so each event is acted on once, by the
 * instance that committed it.
 */
export class EventFanout extends Context.Tag("@taskdesk/core/EventFanout")<
  EventFanout,
  {
    /**
     * Subscribes now (nothing committed after this effect is missed) for as long as the scope lasts.
     * A queue rather than a stream: a thousand connections each taking what has arrived at once cost
     * far less than a thousand streams pulling one chunk at a time.
     */
    readonly subscribe: Effect.Effect<Queue.Dequeue<AuditEvent>, never, Scope.Scope>
  }
>() {}

/**
 * One instance: the events this process commits, from its `EventBus` (published after commit, in
 * commit order), forwarded once into a hub every connection subscribes to. Enough for SQLite and
 * memory storage, which one process owns, and for a host that embeds taskdesk in one process.
 */
export const layerLocal: Layer.Layer<EventFanout, never, EventBus> = Layer.scoped(
  EventFanout,
  Effect.gen(function* () {
    const hub = yield* Effect.acquireRelease(PubSub.unbounded<AuditEvent>(), PubSub.shutdown)
    const local = yield* (yield* EventBus).subscribe
    yield* local.pipe(
      Stream.runForEachChunk((chunk) => PubSub.publishAll(hub, chunk)),
      Effect.forkScoped
    )
    return EventFanout.of({ subscribe: PubSub.subscribe(hub) })
  })
)
