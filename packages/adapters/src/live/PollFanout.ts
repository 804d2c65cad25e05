import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { type AuditEvent, EventBus, EventFanout, EventLog } from "@taskdesk/core"
import { Duration, Effect, Layer, Option, PubSub, Queue, Schedule, Stream } from "effect"
import * as SqlEventLog from "../sql/SqlEventLog.js"
import * as SqlStorage from "../sql/SqlStorage.js"

export interface PollFanoutConfig {
  /** The same MySQL or MariaDB database the storage uses. */
  readonly url: string
  /** How often to read the log for other instances' commits. Default 500 ms. */
  readonly pollInterval?: Duration.DurationInput | undefined
}

const page = 500

/**
 * Several instances over a database without notifications (MySQL, MariaDB). Every instance reads
 * the rows after the last sequence it delivered from the log, every `pollInterval` and at once after
 * each of its own commits, so subscribers get every instance's events in sequence order, each once
 * (the log's appends are serialized, so sequences are in commit order and a later read never finds
 * a smaller one). Another instance's event arrives within an interval; the read is one indexed
 * range query that finds nothing when nothing was committed.
 */
export const make = (config: Pick<PollFanoutConfig, "pollInterval">) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const log = yield* EventLog.EventLog
    const bus = yield* EventBus.EventBus
    const hub = yield* Effect.acquireRelease(PubSub.unbounded<AuditEvent.AuditEvent>(), PubSub.shutdown)

    const [latest] = yield* sql<{ readonly s: unknown }>`SELECT COALESCE(MAX(sequence), 0) AS s FROM events`
    let last = Number(latest?.s ?? 0)

    // Reads whatever was committed after `last`, in order; one reader at a time (a single fiber).
    const catchUp = Effect.gen(function* () {
      for (;;) {
        const rows = yield* log.list({ after: Option.some(last as never), about: Option.none(), limit: page })
        if (rows.length === 0) return
        yield* PubSub.publishAll(hub, rows)
        last = rows[rows.length - 1]!.sequence
        if (rows.length < page) return
      }
    })

    // Wake-ups coalesce: ticks and local commits while reading are one more read, not one each.
    const wake = yield* Queue.sliding<void>(1)
    yield* Queue.take(wake).pipe(
      Effect.zipRight(catchUp),
      Effect.catchAllCause((cause) => Effect.logWarning("event fan-out: reading the log failed", cause)),
      Effect.forever,
      Effect.forkScoped
    )
    yield* Queue.offer(wake, undefined).pipe(
      Effect.repeat(Schedule.spaced(config.pollInterval ?? Duration.millis(500))),
      Effect.forkScoped
    )

    // This instance's own commits need not wait for the next tick.
    const local = yield* bus.subscribe
    yield* local.pipe(
      Stream.runForEachChunk(() => Queue.offer(wake, undefined)),
      Effect.forkScoped
    )

    return EventFanout.EventFanout.of({ subscribe: PubSub.subscribe(hub) })
  })

/** The polling fan-out for MySQL or MariaDB, on a connection of its own to the storage's database. */
export const layer = (config: PollFanoutConfig): Layer.Layer<EventFanout.EventFanout, SqlError, EventBus.EventBus> =>
  Layer.scoped(EventFanout.EventFanout, make(config)).pipe(
    Layer.provide(SqlEventLog.layer),
    Layer.provide(SqlStorage.clientMysql({ url: config.url, poolSize: 1 }))
  )
