import { type EventBus, EventFanout } from "@taskdesk/core"
import type { Layer } from "effect"

/**
 * One instance: the events this process commits, from its `EventBus`, forwarded to every
 * connection. Pure, so it lives in the core (`EventFanout.layerLocal`); kept here beside `PgFanout`.
 */
export const layer: Layer.Layer<EventFanout.EventFanout, never, EventBus.EventBus> = EventFanout.layerLocal
