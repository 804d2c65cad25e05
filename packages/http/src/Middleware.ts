import { createHash } from "node:crypto"
import {
  HttpApiBuilder,
  HttpApiError,
  HttpApp,
  HttpIncomingMessage,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { Errors } from "@taskdesk/core"
import {
  Cause,
  Clock,
  Context,
  Duration,
  Effect,
  type Fiber,
  FiberId,
  FiberRef,
  FiberRefs,
  HashSet,
  Option,
  Schedule
} from "effect"
import { TaskdeskApi } from "./Api.js"
import { securityEvent } from "./auth/Accounts.js"
import { AuthStore } from "./auth/AuthStore.js"
import * as Tokens from "./auth/Tokens.js"
import { ServerSettings, telegramBot } from "./Config.js"
import { maxJsonDepth, nestsDeeperThan } from "./JsonDepth.js"
import * as Problem from "./Problem.js"
import { secretRoutes } from "./ReturnsSecret.js"

/** Each request's id: in `X-Request-Id` and in every log line made while serving it. */
export const requestIds = new WeakMap<HttpServerRequest.HttpServerRequest, string>()

/** The user a request acted as, once authenticated; for the request log. */
export const requestUser = new WeakMap<HttpServerRequest.HttpServerRequest, string>()

/**
 * The id of the request a fiber serves, read from the fiber's refs (as a logger sees them): the
 * request in its context, then its id. Nothing is set per request but one `WeakMap` entry.
 */
export const requestIdOf = (refs: FiberRefs.FiberRefs): string | undefined => {
  const context = FiberRefs.getOrDefault(refs, FiberRef.currentContext)
  const request = Context.getOption(context, HttpServerRequest.HttpServerRequest)
  return Option.isSome(request) ? requestIds.get(request.value) : undefined
}

/** Interrupts requests past the request timeout; its interruptions answer 503. */
const timeoutFiberId = FiberId.runtime(-1, 0)

const validRequestId = /^[A-Za-z0-9._:-]{1,128}$/

// A random prefix per process and a counter: unique without a random draw per request.
const requestIdPrefix = Tokens.newId().slice(0, 8)
let requestCounter = 0
const nextRequestId = () => `${requestIdPrefix}-${(++requestCounter).toString(36)}`

const bodyMethods = new Set(["POST", "PUT", "PATCH"])

/** The endpoints that take a file (`POST /api/import/…`) rather than JSON. */
const isUpload = (method: string, path: string) => method === "POST" && path.startsWith("/api/import/")
const uploadTypes = /^(text\/csv|multipart\/form-data)\s*(;|$)/i

const securityHeaders = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()"
}
const apiPolicy = "default-src 'none'; frame-ancestors 'none'"
// The docs page inlines Swagger UI's script and styles and loads nothing from elsewhere.
const docsPolicy =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
// The same few header sets for every response, made once.
const otherHeaders = { ...securityHeaders, "content-security-policy": apiPolicy }
const apiHeaders = { ...otherHeaders, "cache-control": "no-store" }
const docsHeaders = { ...securityHeaders, "content-security-policy": docsPolicy }
// The web pages load their own scripts and styles and talk only to this origin (the API, its event stream).
// With a Telegram bot, the sign-in page also loads the Login Widget's script, which shows its button in a frame
// from oauth.telegram.org; the widget runs in its redirect mode, so no 'unsafe-eval' is needed.
const webPolicy = (telegram: boolean) =>
  [
    "default-src 'self'",
    telegram ? "script-src 'self' https://telegram.org" : "script-src 'self'",
    ...(telegram ? ["frame-src https://oauth.telegram.org"] : []),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'"
  ].join("; ")

const pathOf = (url: string) => {
  const q = url.indexOf("?")
  return q === -1 ? url : url.slice(0, q)
}

/** The endpoints whose answers carry a secret shown once: never kept for idempotent replays. */
const returnsSecret = secretRoutes(TaskdeskApi)

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url")

