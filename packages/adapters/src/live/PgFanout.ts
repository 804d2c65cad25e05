import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { EventBus, EventFanout } from "@taskdesk/core"
import { Chunk, Duration, Effect, Layer, PubSub, Schedule, Stream } from "effect"
import Pg from "pg"
import * as Dialect from "../sql/Dialect.js"
import * as SqlEventLog from "../sql/SqlEventLog.js"
import * as LogReader from "./LogReader.js"

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
    const bus = yield* EventBus.EventBus
    const channel = channelOf(config.schema)
    const reader = yield* LogReader.make

    yield* pg.listen(channel).pipe(
      Stream.runForEach((payload) => (Number(payload) > reader.last() ? reader.wake : Effect.void)),
      Effect.tapErrorCause((cause) => Effect.logWarning("event fan-out: listening failed; retrying", cause)),
      Effect.retry(Schedule.spaced(Duration.seconds(1))),
      Effect.forkScoped
    )
    yield* reader.wake.pipe(
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

    return EventFanout.EventFanout.of({ subscribe: PubSub.subscribe(reader.hub) })
  })

/** The PostgreSQL fan-out, on a pool of its own to the storage's database. */
export const layer = (config: PgFanoutConfig): Layer.Layer<EventFanout.EventFanout, SqlError, EventBus.EventBus> =>
  Layer.scoped(EventFanout.EventFanout, make(config)).pipe(
    Layer.provide(SqlEventLog.layer),
    Layer.provide(Dialect.layerPg),
    Layer.provide(client(config))
  )
