import { HttpApiMiddleware, HttpApiSecurity, OpenApi } from "@effect/platform"
import { Actor } from "@taskdesk/core"
import { Schema } from "effect"
import { ForbiddenProblem, TooManyRequestsProblem, UnauthorizedProblem } from "./Problem.js"

/** The cookie that carries a browser session's access token (set by `login` with `cookie: true`). */
export const sessionCookie = "taskdesk_session"

/** The cookie holding the CSRF token a cookie session must echo in `X-CSRF-Token` on writes. */
export const csrfCookie = "taskdesk_csrf"

/**
 * Authenticates every protected endpoint: a bearer access token, a bearer API token, or the
 * session cookie (writes then need `X-CSRF-Token`). Provides the core's `CurrentActor`.
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@taskdesk/http/Authentication", {
  provides: Actor.CurrentActor,
  failure: Schema.Union(UnauthorizedProblem, ForbiddenProblem, TooManyRequestsProblem),
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(
        OpenApi.Description,
        "An access token from /api/auth/login or /api/auth/refresh, or an API token from /api/tokens. " +
          `Browsers may instead send the ${sessionCookie} cookie; their writes then need the X-CSRF-Token header ` +
          `holding the ${csrfCookie} cookie's value.`
      )
    )
  }
}) {}
