import { HttpApp, type HttpServerRequest, HttpServerResponse, HttpServerRequest as Request } from "@effect/platform"
import { Actor, Errors, Users } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, Redacted } from "effect"
import { TaskdeskApi } from "../Api.js"
import { Authentication, csrfCookie, sessionCookie } from "../Authentication.js"
import { ServerSettings, telegramBot } from "../Config.js"
import { WsTickets } from "../live/Tickets.js"
import { requestUser } from "../Middleware.js"
import { TooManyRequests, Unauthorized } from "../Problem.js"
import { RateLimiter } from "../RateLimiter.js"
import * as Dispatcher from "../serve/Dispatcher.js"
import { Accounts, type Authenticated, type IssuedSession } from "./Accounts.js"
import { ApiToken, CreatedApiToken, Providers, Session } from "./Api.js"
import type { StoredToken } from "./AuthStore.js"
import * as SignInLimits from "./SignInLimits.js"
import * as Tokens from "./Tokens.js"

/** The credential each authenticated request used, for handlers that act on it (logout, password change). */
export const credentials = new WeakMap<HttpServerRequest.HttpServerRequest, Authenticated>()

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"])

/** The `ticket` of a `GET /api/ws?ticket=…`: the one place a credential may ride in the URL (single use, 30 s). */
const wsTicketOf = (url: string): string | undefined =>
  url.startsWith("/api/ws?") ? (new URLSearchParams(url.slice(8)).get("ticket") ?? undefined) : undefined

const isLoopback = (host: string) => host === "localhost" || host === "::1" || host.startsWith("127.")

/** The `Authentication` middleware: bearer token or session cookie, then the per-user rate limit. */
export const AuthenticationLive: Layer.Layer<
  Authentication,
  never,
  Accounts | RateLimiter | ServerSettings | WsTickets
> = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const limiter = yield* RateLimiter
    const settings = yield* ServerSettings
    const tickets = yield* WsTickets
    const perMinute = settings.security.rateLimiting.requestsPerMinute

    // Every authenticated request runs this: plain effects, no generators (which cost a few µs each).
    const resolve = (
      request: HttpServerRequest.HttpServerRequest
    ): Effect.Effect<Authenticated, Unauthorized | Errors.Forbidden> => {
      const header = request.headers.authorization
      if (header !== undefined) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
        if (match === null) return Effect.fail(new Unauthorized({ reason: "use Authorization: Bearer <token>" }))
        return accounts.authenticate(match[1]!)
      }
      const ticket = wsTicketOf(request.url)
      if (ticket !== undefined) {
        return Effect.flatMap(tickets.redeem(ticket), (credentialHash) =>
          Option.isSome(credentialHash)
            ? accounts.authenticateHash(credentialHash.value)
            : Effect.fail(new Unauthorized({ reason: "unknown, used or expired ticket" }))
        )
      }
      const cookie = request.cookies[sessionCookie]
      if (cookie === undefined) return accounts.authenticate("")
      return Effect.flatMap(accounts.authenticate(cookie), (auth) => {
        if (safeMethods.has(request.method)) return Effect.succeed(auth)
        const given = request.headers["x-csrf-token"]
        return auth.token.csrf === null || given === undefined || !Tokens.matchesHash(given, auth.token.csrf)
          ? Effect.fail(
              new Errors.Forbidden({ action: "csrf", reason: "cookie sessions must send X-CSRF-Token on writes" })
            )
          : Effect.succeed(auth)
      })
    }

    const admit = (request: HttpServerRequest.HttpServerRequest, auth: Authenticated) => {
      credentials.set(request, auth)
      requestUser.set(request, auth.actor.id)
      return Effect.flatMap(limiter.consume(`user:${auth.actor.id}`, perMinute), (wait) =>
        wait === undefined
          ? Effect.succeed(auth.actor)
          : Effect.fail(new TooManyRequests({ limit: perMinute, retryAfterSeconds: wait }))
      )
    }

    return Authentication.of({
      bearer: () =>
        Effect.flatMap(Request.HttpServerRequest, (request) =>
          Effect.flatMap(resolve(request), (auth) => admit(request, auth))
        )
    })
  })
)

/** The credential of the current request (only inside endpoints behind `Authentication`). */
export const currentCredential = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Authenticated> =>
  Option.match(Option.fromNullable(credentials.get(request)), {
    onNone: () => Effect.dieMessage("no credential on an authenticated request"),
    onSome: Effect.succeed
  })

const toSession = (issued: IssuedSession) =>
  new Session({
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    tokenType: "Bearer",
    expiresIn: issued.expiresIn,
    refreshExpiresIn: issued.refreshExpiresIn,
    user: issued.user,
    ...(issued.csrfToken !== undefined ? { csrfToken: issued.csrfToken } : {})
  })

