import type { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Errors } from "@taskdesk/core"
import { Effect, Option, ParseResult } from "effect"
import type { Query, Violation } from "./Dialect.js"

type Infrastructure = SqlError | ParseResult.ParseError

const isInfrastructure = (u: unknown): u is Infrastructure => u instanceof SqlError || ParseResult.isParseError(u)

/**
 * Turns what only a bug or a broken database can cause (a driver error, a stored row that does
 * not decode) into a defect, so the typed channel carries the core's errors and nothing else.
 */
export const orDie = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, Infrastructure>, R> =>
  Effect.catchIf(effect, isInfrastructure as (e: E) => e is Extract<E, Infrastructure>, Effect.die) as Effect.Effect<
    A,
    Exclude<E, Infrastructure>,
    R
  >

/**
 * Maps a constraint violation of a failed statement to a core error; any other driver error
 * stays as it is (and becomes a defect through `orDie`).
 */
export const onViolation =
  <E>(violation: (error: SqlError) => Option.Option<Violation>, toError: (v: Violation) => E | undefined) =>
  <A, E2, R>(effect: Effect.Effect<A, E2, R>): Effect.Effect<A, E | E2, R> =>
    Effect.catchAll(effect, (error): Effect.Effect<never, E | E2> => {
      if (error instanceof SqlError) {
        const found = violation(error)
        const mapped = found._tag === "Some" ? toError(found.value) : undefined
        if (mapped !== undefined) return Effect.fail(mapped)
      }
      return Effect.fail(error)
    })

/**
 * After a versioned write matched no row: tells a missing row (`NotFound`) from a changed one
 * (`VersionConflict`, with the version found).
 */
export const missingOrConflict = (
  sql: SqlClient.SqlClient,
  query: Query,
  table: string,
  entity: string,
  id: string,
  expected: number
): Effect.Effect<never, Errors.NotFound | Errors.VersionConflict, never> =>
  orDie(
    Effect.flatMap(
      query(sql<{ readonly version: number }>`SELECT version FROM ${sql(table)} WHERE id = ${id}`),
      (rows): Effect.Effect<never, Errors.NotFound | Errors.VersionConflict> => {
        const row = rows[0]
        return row === undefined
          ? Effect.fail(new Errors.NotFound({ entity, id }))
          : Effect.fail(new Errors.VersionConflict({ entity, id, expected, actual: Number(row.version) }))
      }
    )
  )

/**
 * A write that names a row which does not exist (a foreign key): the port has no error for it, as
 * the service checks first, so it is a defect, carrying the core's `NotFound` for whoever reads it.
 */
export const missingForeignRow =
  (violation: (error: SqlError) => Option.Option<Violation>, entity: string, id: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.catchIf(
      effect,
      (e) => e instanceof SqlError && Option.exists(violation(e), (v) => v._tag === "ForeignKey"),
      () => Effect.die(new Errors.NotFound({ entity, id }))
    )
