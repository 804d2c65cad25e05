import { Effect } from "effect"
import { VersionConflict } from "./Errors.js"

/**
 * How many times a change made without an expected version is run again after losing a race. A loser
 * re-reads the row, so each attempt is a fresh read-modify-write; the bound only stops a livelock.
 */
export const maxRetries = 100

/**
 * A change without an expected version asked for no concurrency check: the last writer wins. A store
 * may still report a `VersionConflict` when another transaction changed the row between this one's
 * read and its write (PostgreSQL under READ COMMITTED does; SQLite and memory serialise writers); the
 * whole unit of work then runs again on the row as it is now, up to `maxRetries` times.
 */
export const retryingConflicts = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.retry(self, { times: maxRetries, while: (error) => error instanceof VersionConflict })

/** `retryingConflicts` unless the caller gave the version it expects (`If-Match`): then a conflict is its answer. */
export const unlessExpected = <A, E, R>(
  expectedVersion: number | undefined,
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => (expectedVersion === undefined ? retryingConflicts(self) : self)
