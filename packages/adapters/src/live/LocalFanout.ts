import { EventBus, EventFanout } from "@taskdesk/core"
import { Effect, Layer } from "effect"

/**
 * One instance: the events this process commits, straight from its `EventBus` (published after
 * commit, in commit order). Enough for SQLite and memory storage, which one process owns.
 */
export const layer: Layer.Layer<EventFanout.EventFanout, never, EventBus.EventBus> = Layer.effect(
  EventFanout.EventFanout,
  Effect.map(EventBus.EventBus, (bus) => ({ subscribe: bus.subscribe }))
)
