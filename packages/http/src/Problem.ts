import { HttpApiSchema, HttpServerResponse } from "@effect/platform"
import { Assignments, Errors, Imports, JobSchedule, JobStore } from "@taskdesk/core"
import { Schema } from "effect"

/** The media type of every error body (RFC 9457). */
export const contentType = "application/problem+json"

/** The stable `type` URI of a problem; clients match on it, never on `title` or `detail`. */
export const typeUri = (slug: string): string => `urn:taskdesk:problem:${slug}`

/** What every problem body holds; each error adds its own fields as extension members. */
export interface ProblemBody {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
}

/** A tagged error whose wire form is a problem document. */
export interface ProblemSchema<A> extends Schema.Schema<A, ProblemBody> {}

type ErrorClass<A, I> = Schema.Schema<A, I> & {
  readonly _tag: string
  readonly fields: Schema.Struct.Fields
}

/**
 * Wraps a tagged error so that it travels as `application/problem+json` with a fixed status and
 * `type`, its own fields as extension members; the typed client decodes it back into the error.
 */
export const problem = <A, I extends { readonly _tag: string }>(
  error: ErrorClass<A, I>,
  spec: {
    readonly slug: string
    readonly status: number
    readonly title: string
    readonly detail: (error: Omit<I, "_tag">) => string
  }
): ProblemSchema<A> => {
  const schema = make(error, spec)
  registry.set(error._tag, schema as unknown as Schema.Schema<unknown, ProblemBody>)
  classes.push(error as unknown as abstract new (...args: never) => unknown)
  return schema
}

const registry = new Map<string, Schema.Schema<unknown, ProblemBody>>()
const classes: Array<abstract new (...args: never) => unknown> = []

/** Whether a value is one of the errors the API answers with (and so has a problem document). */
export const isApiError = (u: unknown): u is ApiError => classes.some((c) => u instanceof c)

const make = <A, I extends { readonly _tag: string }>(
  error: ErrorClass<A, I>,
  spec: {
    readonly slug: string
    readonly status: number
    readonly title: string
    readonly detail: (error: Omit<I, "_tag">) => string
  }
): ProblemSchema<A> => {
  const { _tag: _, ...fields } = error.fields
  const type = typeUri(spec.slug)
  const wire = Schema.Struct({
    type: Schema.Literal(type),
    title: Schema.String,
    status: Schema.Literal(spec.status),
    detail: Schema.String
  }).pipe(Schema.extend(Schema.encodedSchema(Schema.Struct(fields))))
  return Schema.transform(wire, error as Schema.Schema<A, I>, {
    strict: false,
    decode: ({ type: _type, title: _title, status: _status, detail: _detail, ...rest }) => ({
      ...rest,
      _tag: error._tag
    }),
    encode: ({ _tag: _tag_, ...rest }) => ({
      type,
      title: spec.title,
      status: spec.status,
      detail: spec.detail(rest as Omit<I, "_tag">),
      ...rest
    })
  }).annotations({
    ...HttpApiSchema.annotations({ status: spec.status }),
    [HttpApiSchema.AnnotationEncoding]: { kind: "Json", contentType },
    identifier: `${error._tag}Problem`,
    description: `${spec.status} ${spec.title} (type ${type})`
  }) as unknown as ProblemSchema<A>
}

// --- errors only the server has ---------------------------------------------------------------

/** No credentials, or credentials that are unknown, expired or revoked. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  reason: Schema.String
}) {}

/** The request body is not JSON, or not readable. */
export class MalformedRequest extends Schema.TaggedError<MalformedRequest>()("MalformedRequest", {
  reason: Schema.String
}) {}

/** `If-Match` names a version other than the stored one. */
export class PreconditionFailed extends Schema.TaggedError<PreconditionFailed>()("PreconditionFailed", {
  entity: Schema.String,
  id: Schema.String,
  ifMatch: Schema.String,
  etag: Schema.optional(Schema.String)
}) {}

/** The body is larger than the configured limit. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  limitBytes: Schema.Number
}) {}

/** An import file with more data rows than the configured limit (`csv.import_max_rows`). */
export class TooManyRows extends Schema.TaggedError<TooManyRows>()("TooManyRows", {
  limitRows: Schema.Number,
  rows: Schema.Number
}) {}

/** A body was sent without `Content-Length` (chunked): its size must be known before it is read. */
export class LengthRequired extends Schema.TaggedError<LengthRequired>()("LengthRequired", {
  limitBytes: Schema.Number
}) {}