/**
 * One issue per field: a union reports one per alternative (`Expected "low", actual "soon"`,
 * `Expected "high", …`), merged here into `Expected "low" | "high", actual "soon"`.
 */
const mergeIssues = (
  issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>
): Array<Errors.FieldIssue> => {
  const byPath = new Map<string, { path: Array<string | number>; messages: Array<string> }>()
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))
    const key = JSON.stringify(path)
    const entry = byPath.get(key) ?? { path, messages: [] }
    if (!entry.messages.includes(issue.message)) entry.messages.push(issue.message)
    byPath.set(key, entry)
  }
  return [...byPath.values()].map(({ path, messages: all }) => {
    // An optional field's "or nothing" alternative says nothing the field's own message doesn't.
    const specific = all.filter((m) => !m.startsWith("Expected undefined, actual "))
    const messages = specific.length > 0 ? specific : all
    const parsed = messages.map((m) => /^Expected (.+), actual (.+)$/s.exec(m))
    const actual = parsed[0]?.[2]
    const message =
      messages.length > 1 && parsed.every((m) => m !== null && m[2] === actual)
        ? `Expected ${parsed.map((m) => m![1]).join(" | ")}, actual ${actual}`
        : messages.join("; ")
    return new Errors.FieldIssue({ path, message })
  })
}

const readFailure = (error: { readonly cause?: unknown }, limitBytes: number) =>
  String((error.cause as Error | undefined)?.message ?? "").includes("maxBytes")
    ? new Problem.PayloadTooLarge({ limitBytes })
    : new Problem.MalformedRequest({ reason: "the body is not valid JSON" })

/**
 * Everything every request goes through, around the API's router: a request id, CORS, security
 * headers, body limits (413, 411) and media type (415), the request timeout (503),
 * `Idempotency-Key`, problem documents for every failure (schema failures with each bad field,
 * unknown routes, defects as 500 with only the request id), and the request log.
 *
 * It answers every failure itself, so each response leaves through here and gets its headers
 * directly (a pre-response handler per request would cost a fiber-ref update each time).
 */
