import { AuditEvent, EventLog, Ids } from "@taskdesk/core"
import { Effect, Layer, Option } from "effect"
import { KvStore } from "../KvStore.js"

const sameSubject = (a: AuditEvent.Subject, b: AuditEvent.Subject) => a.kind === b.kind && a.id === b.id

/**
 * `EventLog` over the key-value store. A sequence comes from a counter bumped in the appending transaction, and
 * transactions run one at a time, so sequences grow in commit order.
 */
export const layer: Layer.Layer<EventLog.EventLog, never, KvStore> = Layer.effect(
  EventLog.EventLog,
  Effect.gen(function* () {
    const store = yield* KvStore
    const events = store.table("events", AuditEvent.AuditEvent)
    return {
      append: (event) =>
        store.transaction(
          Effect.gen(function* () {
            const sequence = Ids.EventSequence.make(yield* store.nextSequence("events"))
            const stored = new AuditEvent.AuditEvent({ ...event, sequence })
            yield* events.put(String(sequence), stored)
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
