import { type AuditEvent, EventBus, EventFanout } from "@taskdesk/core"
import { Effect, Layer, PubSub, Stream } from "effect"

/**
 * One instance: the events this process commits, from its `EventBus` (published after commit, in
 * commit order), forwarded once into a hub every connection subscribes to. Enough for SQLite and
 * memory storage, which one process owns.
 */
export const layer: Layer.Layer<EventFanout.EventFanout, never, EventBus.EventBus> = Layer.scoped(
  EventFanout.EventFanout,
  Effect.gen(function* () {
    const hub = yield* Effect.acquireRelease(PubSub.unbounded<AuditEvent.AuditEvent>(), PubSub.shutdown)
    const local = yield* (yield* EventBus.EventBus).subscribe
    yield* local.pipe(
      Stream.runForEachChunk((chunk) => PubSub.publishAll(hub, chunk)),
      Effect.forkScoped
    )
    return EventFanout.EventFanout.of({ subscribe: PubSub.subscribe(hub) })
  })
)
