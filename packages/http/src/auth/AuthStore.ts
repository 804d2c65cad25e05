import type { Ids, Role } from "@taskdesk/core"
import { Context, Effect, Layer, Option } from "effect"

export type TokenKind = "access" | "refresh" | "api"

/**
 * A credential as stored: never the token itself, only its hash. Access and refresh tokens belong
 * to a session (`sessionId`, the family a login starts and every refresh continues); API tokens
 * stand alone. Times are epoch milliseconds.
 */
export interface StoredToken {
  readonly hash: string
  /** Public id: what API token lists show and deletes name. */
  readonly id: string
  readonly kind: TokenKind
  readonly userId: Ids.UserId
  /** The user's role when the token was made (kept current by `setRole`); authentication reads the user's own. */
  readonly role: Role.Role
  readonly sessionId: string | null
  /** API tokens: the name given at creation. */
  readonly name: string | null
  /** Cookie sessions' access tokens: the hash (`Tokens.hash`) of the CSRF token writes must echo. */
  readonly csrf: string | null
  readonly createdAt: number
  readonly expiresAt: number | null
  /** Refresh tokens: when it was exchanged; a second exchange is a reuse. */
  readonly usedAt: number | null
  readonly revokedAt: number | null
  /** API tokens: roughly when last used (updated at most once a minute). */
  readonly lastUsedAt: number | null
}

/** A stored answer to a request made with an `Idempotency-Key`. */
export interface IdempotentResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface IdempotencyRecord {
  /** Who used the key (a hash of the credentials), so keys of different callers never meet. */
  readonly scope: string
  readonly key: string
  /** A hash of method, path and body: the same key with another request is refused. */
  readonly fingerprint: string
  readonly createdAt: number
  readonly expiresAt: number
  /** Absent while the first request still runs. */
  readonly response: Option.Option<IdempotentResponse>
}

/**
 * A WebSocket ticket as stored: its hash, and the hash of the credential it stands for (never the
 * credential: the ticket authenticates that credential afresh when it is used). Epoch milliseconds.
 */
export interface StoredTicket {
  readonly hash: string
  readonly credentialHash: string
  readonly expiresAt: number
}

/**
 * The server's own records: password hashes, tokens and idempotency keys. A port so the server can
 * keep them in memory (tests) or in the same database as the domain (SQLite, PostgreSQL).
 */
export class AuthStore extends Context.Tag("@taskdesk/http/AuthStore")<
  AuthStore,
  {
    readonly getPassword: (userId: Ids.UserId) => Effect.Effect<Option.Option<string>>
    readonly setPassword: (userId: Ids.UserId, hash: string, at: number) => Effect.Effect<void>
    readonly insertTokens: (tokens: ReadonlyArray<StoredToken>) => Effect.Effect<void>
    readonly findToken: (hash: string) => Effect.Effect<Option.Option<StoredToken>>
    /** Marks a refresh token exchanged; false when it was exchanged or revoked already (a reuse). */
    readonly useRefresh: (hash: string, at: number) => Effect.Effect<boolean>
    /** Revokes every token of a session family. */
    readonly revokeSession: (sessionId: string, at: number) => Effect.Effect<void>
    /** Revokes a user's sessions (all, or all but one) and, unless told otherwise, their API tokens. */
    readonly revokeUser: (
      userId: Ids.UserId,
      at: number,
      options?: { readonly exceptSession?: string | undefined; readonly keepApiTokens?: boolean | undefined }
    ) => Effect.Effect<void>
    /** Revokes one of the user's API tokens by id; false when they have no such live token. */
    readonly revokeApiToken: (userId: Ids.UserId, id: string, at: number) => Effect.Effect<boolean>
    /** The user's live API tokens, newest first. */
    readonly listApiTokens: (userId: Ids.UserId, now: number) => Effect.Effect<ReadonlyArray<StoredToken>>
    readonly touchApiToken: (hash: string, at: number) => Effect.Effect<void>
    /** Keeps the role of a user's live tokens current after a role change. */
    readonly setRole: (userId: Ids.UserId, role: Role.Role) => Effect.Effect<void>
    /**
     * Claims an idempotency key: none when this call made the record (go ahead), else the record
     * that was there (replay it, wait, or refuse a different request).
     */
    readonly claimIdempotency: (
      record: Omit<IdempotencyRecord, "response">
    ) => Effect.Effect<Option.Option<IdempotencyRecord>>
    readonly completeIdempotency: (scope: string, key: string, response: IdempotentResponse) => Effect.Effect<void>
    /** Forgets a claim whose request failed unexpectedly, so a retry runs again. */
    readonly releaseIdempotency: (scope: string, key: string) => Effect.Effect<void>
    readonly insertTicket: (ticket: StoredTicket) => Effect.Effect<void>
    /**
     * Takes a ticket out: the hash of the credential it stands for when it was there and unexpired.
     * Single use across every instance on the store: of two takers of one ticket, one gets it.
     */
    readonly takeTicket: (hash: string, now: number) => Effect.Effect<Option.Option<string>>
    /** Deletes expired tokens, tickets and idempotency records. */
    readonly purgeExpired: (now: number) => Effect.Effect<void>
  }
