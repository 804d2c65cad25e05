import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { type AuditEvent, EventLog } from "@taskdesk/core"
import { Effect, Option, PubSub, Queue, type Scope } from "effect"

const page = 500

/** What a fan-out over the shared log is made of: where its subscribers read, and how to make it read. */
export interface LogReader {
  /** Every event read from the log, in sequence order, each once. */
  readonly hub: PubSub.PubSub<AuditEvent.AuditEvent>
  /** Asks for a read of what was committed after the last delivered sequence. */
  readonly wake: Effect.Effect<void>
  /** The last sequence delivered; a notification of no more than it needs no read. */
  readonly last: () => number
}

/**
 * One reader of the log for a fan-out shared by several instances: it starts after the log's
 * highest sequence and, each time it is woken, publishes whatever was committed after the last
 * sequence it delivered, in order (the log's appends are serialized, so sequences are in commit
 * order and a later read never finds a smaller one). Wake-ups coalesce: a burst while reading is one
 * more read, not one each. What wakes it is the fan-out's own (a notification, a timer, a commit).
 */
export const make: Effect.Effect<LogReader, SqlError, SqlClient.SqlClient | EventLog.EventLog | Scope.Scope> =
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const log = yield* EventLog.EventLog
    const hub = yield* Effect.acquireRelease(PubSub.unbounded<AuditEvent.AuditEvent>(), PubSub.shutdown)

    const [latest] = yield* sql<{ readonly s: unknown }>`SELECT COALESCE(MAX(sequence), 0) AS s FROM events`
    let last = Number(latest?.s ?? 0)

    // One reader at a time: only the fiber below runs it.
    const catchUp = Effect.gen(function* () {
      for (;;) {
        const rows = yield* log.list({ after: Option.some(last as never), about: Option.none(), limit: page })
        if (rows.length === 0) return
        yield* PubSub.publishAll(hub, rows)
        last = rows[rows.length - 1]!.sequence
        if (rows.length < page) return
      }
    })

    const wake = yield* Queue.sliding<void>(1)
    yield* Queue.take(wake).pipe(
      Effect.zipRight(catchUp),
      Effect.catchAllCause((cause) => Effect.logWarning("event fan-out: reading the log failed", cause)),
      Effect.forever,
      Effect.forkScoped
    )

    return { hub, wake: Queue.offer(wake, undefined).pipe(Effect.asVoid), last: () => last }
  })