/** The body is not `application/json`. */
export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", {
  contentType: Schema.String,
  /** What the endpoint takes, when not JSON (the imports: `text/csv or multipart/form-data`). */
  accepted: Schema.optional(Schema.String)
}) {}

/** Too many requests in the current window; retry after the given seconds (also `Retry-After`). */
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()("TooManyRequests", {
  limit: Schema.Number,
  retryAfterSeconds: Schema.Number
}) {}

/** An `Idempotency-Key` was reused with a different request. */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  key: Schema.String
}) {}

/** A request with this `Idempotency-Key` is still running. */
export class IdempotencyInProgress extends Schema.TaggedError<IdempotencyInProgress>()("IdempotencyInProgress", {
  key: Schema.String
}) {}

/**
 * A retry with an `Idempotency-Key` whose first answer carried a secret shown once (a token): the
 * answer was not kept, so it cannot be given again. The first request succeeded with `originalStatus`.
 */
export class SecretNotReplayed extends Schema.TaggedError<SecretNotReplayed>()("SecretNotReplayed", {
  key: Schema.String,
  originalStatus: Schema.Number
}) {}

/** The request took longer than the configured timeout. */
export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", {
  seconds: Schema.Number
}) {}

/** The server cannot serve yet or now: still starting, or its storage does not answer. */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", {
  reason: Schema.String
}) {}

/** A bug on the server; the body holds only the request id to quote, the log holds the rest. */
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", {
  requestId: Schema.String
}) {}

// --- wire forms ---------------------------------------------------------------------------------

export const NotFoundProblem = problem(Errors.NotFound, {
  slug: "not-found",
  status: 404,
  title: "Not found",
  detail: (e) => `${e.entity} ${e.id} does not exist or is not visible to you`
})

export const ForbiddenProblem = problem(Errors.Forbidden, {
  slug: "forbidden",
  status: 403,
  title: "Forbidden",
  detail: (e) => e.reason ?? `you may not ${e.action}`
})

export const InvalidInputProblem = problem(Errors.InvalidInput, {
  slug: "invalid-input",
  status: 400,
  title: "Invalid input",
  detail: (e) => e.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ") || e.message
})

export const VersionConflictProblem = problem(Errors.VersionConflict, {
  slug: "version-conflict",
  status: 409,
  title: "Version conflict",
  detail: (e) => `${e.entity} ${e.id} is at version ${e.actual}, not ${e.expected}; read it again`
})

export const DuplicateKeyProblem = problem(Errors.DuplicateKey, {
  slug: "duplicate-key",
  status: 409,
  title: "Already exists",
  detail: (e) => `${e.entity} with ${e.field} ${e.value} exists already`
})

export const IllegalTransitionProblem = problem(Errors.IllegalTransition, {
  slug: "illegal-transition",
  status: 409,
  title: "Illegal state change",
  detail: (e) => `${e.entity} ${e.id} cannot move from ${e.from} to ${e.to}`
})

export const RuleViolationProblem = problem(Errors.RuleViolation, {
  slug: "rule-violation",
  status: 422,
  title: "Refused by a rule",
  detail: (e) => e.message
})

export const BatchRejectedProblem = problem(Assignments.BatchRejected, {
  slug: "batch-rejected",
  status: 422,
  title: "Batch rejected",
  detail: (e) => e.problems.map((p) => `items.${p.index}.${p.field}: ${p.message}`).join("; ")
})

export const ImportRejectedProblem = problem(Imports.ImportRejected, {
  slug: "import-rejected",
  status: 422,
  title: "Import rejected",
  detail: (e) =>
    `${e.errors.length + e.omitted} bad row(s) in the ${e.entity} file, nothing imported: ` +
    e.errors
      .slice(0, 5)
      .map((r) => `line ${r.line} ${r.column}: ${r.reason}`)
      .join("; ") +
    (e.errors.length + e.omitted > 5 ? "; …" : "")
})

export const InvalidScheduleProblem = problem(JobSchedule.InvalidSchedule, {
  slug: "invalid-schedule",
  status: 400,
  title: "Invalid schedule",
  detail: (e) => `"${e.expression}": ${e.message}`
})

export const JobBusyProblem = problem(JobStore.JobBusy, {
  slug: "job-busy",
  status: 409,
  title: "Job running",
  detail: (e) => `job ${e.jobId} is running (run ${e.runId}); try again when it ends`
})

export const UnauthorizedProblem = problem(Unauthorized, {
  slug: "unauthorized",
  status: 401,
  title: "Unauthorized",
  detail: (e) => e.reason
})

export const MalformedRequestProblem = problem(MalformedRequest, {
  slug: "malformed-request",
  status: 400,
  title: "Malformed request",
  detail: (e) => e.reason
})