>() {
  /** Everything in process memory; gone when the process ends. */
  static readonly layerMemory: Layer.Layer<AuthStore> = Layer.sync(AuthStore, () => {
    const passwords = new Map<string, string>()
    const tokens = new Map<string, StoredToken>()
    const keys = new Map<string, IdempotencyRecord>()
    const tickets = new Map<string, StoredTicket>()
    const update = (hash: string, f: (t: StoredToken) => StoredToken) => {
      const token = tokens.get(hash)
      if (token !== undefined) tokens.set(hash, f(token))
    }
    const each = (predicate: (t: StoredToken) => boolean, f: (t: StoredToken) => StoredToken) => {
      for (const [hash, token] of tokens) if (predicate(token)) tokens.set(hash, f(token))
    }
    const keyOf = (scope: string, key: string) => `${scope}\u0000${key}`
    return {
      getPassword: (userId) => Effect.sync(() => Option.fromNullable(passwords.get(userId))),
      setPassword: (userId, hash) => Effect.sync(() => void passwords.set(userId, hash)),
      insertTokens: (list) =>
        Effect.sync(() => {
          for (const t of list) tokens.set(t.hash, t)
        }),
      findToken: (hash) => Effect.sync(() => Option.fromNullable(tokens.get(hash))),
      useRefresh: (hash, at) =>
        Effect.sync(() => {
          const token = tokens.get(hash)
          if (token === undefined || token.kind !== "refresh" || token.usedAt !== null || token.revokedAt !== null) {
            return false
          }
          tokens.set(hash, { ...token, usedAt: at })
          return true
        }),
      revokeSession: (sessionId, at) =>
        Effect.sync(() =>
          each(
            (t) => t.sessionId === sessionId && t.revokedAt === null,
            (t) => ({ ...t, revokedAt: at })
          )
        ),
      revokeUser: (userId, at, options = {}) =>
        Effect.sync(() =>
          each(
            (t) =>
              t.userId === userId &&
              t.revokedAt === null &&
              (t.kind !== "api" || !options.keepApiTokens) &&
              (options.exceptSession === undefined || t.sessionId !== options.exceptSession),
            (t) => ({ ...t, revokedAt: at })
          )
        ),
      revokeApiToken: (userId, id, at) =>
        Effect.sync(() => {
          for (const token of tokens.values()) {
            if (token.kind === "api" && token.id === id && token.userId === userId && token.revokedAt === null) {
              update(token.hash, (t) => ({ ...t, revokedAt: at }))
              return true
            }
          }
          return false
        }),
      listApiTokens: (userId, now) =>
        Effect.sync(() =>
          [...tokens.values()]
            .filter(
              (t) =>
                t.kind === "api" &&
                t.userId === userId &&
                t.revokedAt === null &&
                (t.expiresAt === null || t.expiresAt > now)
            )
            .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1))
        ),
      touchApiToken: (hash, at) => Effect.sync(() => update(hash, (t) => ({ ...t, lastUsedAt: at }))),
      setRole: (userId, role) =>
        Effect.sync(() =>
          each(
            (t) => t.userId === userId,
            (t) => ({ ...t, role })
          )
        ),
      claimIdempotency: (record) =>
        Effect.sync(() => {
          const k = keyOf(record.scope, record.key)
          const existing = keys.get(k)
          if (existing !== undefined && existing.expiresAt > record.createdAt) return Option.some(existing)
          keys.set(k, { ...record, response: Option.none() })
          return Option.none()
        }),
      completeIdempotency: (scope, key, response) =>
        Effect.sync(() => {
          const k = keyOf(scope, key)
          const existing = keys.get(k)
          if (existing !== undefined) keys.set(k, { ...existing, response: Option.some(response) })
        }),
      releaseIdempotency: (scope, key) => Effect.sync(() => void keys.delete(keyOf(scope, key))),
      insertTicket: (ticket) => Effect.sync(() => void tickets.set(ticket.hash, ticket)),
      takeTicket: (hash, now) =>
        Effect.sync(() => {
          const ticket = tickets.get(hash)
          tickets.delete(hash)
          return ticket === undefined || ticket.expiresAt <= now ? Option.none() : Option.some(ticket.credentialHash)
        }),
      purgeExpired: (now) =>
        Effect.sync(() => {
          for (const [hash, t] of tickets) if (t.expiresAt <= now) tickets.delete(hash)
          for (const [hash, t] of tokens) {
            if (
              (t.expiresAt !== null && t.expiresAt <= now) ||
              (t.revokedAt !== null && t.revokedAt <= now - 86_400_000)
            ) {
              tokens.delete(hash)
            }
          }
          for (const [k, r] of keys) if (r.expiresAt <= now) keys.delete(k)
        })
    }
  })
}
