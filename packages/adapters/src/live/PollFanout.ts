import type { SqlError } from "@effect/sql/SqlError"
import { EventBus, EventFanout } from "@taskdesk/core"
import { Duration, Effect, Layer, PubSub, Schedule, Stream } from "effect"
import * as SqlEventLog from "../sql/SqlEventLog.js"
import * as SqlStorage from "../sql/SqlStorage.js"
import * as LogReader from "./LogReader.js"

export interface PollFanoutConfig {
  /** The same MySQL or MariaDB database the storage uses. */
  readonly url: string
  /** How often to read the log for other instances' commits. Default 500 ms. */
  readonly pollInterval?: Duration.DurationInput | undefined
}

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
    const bus = yield* EventBus.EventBus
    const reader = yield* LogReader.make
    yield* reader.wake.pipe(
      Effect.repeat(Schedule.spaced(config.pollInterval ?? Duration.millis(500))),
      Effect.forkScoped
    )

    // This instance's own commits need not wait for the next tick.
    const local = yield* bus.subscribe
    yield* local.pipe(
      Stream.runForEachChunk(() => reader.wake),
      Effect.forkScoped
    )

    return EventFanout.EventFanout.of({ subscribe: PubSub.subscribe(reader.hub) })
  })

/** The polling fan-out for MySQL or MariaDB, on a connection of its own to the storage's database. */
export const layer = (config: PollFanoutConfig): Layer.Layer<EventFanout.EventFanout, SqlError, EventBus.EventBus> =>
  Layer.scoped(EventFanout.EventFanout, make(config)).pipe(
    Layer.provide(SqlEventLog.layer),
    Layer.provide(SqlStorage.clientMysql({ url: config.url, poolSize: 1 }))
  )
