import {
  Actor,
  type AuditEvent,
  Errors,
  EventBus,
  type Ids,
  type Role,
  type User,
  UserRepo,
  Validation
} from "@taskdesk/core"
import { Clock, Effect, Option, Redacted, Stream } from "effect"
import { ServerSettings } from "../Config.js"
import { Unauthorized } from "../Problem.js"
import { AuthStore, type StoredToken } from "./AuthStore.js"
import { PasswordHasher } from "./PasswordHasher.js"
import * as PasswordPolicy from "./PasswordPolicy.js"
import * as Telegram from "./Telegram.js"
import * as Tokens from "./Tokens.js"

/** The tokens of a new or renewed session, and whom they belong to. */
export interface IssuedSession {
  readonly accessToken: string
  readonly refreshToken: string
  readonly expiresIn: number
  readonly refreshExpiresIn: number
  readonly csrfToken: string | undefined
  readonly user: User.User
}

/** Who a request acts as, and by which stored credential. */
export interface Authenticated {
  readonly actor: Actor.Actor
  readonly token: StoredToken
}

/** Logs a security event (sign-ins, reuse of a refresh token, refused requests) as one structured line. */
export const securityEvent = (action: string, fields: Record<string, unknown>) =>
  Effect.logInfo(action).pipe(Effect.annotateLogs({ security: true, action, ...fields }))

const touchEveryMillis = 60_000
const cacheMillis = 2_000
const cacheEntries = 10_000
const maxTokenDays = 3_650

/**
 * Credentials and sessions: password sign-in, Telegram sign-in, refresh-token rotation with reuse
 * detection, API tokens. The server's concern, not the domain's: the core never sees a password.
 */
