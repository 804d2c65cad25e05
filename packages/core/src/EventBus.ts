import { Context, Effect, Layer, PubSub, type Scope, Stream } from "effect"
import type { AuditEvent } from "./AuditEvent.js"

/**
 * Live audit events for subscribers (WebSocket, bot, notifications), published after commit.
 * A port so several server instances can share one bus; `layerLocal` serves one process.
 */
export class EventBus extends Context.Tag("@taskdesk/core/EventBus")<
  EventBus,
  {
    readonly publish: (events: ReadonlyArray<AuditEvent>) => Effect.Effect<void>
    /**
     * Subscribes now (so nothing published after this effect is missed) and returns the events as a
     * stream, for as long as the scope lasts.
     */
    readonly subscribe: Effect.Effect<Stream.Stream<AuditEvent>, never, Scope.Scope>
  }
>() {
  static readonly layerLocal: Layer.Layer<EventBus> = Layer.scoped(
    EventBus,
    Effect.gen(function* () {
      const hub = yield* Effect.acquireRelease(PubSub.unbounded<AuditEvent>(), PubSub.shutdown)
      return {
        publish: (events) => Effect.asVoid(PubSub.publishAll(hub, events)),
        subscribe: Effect.map(PubSub.subscribe(hub), (queue) => Stream.fromQueue(queue))
      }
    })
  )
}