export const PreconditionFailedProblem = problem(PreconditionFailed, {
  slug: "precondition-failed",
  status: 412,
  title: "Precondition failed",
  detail: (e) => `If-Match ${e.ifMatch} does not match ${e.entity} ${e.id}${e.etag ? ` (now ${e.etag})` : ""}`
})

export const PayloadTooLargeProblem = problem(PayloadTooLarge, {
  slug: "payload-too-large",
  status: 413,
  title: "Payload too large",
  detail: (e) => `the body exceeds ${e.limitBytes} bytes`
})

export const TooManyRowsProblem = problem(TooManyRows, {
  slug: "too-many-rows",
  status: 413,
  title: "Too many rows",
  detail: (e) => `the file has ${e.rows} rows; the limit is ${e.limitRows} (csv.import_max_rows)`
})

export const LengthRequiredProblem = problem(LengthRequired, {
  slug: "length-required",
  status: 411,
  title: "Length required",
  detail: (e) => `send the body with Content-Length (at most ${e.limitBytes} bytes), not chunked`
})

export const UnsupportedMediaTypeProblem = problem(UnsupportedMediaType, {
  slug: "unsupported-media-type",
  status: 415,
  title: "Unsupported media type",
  detail: (e) => `send ${e.accepted ?? "application/json"}, not ${e.contentType}`
})

export const TooManyRequestsProblem = problem(TooManyRequests, {
  slug: "too-many-requests",
  status: 429,
  title: "Too many requests",
  detail: (e) => `at most ${e.limit} requests a minute; retry in ${e.retryAfterSeconds} s`
})

export const IdempotencyKeyReusedProblem = problem(IdempotencyKeyReused, {
  slug: "idempotency-key-reused",
  status: 422,
  title: "Idempotency key reused",
  detail: (e) => `Idempotency-Key ${e.key} was used for a different request`
})

export const IdempotencyInProgressProblem = problem(IdempotencyInProgress, {
  slug: "idempotency-in-progress",
  status: 409,
  title: "Request in progress",
  detail: (e) => `a request with Idempotency-Key ${e.key} is still running`
})

export const SecretNotReplayedProblem = problem(SecretNotReplayed, {
  slug: "secret-not-replayed",
  status: 409,
  title: "Secret not replayed",
  detail: (e) =>
    `the request with Idempotency-Key ${e.key} succeeded (${e.originalStatus}); its answer held a secret that is shown only once, so it was not kept and is not sent again`
})

export const TimeoutProblem = problem(Timeout, {
  slug: "timeout",
  status: 503,
  title: "Timed out",
  detail: (e) => `the request took longer than ${e.seconds} s`
})

export const UnavailableProblem = problem(Unavailable, {
  slug: "unavailable",
  status: 503,
  title: "Unavailable",
  detail: (e) => e.reason
})

export const InternalErrorProblem = problem(InternalError, {
  slug: "internal",
  status: 500,
  title: "Internal error",
  detail: (e) => `something went wrong on our side; quote request id ${e.requestId}`
})

/** Every problem the API answers with, for the API definition and for encoding outside handlers. */
export const all = [
  InvalidInputProblem,
  MalformedRequestProblem,
  UnauthorizedProblem,
  ForbiddenProblem,
  NotFoundProblem,
  VersionConflictProblem,
  DuplicateKeyProblem,
  IllegalTransitionProblem,
  IdempotencyInProgressProblem,
  PreconditionFailedProblem,
  LengthRequiredProblem,
  PayloadTooLargeProblem,
  UnsupportedMediaTypeProblem,
  RuleViolationProblem,
  BatchRejectedProblem,
  ImportRejectedProblem,
  TooManyRowsProblem,
  IdempotencyKeyReusedProblem,
  SecretNotReplayedProblem,
  TooManyRequestsProblem,
  InternalErrorProblem,
  TimeoutProblem,
  UnavailableProblem
] as const

/** Any error the API answers with. */
export type ApiError = Schema.Schema.Type<(typeof all)[number]>

/**
 * The problem response for an error, for answers made outside endpoint handlers (middleware);
 * the same bytes the handlers' error encoding produces.
 */
export const toResponse = (
  error: ApiError,
  headers?: Record<string, string>
): HttpServerResponse.HttpServerResponse => {
  const schema = registry.get(error._tag)
  if (schema === undefined) throw new Error(`no problem schema for ${error._tag}`)
  const body = Schema.encodeSync(schema)(error)
  return HttpServerResponse.unsafeJson(body, { status: body.status, contentType, ...(headers ? { headers } : {}) })
}
