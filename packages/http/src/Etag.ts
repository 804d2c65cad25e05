import { HttpApp, HttpServerResponse } from "@effect/platform"
import type { Errors } from "@taskdesk/core"
import { DateTime, Effect } from "effect"
import { PreconditionFailed } from "./Problem.js"

/** Anything with a version, or failing that an update time, has an ETag. */
export type Tagged = { readonly version: number } | { readonly updatedAt: DateTime.Utc }

/** The strong ETag of a resource: its version (`"7"`), or its update time for unversioned ones (`"t1767225600000"`). */
export const of = (resource: Tagged): string =>
  "version" in resource ? `"${resource.version}"` : `"t${DateTime.toEpochMillis(resource.updatedAt)}"`

/** Sets `ETag` on the response of the current request. */
export const set = (etag: string): Effect.Effect<void> =>
  HttpApp.appendPreResponseHandler((_, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, "etag", etag))
  )

/** Answers with the resource and its `ETag`. */
export const tagged = <A extends Tagged, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tap(effect, (resource) => set(of(resource)))

const listed = (ifMatch: string) => ifMatch.split(",").map((s) => s.trim().replace(/^W\//, ""))

/**
 * The version an `If-Match` asks for: undefined when absent or `*`. Fails with 412 when it names no
 * version this server hands out.
 */
export const expectedVersion = (
  ifMatch: string | undefined,
  target: { readonly entity: string; readonly id: string }
): Effect.Effect<number | undefined, PreconditionFailed> => {
  if (ifMatch === undefined || ifMatch.trim() === "*") return Effect.succeed(undefined)
  const [first, ...rest] = listed(ifMatch)
  const match = rest.length === 0 && first !== undefined ? /^"(\d{1,15})"$/.exec(first) : null
  return match === null ? Effect.fail(new PreconditionFailed({ ...target, ifMatch })) : Effect.succeed(Number(match[1]))
}

/** Checks an `If-Match` against a resource read just now (for resources the core does not version). */
export const check = (
  ifMatch: string | undefined,
  resource: Tagged,
  target: { readonly entity: string; readonly id: string }
): Effect.Effect<void, PreconditionFailed> => {
  if (ifMatch === undefined || ifMatch.trim() === "*") return Effect.void
  const etag = of(resource)
  return listed(ifMatch).includes(etag)
    ? Effect.void
    : Effect.fail(new PreconditionFailed({ ...target, ifMatch, etag }))
}

const isVersionConflict = (e: unknown): e is Errors.VersionConflict =>
  typeof e === "object" && e !== null && (e as { readonly _tag?: unknown })._tag === "VersionConflict"

/** Turns a version conflict into 412 when the caller sent `If-Match` (without one it stays a 409). */
export const conflictFails =
  (ifMatch: string | undefined) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | PreconditionFailed, R> =>
    ifMatch === undefined
      ? effect
      : (Effect.catchIf(effect, isVersionConflict, (e) =>
          Effect.fail(new PreconditionFailed({ entity: e.entity, id: e.id, ifMatch, etag: `"${e.actual}"` }))
        ) as Effect.Effect<A, E | PreconditionFailed, R>)

/** Runs a versioned change at the version `If-Match` names, answering with the result and its new `ETag`. */
export const guarded = <A extends Tagged, E, R>(
  ifMatch: string | undefined,
  target: { readonly entity: string; readonly id: string },
  change: (expectedVersion: number | undefined) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | PreconditionFailed, R> =>
  Effect.flatMap(expectedVersion(ifMatch, target), change).pipe(conflictFails(ifMatch), tagged)

/** Runs a versioned removal at the version `If-Match` names. */
export const guardedRemoval = <E, R>(
  ifMatch: string | undefined,
  target: { readonly entity: string; readonly id: string },
  remove: (expectedVersion: number | undefined) => Effect.Effect<void, E, R>
): Effect.Effect<void, E | PreconditionFailed, R> =>
  Effect.flatMap(expectedVersion(ifMatch, target), remove).pipe(conflictFails(ifMatch))
