import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { type AuditEvent, EventBus, EventFanout, EventLog } from "@taskdesk/core"
import { Chunk, Duration, Effect, Layer, Option, PubSub, Queue, Schedule, Stream } from "effect"
import Pg from "pg"
import * as Dialect from "../sql/Dialect.js"
import * as SqlEventLog from "../sql/SqlEventLog.js"

export interface PgFanoutConfig {
  /** The same database the storage uses. */
  readonly url: string
  /** The schema holding the `events` table, as the storage's; also names the channel. */
  readonly schema?: string | undefined
  /** How often to read the log even without a notification (a lost one, a dropped listener). Default 5 s. */
  readonly pollInterval?: Duration.DurationInput | undefined
}

/** The channel of a schema: notifications are database-wide, schemas sharing a database must not hear each other. */
export const channelOf = (schema: string | undefined): string =>
  (schema === undefined ? "taskdesk_events" : `taskdesk_events_${schema}`).slice(0, 63).toLowerCase()

const page = 500

const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === Pg.types.builtins.INT8 && format !== "binary"
      ? (value: string) => Number(value)
      : Pg.types.getTypeParser(oid, format as never)) as Pg.CustomTypesConfig["getTypeParser"]
}

/** A small pool of its own: one connection listens, one reads the log and notifies. */
const client = (config: PgFanoutConfig) =>
  PgClient.layerFromPool({
    acquire: Effect.acquireRelease(
      Effect.sync(
        () =>
          new Pg.Pool({
            connectionString: config.url,
            max: 2,
            connectionTimeoutMillis: 10_000,
            types,
            ...(config.schema === undefined ? {} : { options: `-c search_path=${config.schema}` })
          })
      ),
      (pool) => Effect.promise(() => pool.end())
    ),
    applicationName: "taskdesk-fanout"
  })

/**
 * Several instances over one PostgreSQL. Each instance announces its commits with `NOTIFY`, carrying
 * the highest sequence committed; every instance (itself included) `LISTEN`s and reads the rows after
 * the last sequence it delivered from the log, so subscribers get every instance's events in sequence
 * order (the log's appends are serialized, so sequences are in commit order), each once. The
 * notification only wakes the reader: a lost one is made up by the next, or by the periodic read.
 */
export const make = (config: PgFanoutConfig) =>
  Effect.gen(function* () {
    const pg = yield* PgClient.PgClient
    const sql = yield* SqlClient.SqlClient
    const log = yield* EventLog.EventLog
    const bus = yield* EventBus.EventBus
    const channel = channelOf(config.schema)
    const hub = yield* Effect.acquireRelease(PubSub.unbounded<AuditEvent.AuditEvent>(), PubSub.shutdown)

    const [latest] = yield* sql<{ readonly s: number }>`SELECT COALESCE(MAX(sequence), 0) AS s FROM events`
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

    // Wake-ups coalesce: a burst of notifications while reading is one more read, not one each.
    const wake = yield* Queue.sliding<void>(1)
    yield* Queue.take(wake).pipe(
      Effect.zipRight(catchUp),
      Effect.catchAllCause((cause) => Effect.logWarning("event fan-out: reading the log failed", cause)),
      Effect.forever,
      Effect.forkScoped
    )

    yield* pg.listen(channel).pipe(
      Stream.runForEach((payload) => (Number(payload) > last ? Queue.offer(wake, undefined) : Effect.void)),
      Effect.tapErrorCause((cause) => Effect.logWarning("event fan-out: listening failed; retrying", cause)),
      Effect.retry(Schedule.spaced(Duration.seconds(1))),
      Effect.forkScoped
    )
    yield* Queue.offer(wake, undefined).pipe(
      Effect.repeat(Schedule.spaced(config.pollInterval ?? Duration.seconds(5))),
      Effect.forkScoped
    )

    // This instance's commits, announced after commit (the bus publishes then) by their highest sequence.
    const local = yield* bus.subscribe
    yield* local.pipe(
      Stream.runForEachChunk((chunk) =>
        Effect.ignoreLogged(
          sql`SELECT pg_notify(${channel}, ${String(Chunk.reduce(chunk, 0, (max, e) => Math.max(max, e.sequence)))})`
        )
      ),
      Effect.forkScoped
    )

    return EventFanout.EventFanout.of({ subscribe: PubSub.subscribe(hub) })
  })

/** The PostgreSQL fan-out, on a pool of its own to the storage's database. */
export const layer = (config: PgFanoutConfig): Layer.Layer<EventFanout.EventFanout, SqlError, EventBus.EventBus> =>
  Layer.scoped(EventFanout.EventFanout, make(config)).pipe(
    Layer.provide(SqlEventLog.layer),
    Layer.provide(Dialect.layerPg),
    Layer.provide(client(config))
  )
