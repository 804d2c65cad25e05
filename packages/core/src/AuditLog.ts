import { DateTime, Effect, FiberRef, Option, type Scope, type Stream } from "effect"
import { CurrentActor } from "./Actor.js"
import type { AuditEvent, EventPayload, Subject } from "./AuditEvent.js"
import type { Forbidden } from "./Errors.js"
import { EventBus } from "./EventBus.js"
import { EventLog } from "./EventLog.js"
import type { EventSequence } from "./Ids.js"
import { ensure, Policy } from "./Policy.js"
import { Transaction } from "./Transaction.js"

// Events recorded by the transaction the current fiber runs in, published once it commits.
const pending = FiberRef.unsafeMake<Option.Option<Array<AuditEvent>>>(Option.none())

/**
 * The unit of work of every change: runs it in a transaction, appends its audit events to the
 * log in that same transaction, and publishes them to live subscribers only after commit.
 */
export class AuditLog extends Effect.Service<AuditLog>()("@taskdesk/core/AuditLog", {
  effect: Effect.gen(function* () {
    const tx = yield* Transaction
    const log = yield* EventLog
    const bus = yield* EventBus
    const policy = yield* Policy

    /** Runs `effect` as one transaction; the events it records are published after commit. */
    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.flatMap(FiberRef.get(pending), (outer) => {
        if (Option.isSome(outer)) {
          // Nested: a failure here may be caught by the outer transaction, so forget what it recorded.
          const mark = outer.value.length
          return tx.run(effect).pipe(Effect.tapError(() => Effect.sync(() => outer.value.splice(mark))))
        }
        const recorded: Array<AuditEvent> = []
        return Effect.locally(tx.run(effect), pending, Option.some(recorded)).pipe(
          Effect.tap(() => bus.publish(recorded))
        )
      })

    /** Appends an event by the current actor, now; call it inside `transaction`. */
    const record = (subject: Subject, payload: EventPayload, parent: Option.Option<Subject> = Option.none()) =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        const event = yield* log.append({ at: yield* DateTime.now, actorId: actor.id, subject, parent, payload })
        const buffer = yield* FiberRef.get(pending)
        if (Option.isSome(buffer)) buffer.value.push(event)
        else yield* bus.publish([event])
        return event
      })

    /** The history of a subject: its own events and those of things under it, oldest first. */
    const history = (subject: Subject) => log.list({ after: Option.none(), about: Option.some(subject), limit: 10_000 })

    /** Reads the log after a sequence (administrators and supervisors). */
    const read = (options: {
      readonly after?: EventSequence | undefined
      readonly about?: Subject | undefined
      readonly limit?: number | undefined
    }): Effect.Effect<ReadonlyArray<AuditEvent>, Forbidden, CurrentActor> =>
      Effect.gen(function* () {
        yield* ensure(policy, yield* CurrentActor, "event.read")
        return yield* log.list({
          after: Option.fromNullable(options.after),
          about: Option.fromNullable(options.about),
          limit: Math.min(Math.max(options.limit ?? 100, 1), 1000)
        })
      })

    /** Live events from now on, for as long as the scope lasts. */
    const subscribe: Effect.Effect<Stream.Stream<AuditEvent>, never, Scope.Scope> = bus.subscribe

    return { transaction, record, history, read, subscribe } as const
  })
}) {}