const toApiToken = (t: StoredToken) =>
  new ApiToken({
    id: t.id,
    name: t.name ?? "",
    createdAt: DateTime.unsafeMake(t.createdAt),
    expiresAt: t.expiresAt === null ? Option.none() : Option.some(DateTime.unsafeMake(t.expiresAt)),
    lastUsedAt: t.lastUsedAt === null ? Option.none() : Option.some(DateTime.unsafeMake(t.lastUsedAt))
  })

/** Sign-in, refresh and Telegram sign-in. */
export const AuthLive = Dispatcher.group(TaskdeskApi, "auth", (handlers) =>
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const limiter = yield* RateLimiter
    const settings = yield* ServerSettings
    const limits = SignInLimits.make(limiter, settings)
    const secureCookies = !isLoopback(settings.server.host)
    const providers = new Providers({ password: true, telegramBot: telegramBot(settings) ?? null })

    const setCookies = (issued: IssuedSession) =>
      HttpApp.appendPreResponseHandler((_, response) =>
        Effect.orDie(
          HttpServerResponse.setCookies(response, [
            [
              sessionCookie,
              issued.accessToken,
              {
                httpOnly: true,
                sameSite: "strict",
                path: "/api",
                secure: secureCookies,
                maxAge: `${issued.expiresIn} seconds`
              }
            ],
            [
              csrfCookie,
              issued.csrfToken ?? "",
              {
                httpOnly: false,
                sameSite: "strict",
                path: "/",
                secure: secureCookies,
                maxAge: `${issued.expiresIn} seconds`
              }
            ]
          ])
        )
      )

    return handlers
      .handle("login", ({ payload, request }) =>
        Effect.gen(function* () {
          const address = yield* limits.admit(request)
          const issued = yield* limits.guard(
            payload.username,
            address,
            accounts.login({
              username: payload.username,
              password: Redacted.make(payload.password),
              cookie: payload.cookie,
              address
            })
          )
          if (payload.cookie === true) yield* setCookies(issued)
          return toSession(issued)
        })
      )
      .handle("refresh", ({ payload, request }) =>
        Effect.gen(function* () {
          yield* limits.admit(request)
          const issued = yield* accounts.refresh(payload.refreshToken)
          if (issued.csrfToken !== undefined) yield* setCookies(issued)
          return toSession(issued)
        })
      )
      .handle("telegram", ({ payload, request, urlParams }) =>
        Effect.gen(function* () {
          yield* limits.admit(request)
          const cookie = urlParams.session === "cookie"
          const issued = yield* accounts.telegram(payload, { cookie })
          if (cookie) yield* setCookies(issued)
          return toSession(issued)
        })
      )
      .handle("providers", () => Effect.succeed(providers))
  })
)

/** The signed-in person: who they are, sign-out, password change. */
export const AccountLive = Dispatcher.group(TaskdeskApi, "account", (handlers) =>
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const users = yield* Users.Users
    return handlers
      .handle("me", () => Effect.flatMap(Actor.CurrentActor, (actor) => users.get(actor.id)))
      .handle("logout", ({ request }) =>
        Effect.gen(function* () {
          yield* accounts.logout((yield* currentCredential(request)).token)
          yield* HttpApp.appendPreResponseHandler((_, response) =>
            Effect.orDie(
              HttpServerResponse.setCookies(response, [
                [sessionCookie, "", { path: "/api", maxAge: 0 }],
                [csrfCookie, "", { path: "/", maxAge: 0 }]
              ])
            )
          )
        })
      )
      .handle("changePassword", ({ payload, request }) =>
        Effect.gen(function* () {
          yield* accounts.changePassword(
            yield* currentCredential(request),
            Redacted.make(payload.currentPassword),
            Redacted.make(payload.newPassword)
          )
        })
      )
  })
)

/** API tokens of the signed-in person. */
export const TokensLive = Dispatcher.group(TaskdeskApi, "tokens", (handlers) =>
  Effect.gen(function* () {
    const accounts = yield* Accounts
    return handlers
      .handle("create", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* Actor.CurrentActor
          const expiry = {
            expiresInDays: payload.expiresInDays,
            expiresAt: payload.expiresAt === undefined ? undefined : DateTime.toEpochMillis(payload.expiresAt)
          }
          yield* accounts.checkExpiry(expiry)
          const { token, stored } = yield* accounts.createApiToken(actor, { name: payload.name, ...expiry })
          return new CreatedApiToken({ ...toApiToken(stored), token })
        })
      )
      .handle("list", () =>
        Effect.flatMap(Actor.CurrentActor, (actor) =>
          Effect.map(accounts.listApiTokens(actor), (tokens) => tokens.map(toApiToken))
        )
      )
      .handle("revoke", ({ path }) =>
        Effect.flatMap(Actor.CurrentActor, (actor) => accounts.revokeApiToken(actor, path.id))
      )
  })
)
