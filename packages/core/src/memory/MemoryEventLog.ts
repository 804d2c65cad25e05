import { Effect, Layer, Option } from "effect"
import { AuditEvent, type Subject } from "../AuditEvent.js"
import { EventLog } from "../EventLog.js"
import { EventSequence } from "../Ids.js"
import { MemoryStore } from "./MemoryStore.js"

const sameSubject = (a: Subject, b: Subject) => a.kind === b.kind && a.id === b.id

export const layer: Layer.Layer<EventLog, never, MemoryStore> = Layer.effect(
  EventLog,
  Effect.gen(function* () {
    const store = yield* MemoryStore
    const events = store.table<number, AuditEvent>("events")
    return {
      append: (event) =>
        store.transaction(
          Effect.gen(function* () {
            const sequence = EventSequence.make(yield* store.nextSequence("events"))
            const stored = new AuditEvent({ ...event, sequence })
            yield* events.put(sequence, stored)
            return stored
          })
        ),
      list: (query) =>
        Effect.map(events.values, (all) =>
          all
            .filter(
              (e) =>
                Option.match(query.after, { onNone: () => true, onSome: (after) => e.sequence > after }) &&
                Option.match(query.about, {
                  onNone: () => true,
                  onSome: (about) =>
                    sameSubject(e.subject, about) || Option.exists(e.parent, (p) => sameSubject(p, about))
                })
            )
            .sort((a, b) => a.sequence - b.sequence)
            .slice(0, query.limit)
        )
    }
  })
)