export class Accounts extends Effect.Service<Accounts>()("@taskdesk/http/Accounts", {
  scoped: Effect.gen(function* () {
    const store = yield* AuthStore
    const hasher = yield* PasswordHasher
    const users = yield* UserRepo.UserRepo
    const bus = yield* EventBus.EventBus
    const settings = yield* ServerSettings
    const accessMillis = Math.round(settings.security.sessionTimeoutHours * 3_600_000)
    const refreshMillis = Math.round(settings.security.refreshTokenDays * 86_400_000)
    // Checked when the user is unknown, so a wrong username costs as long as a wrong password.
    const decoy = yield* hasher.hash(Redacted.make(Tokens.generate("csrf")))
    const refused = (reason: string) => new Unauthorized({ reason })
    const badCredentials = refused("wrong username or password")

    const issue = (user: User.User, sessionId: string, cookie: boolean) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const accessToken = Tokens.generate("access")
        const refreshToken = Tokens.generate("refresh")
        const csrfToken = cookie ? Tokens.generate("csrf") : undefined
        const base = {
          userId: user.id,
          role: user.role,
          sessionId,
          name: null,
          createdAt: now,
          usedAt: null,
          revokedAt: null,
          lastUsedAt: null
        }
        yield* store.insertTokens([
          {
            ...base,
            hash: Tokens.hash(accessToken),
            id: Tokens.newId(),
            kind: "access",
            csrf: csrfToken === undefined ? null : Tokens.hash(csrfToken),
            expiresAt: now + accessMillis
          },
          {
            ...base,
            hash: Tokens.hash(refreshToken),
            id: Tokens.newId(),
            kind: "refresh",
            // Marks a cookie session, so its refresh issues a cookie session again (it read null before, and a
            // renewed browser session came back without its cookie: signed out at the next call).
            csrf: csrfToken === undefined ? null : Tokens.hash(csrfToken),
            expiresAt: now + refreshMillis
          }
        ])
        return {
          accessToken,
          refreshToken,
          expiresIn: Math.floor(accessMillis / 1000),
          refreshExpiresIn: Math.floor(refreshMillis / 1000),
          csrfToken,
          user
        } satisfies IssuedSession
      })

    const activeUser = (id: Ids.UserId) =>
      Effect.map(
        users.findById(id),
        Option.filter((u) => u.active)
      )

    /** Signs in with a username and password; a new session family starts. */
    const login = Effect.fn("Accounts.login")(function* (input: {
      readonly username: string
      readonly password: Redacted.Redacted<string>
      readonly cookie?: boolean | undefined
      readonly address?: string | undefined
    }) {
      const user = Option.filter(yield* users.findByUsername(input.username.trim()), (u) => u.active)
      const stored = Option.isSome(user) ? yield* store.getPassword(user.value.id) : Option.none<string>()
      const ok = yield* hasher.verify(
        Option.getOrElse(stored, () => decoy),
        input.password
      )
      if (!ok || Option.isNone(user) || Option.isNone(stored)) {
        yield* securityEvent("login.failed", { username: input.username.slice(0, 64), address: input.address })
        return yield* badCredentials
      }
      yield* securityEvent("login.succeeded", { userId: user.value.id, address: input.address })
      return yield* issue(user.value, Tokens.newId(), input.cookie ?? false)
    })

    /**
     * Exchanges a refresh token for a new pair in the same session family. A token exchanged twice
     * means it leaked: the whole family is revoked.
     */
    const refresh = Effect.fn("Accounts.refresh")(function* (refreshToken: string) {
      if (!Tokens.looksLike("refresh", refreshToken)) return yield* refused("not a refresh token")
      const hash = Tokens.hash(refreshToken)
      const found = yield* store.findToken(hash)
      if (Option.isNone(found) || found.value.kind !== "refresh") return yield* refused("unknown refresh token")
      const token = found.value
      const now = yield* Clock.currentTimeMillis
      if (token.revokedAt !== null) return yield* refused("the session was revoked")
      if (token.expiresAt !== null && token.expiresAt <= now) return yield* refused("the refresh token expired")
      if (!(yield* store.useRefresh(hash, now))) {
        yield* store.revokeSession(token.sessionId!, now)
        yield* forget
        yield* securityEvent("refresh.reused", { userId: token.userId, sessionId: token.sessionId })
        return yield* refused("the refresh token was used already; the session has been revoked")
      }
      const user = yield* activeUser(token.userId)
      if (Option.isNone(user)) {
        yield* store.revokeSession(token.sessionId!, now)
        yield* forget
        return yield* refused("the account is deactivated")
      }
      return yield* issue(user.value, token.sessionId!, token.csrf !== null)
    })

    /** Resolves a bearer access or API token to the actor it acts as. */
    // Most requests end at the cache, without a generator.
    const authenticate = (token: string): Effect.Effect<Authenticated, Unauthorized> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const cached = recall(token, now)
        return cached !== undefined ? Effect.succeed(cached) : lookUp(token)
      })

    const lookUp = (token: string): Effect.Effect<Authenticated, Unauthorized> => {
      const kind = Tokens.looksLike("access", token) ? "access" : Tokens.looksLike("api", token) ? "api" : undefined
      if (kind === undefined) {
        return refused(token === "" ? "sign in first: no credentials were sent" : "not a taskdesk token")
      }
      return Effect.flatMap(lookUpHash(Tokens.hash(token), kind), ({ auth, now }) => {
        remember(token, auth, now)
        return Effect.succeed(auth)
      })
    }

    const lookUpHash = (hash: string, kind: "access" | "api" | "either") =>
      Effect.gen(function* () {
        const found = yield* store.findToken(hash)
        if (Option.isNone(found) || !(kind === "either" ? found.value.kind !== "refresh" : found.value.kind === kind)) {
          return yield* refused("unknown token")
        }
        const stored = found.value
        const now = yield* Clock.currentTimeMillis
        if (stored.revokedAt !== null) return yield* refused("the token was revoked")
        if (stored.expiresAt !== null && stored.expiresAt <= now) return yield* refused("the token expired")
        // The role and the account's state are the user's now, not what they were when the token
        // was made: a change through the core's `Users` (or another server instance) is seen here.
        const user = yield* users.findById(stored.userId)
        if (Option.isNone(user) || !user.value.active) return yield* refused("the account is deactivated")
        if (stored.kind === "api" && (stored.lastUsedAt === null || stored.lastUsedAt < now - touchEveryMillis)) {
          yield* store.touchApiToken(stored.hash, now)
        }
        // Built without validation: the user comes from the store, the token from this service.
        const auth: Authenticated = {
          actor: new Actor.Actor({ id: stored.userId, role: user.value.role }, true),
          token: stored
        }
        return { auth, now }
      })

    /**
     * Resolves an access or API token known only by its hash (what a WebSocket ticket keeps) to the
     * actor it acts as, checked afresh in the store: never from the cache, which is keyed by tokens.
     */
    const authenticateHash = (hash: string): Effect.Effect<Authenticated, Unauthorized> =>
      Effect.map(lookUpHash(hash, "either"), ({ auth }) => auth)

    /**
     * Tokens recently resolved, for `cacheMillis`: most requests then skip the store. Every revocation
     * here clears it, and so does every change to a user the core publishes (role, deactivation), so
     * within this process a revoked token or a demoted user stops at once; another server process
     * sharing the database notices within `cacheMillis`.
     */
    const cache = new Map<string, { readonly auth: Authenticated; readonly until: number }>()
    const recall = (token: string, now: number): Authenticated | undefined => {
      const hit = cache.get(token)
      if (hit === undefined) return undefined
      if (hit.until > now && (hit.auth.token.expiresAt === null || hit.auth.token.expiresAt > now)) return hit.auth
      cache.delete(token)
      return undefined
    }
    const remember = (token: string, auth: Authenticated, now: number) => {
      if (cache.size >= cacheEntries) cache.clear()
      cache.set(token, { auth, until: now + cacheMillis })
    }
    const forget = Effect.sync(() => cache.clear())
    // Published after commit, whoever made the change: the HTTP endpoint, the CLI, an embedder.
    // A deactivation also revokes the person's tokens, so reactivating them later does not bring
    // old credentials back (until then the check of the account above refuses them anyway).
    const onUserEvent = (event: AuditEvent.AuditEvent) =>
      event.subject.kind !== "user"
        ? Effect.void
        : event.payload._tag === "user.deactivated"
          ? // The cache first, at once: the revocation is a statement away.
            Effect.zipRight(
              forget,
              Effect.flatMap(Clock.currentTimeMillis, (now) => store.revokeUser(event.subject.id as Ids.UserId, now))
            )
          : forget
    yield* Effect.forkScoped(
      Stream.runForEach(yield* bus.subscribe, (event) =>
        onUserEvent(event).pipe(
          Effect.catchAllCause((cause) => Effect.logWarning("could not act on a user's change", cause))
        )
      )
    )

    /** Ends the session a token belongs to (all its tokens); API tokens are revoked through `/api/tokens`. */
    const logout = Effect.fn("Accounts.logout")(function* (token: StoredToken) {
      if (token.sessionId !== null) yield* store.revokeSession(token.sessionId, yield* Clock.currentTimeMillis)
      yield* forget
    })

    /** Sets a password after checking the policy (administrators, the CLI, the user's own change). */
    const setPassword = Effect.fn("Accounts.setPassword")(function* (
      user: User.User,
      password: Redacted.Redacted<string>,
      field = "password"
    ) {
      yield* PasswordPolicy.check(Redacted.value(password), { field, username: user.username })
      yield* store.setPassword(user.id, yield* hasher.hash(password), yield* Clock.currentTimeMillis)
    })

    /** The user changes their own password; their other sessions end. */
    const changePassword = Effect.fn("Accounts.changePassword")(function* (
      self: Authenticated,
      current: Redacted.Redacted<string>,
      next: Redacted.Redacted<string>
    ) {
      const user = yield* activeUser(self.actor.id)
      if (Option.isNone(user)) return yield* refused("the account is deactivated")
      const stored = yield* store.getPassword(self.actor.id)
      if (
        !(yield* hasher.verify(
          Option.getOrElse(stored, () => decoy),
          current
        )) ||
        Option.isNone(stored)
      ) {
        yield* securityEvent("password.change_refused", { userId: self.actor.id })
        return yield* Validation.invalidField(["currentPassword"], "the current password is wrong")
      }
      yield* setPassword(user.value, next, "newPassword")
      yield* store.revokeUser(self.actor.id, yield* Clock.currentTimeMillis, {
        exceptSession: self.token.sessionId ?? undefined,
        keepApiTokens: true
      })
      yield* forget
      yield* securityEvent("password.changed", { userId: self.actor.id })
    })

    /** Signs in with the Telegram Login Widget as the user linked to that Telegram id. */
    const telegram = Effect.fn("Accounts.telegram")(function* (
      fields: Readonly<Record<string, string | number>> & {
        readonly id: number
        readonly hash: string
        readonly auth_date: number
      },
      options: { readonly cookie?: boolean | undefined } = {}
    ) {
      const botToken = settings.security.telegramBotToken
      if (botToken === undefined) return yield* refused("Telegram sign-in is not configured on this server")
      const refusal = Telegram.verify(fields, {
        botToken: Redacted.value(botToken),
        maxAgeSeconds: settings.security.telegramAuthMaxAgeSeconds,
        nowMillis: yield* Clock.currentTimeMillis
      })
      if (refusal !== undefined) {
        yield* securityEvent("login.telegram_refused", { telegramId: fields.id, refusal })
        return yield* refused(
          refusal === "bad-signature"
            ? "the Telegram signature does not match"
            : "the Telegram sign-in is too old; sign in again"
        )
      }
      const user = Option.filter(yield* users.findByTelegramId(fields.id), (u) => u.active)
      if (Option.isNone(user)) {
        yield* securityEvent("login.telegram_unlinked", { telegramId: fields.id })
        return yield* refused("no active user is linked to this Telegram account")
      }
      yield* securityEvent("login.succeeded", { userId: user.value.id, via: "telegram" })
      return yield* issue(user.value, Tokens.newId(), options.cookie ?? false)
    })

    /**
     * Makes an API token acting as the user, with their role at each use; the secret is returned
     * once. It expires at `expiresAt` (epoch milliseconds) or after `expiresInDays`, or never
     * (`checkExpiry` first when these come from a request).
     */
    const createApiToken = Effect.fn("Accounts.createApiToken")(function* (
      actor: Actor.Actor,
      input: {
        readonly name: string
        readonly expiresInDays?: number | undefined
        readonly expiresAt?: number | undefined
      }
    ) {
      const now = yield* Clock.currentTimeMillis
      const token = Tokens.generate("api")
      const stored: StoredToken = {
        hash: Tokens.hash(token),
        id: Tokens.newId(),
        kind: "api",
        userId: actor.id,
        role: actor.role,
        sessionId: null,
        name: input.name,
        csrf: null,
        createdAt: now,
        expiresAt:
          input.expiresAt ?? (input.expiresInDays === undefined ? null : now + input.expiresInDays * 86_400_000),
        usedAt: null,
        revokedAt: null,
        lastUsedAt: null
      }
      yield* store.insertTokens([stored])
      yield* securityEvent("api_token.created", { userId: actor.id, tokenId: stored.id, expiresAt: stored.expiresAt })
      return { token, stored }
    })

    /** Refuses an API token's expiry that is past, too far off, or given both ways. */
    const checkExpiry = (input: {
      readonly expiresInDays?: number | undefined
      readonly expiresAt?: number | undefined
    }): Effect.Effect<void, Errors.InvalidInput> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const at = input.expiresAt
        if (at === undefined) return Effect.void
        if (input.expiresInDays !== undefined) {
          return Effect.fail(Validation.invalidField(["expiresAt"], "give expiresAt or expiresInDays, not both"))
        }
        if (at <= now) return Effect.fail(Validation.invalidField(["expiresAt"], "must be in the future"))
        if (at > now + maxTokenDays * 86_400_000) {
          return Effect.fail(Validation.invalidField(["expiresAt"], `must be within ${maxTokenDays} days`))
        }
        return Effect.void
      })

    const listApiTokens = Effect.fn("Accounts.listApiTokens")(function* (actor: Actor.Actor) {
      return yield* store.listApiTokens(actor.id, yield* Clock.currentTimeMillis)
    })

    const revokeApiToken = Effect.fn("Accounts.revokeApiToken")(function* (actor: Actor.Actor, id: string) {
      if (!(yield* store.revokeApiToken(actor.id, id, yield* Clock.currentTimeMillis))) {
        return yield* new Errors.NotFound({ entity: "ApiToken", id })
      }
      yield* forget
      yield* securityEvent("api_token.revoked", { userId: actor.id, tokenId: id })
    })

    /** Ends every session and API token of a user (deactivation). */
    const revokeUser = (userId: Ids.UserId) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => store.revokeUser(userId, now)).pipe(Effect.zipRight(forget))

    /** Records the user's new role on their tokens (authentication reads the user's own role anyway). */
    const setRole = (userId: Ids.UserId, role: Role.Role) => Effect.zipRight(store.setRole(userId, role), forget)

    return {
      login,
      refresh,
      authenticate,
      authenticateHash,
      logout,
      setPassword,
      changePassword,
      telegram,
      createApiToken,
      checkExpiry,
      listApiTokens,
      revokeApiToken,
      revokeUser,
      setRole
    } as const
  })
}) {}
