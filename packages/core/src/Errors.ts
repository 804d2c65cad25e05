import { Effect, Option, Schema } from "effect"

/**
 * The entity does not exist, or the actor may not know that it does: both answer the same,
 * so nothing leaks.
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  entity: Schema.String,
  id: Schema.String
}) {}

/** The actor may see the entity but may not do this to it. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  action: Schema.String,
  reason: Schema.optional(Schema.String)
}) {}

/** The entity changed since the caller read it (optimistic concurrency). */
export class VersionConflict extends Schema.TaggedError<VersionConflict>()("VersionConflict", {
  entity: Schema.String,
  id: Schema.String,
  expected: Schema.Int,
  actual: Schema.Int
}) {}

/** A value that must be unique is taken already. */
export class DuplicateKey extends Schema.TaggedError<DuplicateKey>()("DuplicateKey", {
  entity: Schema.String,
  field: Schema.String,
  value: Schema.String
}) {}

/** One invalid field of an input, by path. */
export class FieldIssue extends Schema.Class<FieldIssue>("FieldIssue")({
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  message: Schema.String
}) {}

/** The input does not satisfy the schema; `issues` names every bad field. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String,
  issues: Schema.Array(FieldIssue)
}) {}

/** A state machine refused a move; names both states. */
export class IllegalTransition extends Schema.TaggedError<IllegalTransition>()("IllegalTransition", {
  entity: Schema.String,
  id: Schema.String,
  from: Schema.String,
  to: Schema.String
}) {
  override get message() {
    return `${this.entity} ${this.id} cannot move from ${this.from} to ${this.to}`
  }
}

/** A domain rule refused the request (e.g. a reason is required, a request is rated twice). */
export class RuleViolation extends Schema.TaggedError<RuleViolation>()("RuleViolation", {
  rule: Schema.String,
  message: Schema.String
}) {}

/** Unwraps a looked-up row, or fails with `NotFound` naming what was looked for. */
export const orNotFound =
  (entity: string, id: string) =>
  <A, E, R>(self: Effect.Effect<Option.Option<A>, E, R>): Effect.Effect<A, E | NotFound, R> =>
    Effect.flatMap(self, (found) =>
      Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(new NotFound({ entity, id }))
    )
