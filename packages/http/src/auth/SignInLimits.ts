import type { HttpServerRequest } from "@effect/platform"
import { Effect } from "effect"
import type { Settings } from "../Config.js"
import { TooManyRequests } from "../Problem.js"
import type { RateLimiter } from "../RateLimiter.js"
import { securityEvent } from "./Accounts.js"
import * as ClientAddress from "./ClientAddress.js"

/**
 * The limits on signing in (design in docs/http.md, "Rate limits"):
 *
 * - every sign-in request counts against its client address (`login_attempts_per_minute`);
 * - a password sign-in also takes a slot of the account from that address
 *   (`login_failures_per_minute`) and of the account from everywhere
 *   (`account_failures_per_minute`), and gives both back when it succeeds, so only failures count.
 *
 * One address can fail at most `login_failures_per_minute` times a minute on an account, below
 * the account's own limit, so it can neither lock the owner out nor guess faster by spreading its
 * guesses over accounts or (behind a trusted proxy) over forged `X-Forwarded-For` values.
 */
export const make = (limiter: RateLimiter, settings: Settings) => {
  const clientAddress = ClientAddress.make(settings.server.trustedProxies)
  const limits = settings.security.rateLimiting
  const take = (key: string, limit: number) =>
    Effect.flatMap(limiter.consume(key, limit), (wait) =>
      wait === undefined ? Effect.void : Effect.fail(new TooManyRequests({ limit, retryAfterSeconds: wait }))
    )

  /** Counts a sign-in request against its client address; the address. */
  const admit = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<string, TooManyRequests> => {
    const address = clientAddress(request)
    return Effect.as(take(`signin:${address}`, limits.loginAttemptsPerMinute), address)
  }

  /**
   * Runs a password check for `username` from `address` within the account's failure limits: refused
   * (429, the password unchecked) when either is used up; a success gives its slots back.
   */
  const guard = <A, E, R>(
    username: string,
    address: string,
    attempt: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | TooManyRequests, R> => {
    // The stores find usernames case-insensitively, so the limits count them so too.
    const account = username.trim().toLowerCase()
    const pair = `signin-failed:${account}\u0000${address}`
    const all = `signin-failed:${account}`
    return take(pair, limits.loginFailuresPerMinute).pipe(
      Effect.zipRight(Effect.tapError(take(all, limits.accountFailuresPerMinute), () => limiter.refund(pair))),
      Effect.tapError((refusal) =>
        securityEvent("login.throttled", { username: username.slice(0, 64), address, limit: refusal.limit })
      ),
      Effect.zipRight(attempt),
      Effect.tap(() => Effect.zipRight(limiter.refund(pair), limiter.refund(all)))
    )
  }

  return { clientAddress, admit, guard } as const
}