export class RequestPipeline extends Effect.Service<RequestPipeline>()("@taskdesk/http/RequestPipeline", {
  scoped: Effect.gen(function* () {
    const settings = yield* ServerSettings
    const store = yield* AuthStore
    const webHeaders = {
      ...securityHeaders,
      "content-security-policy": webPolicy(telegramBot(settings) !== undefined)
    }
    const limitBytes = settings.server.maxBodyKb * 1024
    // File uploads (the CSV imports) have a limit of their own and take CSV rather than JSON.
    const uploadLimitBytes = settings.csv.importMaxBodyKb * 1024
    const seconds = settings.server.requestTimeoutSeconds
    const timeoutMillis = Math.round(seconds * 1000)
    // An analysis waits on a language model for up to `llm.timeout_seconds` an attempt, 60 s by default:
    // its requests may run that long and a little more, whatever `request_timeout` says.
    const analysisMillis = Math.max(timeoutMillis, Math.round((settings.llm.timeoutSeconds + 5) * 1000))
    const deadlineOf = (method: string, path: string) =>
      method === "POST" && path.endsWith("/analysis") ? analysisMillis : timeoutMillis
    const origins = new Set(settings.server.corsOrigins)
    const anyOrigin = origins.has("*")
    const logRequests = settings.logging.requests
    const idempotencyMillis = 24 * 3_600_000

    // Request fibers and their deadlines. A sweep interrupts the late ones: cheaper than a timer and
    // a racing fiber per request, at the price of up to a second's slack.
    const running = new Map<Fiber.RuntimeFiber<unknown, unknown>, number>()
    yield* Effect.forkScoped(
      Effect.repeat(
        Effect.sync(() => {
          const now = Date.now()
          for (const [fiber, deadline] of running) {
            if (deadline <= now) {
              running.delete(fiber)
              fiber.unsafeInterruptAsFork(timeoutFiberId)
            }
          }
        }),
        Schedule.spaced(Duration.millis(Math.min(1_000, timeoutMillis)))
      )
    )

    const corsHeaders = (origin: string | undefined): Record<string, string> | undefined => {
      if (origin === undefined || (!anyOrigin && !origins.has(origin))) return undefined
      return {
        "access-control-allow-origin": anyOrigin ? "*" : origin,
        ...(anyOrigin ? {} : { "access-control-allow-credentials": "true", vary: "Origin" }),
        "access-control-expose-headers": "ETag, Location, Retry-After, X-Request-Id, Idempotent-Replayed"
      }
    }

    const checkBody = (request: HttpServerRequest.HttpServerRequest, upload: boolean): Problem.ApiError | undefined => {
      const limit = upload ? uploadLimitBytes : limitBytes
      const length = request.headers["content-length"]
      if (length !== undefined && Number(length) > limit) return new Problem.PayloadTooLarge({ limitBytes: limit })
      // A body of unknown length could only be refused by dropping the connection mid-upload.
      if (length === undefined && request.headers["transfer-encoding"] !== undefined) {
        return new Problem.LengthRequired({ limitBytes: limit })
      }
      const type = request.headers["content-type"]
      if (
        length !== undefined &&
        length !== "0" &&
        (type === undefined || !(upload ? uploadTypes : /^application\/([a-z.+-]*\+)?json\s*(;|$)/i).test(type))
      ) {
        return new Problem.UnsupportedMediaType({
          contentType: type ?? "(none)",
          ...(upload ? { accepted: "text/csv or multipart/form-data" } : {})
        })
      }
      return undefined
    }

    /** The response of a failure: a problem document, or the failure again for the platform (interruptions). */
    const problemOf = (cause: Cause.Cause<unknown>, request: HttpServerRequest.HttpServerRequest, requestId: string) =>
      Effect.gen(function* () {
        const failure = Cause.failureOption(cause)
        if (Option.isSome(failure)) {
          const error: unknown = failure.value
          if (error instanceof HttpApiError.HttpApiDecodeError) {
            return Problem.toResponse(
              new Errors.InvalidInput({
                message: "the request does not match the schema",
                issues: mergeIssues(error.issues)
              })
            )
          }
          if (error instanceof HttpServerError.RouteNotFound) {
            return Problem.toResponse(
              new Errors.NotFound({ entity: "Route", id: `${request.method} ${pathOf(request.url)}` })
            )
          }
          if (error instanceof HttpServerError.RequestError) return Problem.toResponse(readFailure(error, limitBytes))
          if (error instanceof Problem.Unauthorized) {
            return Problem.toResponse(error, { "www-authenticate": 'Bearer realm="taskdesk"' })
          }
          if (error instanceof Problem.TooManyRequests) {
            return Problem.toResponse(error, { "retry-after": String(error.retryAfterSeconds) })
          }
          if (error instanceof Errors.Forbidden) {
            yield* securityEvent("forbidden", {
              userId: requestUser.get(request),
              action: error.action,
              route: `${request.method} ${pathOf(request.url)}`
            })
          }
          if (Problem.isApiError(error)) return Problem.toResponse(error)
        }
        const defect = Cause.dieOption(cause)
        // The platform's body readers die with these (`orDie`): a malformed or oversized body.
        if (Option.isSome(defect) && defect.value instanceof HttpServerError.RequestError) {
          return Problem.toResponse(readFailure(defect.value, limitBytes))
        }
        if (Cause.isInterruptedOnly(cause)) {
          if (HashSet.has(Cause.interruptors(cause), timeoutFiberId))
            return Problem.toResponse(new Problem.Timeout({ seconds }))
          // Client aborts and shutdown: the platform answers those itself.
          return yield* Effect.failCause(cause as Cause.Cause<never>)
        }
        yield* Effect.logError("unexpected failure", cause)
        return Problem.toResponse(new Problem.InternalError({ requestId }))
      })

    /** The response as it will leave, with the headers handlers added through pre-response handlers. */
    const finalResponse = (
      request: HttpServerRequest.HttpServerRequest,
      response: HttpServerResponse.HttpServerResponse
    ) =>
      Effect.flatMap(FiberRef.get(HttpApp.currentPreResponseHandlers), (handler) =>
        Option.isNone(handler) ? Effect.succeed(response) : Effect.orDie(handler.value(request, response))
      )

    /** Runs a POST once per `Idempotency-Key` and caller; retries get the stored answer. */
    const idempotent = (
      request: HttpServerRequest.HttpServerRequest,
      key: string,
      run: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
    ) =>
      Effect.gen(function* () {
        if (key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
          return Problem.toResponse(
            new Errors.InvalidInput({
              message: "Idempotency-Key must be 1–255 visible ASCII characters",
              issues: [new Errors.FieldIssue({ path: ["Idempotency-Key"], message: "1–255 visible ASCII characters" })]
            })
          )
        }
        const credentials =
          request.headers.authorization ??
          request.cookies.taskdesk_session ??
          `anonymous ${Option.getOrElse(request.remoteAddress, () => "")}`
        const scope = sha256(credentials)
        const read = yield* Effect.either(request.text)
        if (read._tag === "Left") return Problem.toResponse(readFailure(read.left, limitBytes))
        const secret = returnsSecret(request.method, pathOf(request.url))
        // These requests carry secrets too (a password, a refresh token): a fast hash of the body would
        // let anyone with the database guess a password offline, so for them the key alone identifies
        // the request.
        const fingerprint = sha256(`${request.method} ${request.url}\n${secret ? "" : read.right}`)
        const now = yield* Clock.currentTimeMillis
        const existing = yield* store.claimIdempotency({
          scope,
          key,
          fingerprint,
          createdAt: now,
          expiresAt: now + idempotencyMillis
        })
        if (Option.isSome(existing)) {
          const record = existing.value
          if (record.fingerprint !== fingerprint) return Problem.toResponse(new Problem.IdempotencyKeyReused({ key }))
          if (Option.isNone(record.response)) return Problem.toResponse(new Problem.IdempotencyInProgress({ key }))
          const stored = record.response.value
          const { "content-type": contentType, ...headers } = stored.headers
          return HttpServerResponse.text(stored.body, {
            status: stored.status,
            headers: { ...headers, "idempotent-replayed": "true" },
            ...(contentType !== undefined ? { contentType } : {})
          })
        }
        const response = yield* run.pipe(Effect.onInterrupt(() => store.releaseIdempotency(scope, key)))
        const sent = yield* finalResponse(request, response)
        const keep = sent.status < 500 && sent.status !== 401 && sent.status !== 429
        const payload =
          sent.body._tag === "Uint8Array"
            ? Option.some(new TextDecoder().decode(sent.body.body))
            : sent.body._tag === "Empty"
              ? Option.some("")
              : Option.none()
        if (!keep || Option.isNone(payload)) {
          yield* store.releaseIdempotency(scope, key)
          return response
        }
        if (sent.status < 300 && secret) {
          // The secret is shown once and never written down: what is kept is the refusal a retry gets.
          const refusal = Problem.toResponse(new Problem.SecretNotReplayed({ key, originalStatus: sent.status }))
          const body = refusal.body._tag === "Uint8Array" ? new TextDecoder().decode(refusal.body.body) : ""
          yield* store.completeIdempotency(scope, key, {
            status: refusal.status,
            headers: { "content-type": Problem.contentType },
            body
          })
          return response
        }
        const headers: Record<string, string> = {}
        for (const name of ["etag", "location"]) {
          const value = sent.headers[name]
          if (value !== undefined) headers[name] = value
        }
        if (sent.body._tag === "Uint8Array") headers["content-type"] = sent.body.contentType
        yield* store.completeIdempotency(scope, key, { status: sent.status, headers, body: payload.value })
        return response
      })

    /**
     * Reads the body here, the one place every body is read before anything else looks at it (both
     * serving paths read it once and keep it): within the size limit, and refused when it nests
     * deeper than `maxJsonDepth`, before any parsing or schema work.
     */
    const withReadBody = (
      request: HttpServerRequest.HttpServerRequest,
      requestId: string,
      upload: boolean,
      handled: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
    ) =>
      // Interruptible, as the handlers' own reads are, so the request timeout and client aborts reach it.
      Effect.matchCauseEffect(Effect.interruptible(request.text), {
        onFailure: (cause) => problemOf(cause, request, requestId),
        onSuccess: (text) =>
          !upload && nestsDeeperThan(text, maxJsonDepth)
            ? Effect.succeed(
                Problem.toResponse(
                  new Problem.MalformedRequest({ reason: `the body nests deeper than ${maxJsonDepth} levels` })
                )
              )
            : handled
      })

    const preflight = (cors: Record<string, string> | undefined) =>
      HttpServerResponse.empty({
        status: 204,
        headers:
          cors === undefined
            ? {}
            : {
                "access-control-allow-methods": "GET, POST, PATCH, PUT, DELETE, OPTIONS",
                "access-control-allow-headers":
                  "Authorization, Content-Type, If-Match, Idempotency-Key, X-CSRF-Token, X-Request-Id",
                "access-control-max-age": "600"
              }
      })

    const wrap = (app: HttpApp.Default<unknown>) =>
      Effect.withFiberRuntime<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>(
        (fiber) => {
          const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
          const started = logRequests ? performance.now() : 0
          const given = request.headers["x-request-id"]
          const requestId = given !== undefined && validRequestId.test(given) ? given : nextRequestId()
          requestIds.set(request, requestId)
          const path = pathOf(request.url)
          const cors = corsHeaders(request.headers.origin)
          const base = path.startsWith("/api/")
            ? apiHeaders
            : path === "/docs"
              ? docsHeaders
              : path === "/openapi.json" || path.startsWith("/telegram/")
                ? otherHeaders
                : webHeaders
          const finish = (response: HttpServerResponse.HttpServerResponse) => {
            running.delete(fiber)
            const decorated = HttpServerResponse.setHeaders(
              response,
              cors === undefined
                ? { ...base, "x-request-id": requestId }
                : { ...base, ...cors, "x-request-id": requestId }
            )
            if (!logRequests) return Effect.succeed(decorated)
            return Effect.as(
              Effect.logInfo("request").pipe(
                Effect.annotateLogs({
                  method: request.method,
                  path,
                  status: response.status,
                  durationMs: Math.round((performance.now() - started) * 100) / 100,
                  ...(requestUser.has(request) ? { userId: requestUser.get(request) } : {})
                })
              ),
              decorated
            )
          }

          if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
            return finish(preflight(cors))
          }
          const hasBody = bodyMethods.has(request.method)
          const upload = hasBody && isUpload(request.method, path)
          const refused = hasBody ? checkBody(request, upload) : undefined
          if (refused !== undefined) return finish(Problem.toResponse(refused))

          running.set(fiber, Date.now() + deadlineOf(request.method, path))
          // `finish` ends the entry; this ends it when the request ends without an answer (interrupted).
          fiber.addObserver(() => running.delete(fiber))
          const answered = Effect.catchAllCause(app, (cause) => problemOf(cause, request, requestId))
          const key = request.method === "POST" ? request.headers["idempotency-key"] : undefined
          const handled = key === undefined ? answered : idempotent(request, key, answered)
          if (!hasBody) return Effect.flatMap(handled, finish)
          const length = request.headers["content-length"]
          // `checkBody` let through only JSON when there is a body, and only of a known length.
          const checked =
            length === undefined || length === "0" ? handled : withReadBody(request, requestId, upload, handled)
          return Effect.flatMap(
            HttpIncomingMessage.withMaxBodySize(checked, Option.some(upload ? uploadLimitBytes : limitBytes)),
            finish
          )
        }
      )
    return { wrap } as const
  })
}) {}

/** The pipeline around the platform's router (routes the compiled dispatcher does not serve). */
export const layer = HttpApiBuilder.middleware(
  TaskdeskApi,
  Effect.map(RequestPipeline, (pipeline) => pipeline.wrap)
)
