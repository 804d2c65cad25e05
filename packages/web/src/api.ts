import { FetchHttpClient, type HttpApi, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { TaskdeskApi } from "@taskdesk/http/Api"
import { Cause, Effect, Exit, Option } from "effect"

/** The CSRF token the server set in its readable cookie at a cookie sign-in; echoed on every write. */
const csrfToken = (): string | undefined => {
  for (const part of document.cookie.split(";")) {
    const [name, ...value] = part.trim().split("=")
    if (name === "taskdesk_csrf") return decodeURIComponent(value.join("="))
  }
  return undefined
}

/** Same origin, with the session cookie (fetch's default), and the CSRF token on every write. */
const httpClient = Effect.runSync(
  HttpClient.HttpClient.pipe(
    Effect.map(
      HttpClient.mapRequest((request) => {
        const token = request.method === "GET" ? undefined : csrfToken()
        return token === undefined ? request : HttpClientRequest.setHeader(request, "x-csrf-token", token)
      })
    ),
    Effect.provide(FetchHttpClient.layer)
  )
)

/**
 * The typed client of the API definition the server implements: a changed endpoint breaks this
 * build. Requests go to the same origin with the session cookie, never a token kept where another
 * site's script could read it.
 */
export type Client =
  typeof TaskdeskApi extends HttpApi.HttpApi<string, infer Groups, infer ApiError, infer _R>
    ? HttpApiClient.Client<Groups, ApiError, never>
    : never

/**
 * The client, built one endpoint at a time as the page first calls it. Building every endpoint of
 * the API up front (`HttpApiClient.make`) made a decoder for each of its responses and errors, some
 * hundred milliseconds of a first load that calls a handful of them.
 */
const client: Client = Object.fromEntries(
  Object.entries(TaskdeskApi.groups).map(([group, definition]) => {
    const methods: Record<string, unknown> = {}
    for (const endpoint of Object.keys(definition.endpoints)) {
      let method: unknown
      Object.defineProperty(methods, endpoint, {
        enumerable: true,
        get: () => {
          if (method === undefined) {
            // The names come from the definition itself; the cast only forgoes checking them a second time.
            method = Effect.runSync(HttpApiClient.endpoint(TaskdeskApi, { group, endpoint, httpClient } as never))
          }
          return method
        }
      })
    }
    return [group, methods]
  })
) as Client

const getClient = (): Client => client

/** A failed call, with what the page needs to say about it. */
export class ApiFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly tag: string
  ) {
    super(tag)
  }
}

/**
 * The refresh token of this tab's sign-in, in memory only: the session itself is the HttpOnly
 * cookie, and a reload simply keeps using that cookie until it expires.
 */
let refreshToken: string | undefined
let refreshing: Promise<boolean> | undefined

export const remember = (session: { readonly refreshToken: string }) => {
  refreshToken = session.refreshToken
}

export const forget = () => {
  refreshToken = undefined
}

/**
 * Renews the cookie session once for every call that found it expired at the same time: a refresh
 * token is good for one exchange, and presenting it twice would end the session.
 */
const refresh = (): Promise<boolean> => {
  if (refreshing !== undefined) return refreshing
  const token = refreshToken
  if (token === undefined) return Promise.resolve(false)
  refreshing = Effect.runPromiseExit(getClient().auth.refresh({ payload: { refreshToken: token } })).then((exit) => {
    refreshing = undefined
    if (Exit.isSuccess(exit)) {
      refreshToken = exit.value.refreshToken
      return true
    }
    refreshToken = undefined
    return false
  })
  return refreshing
}

const failureOf = (cause: Cause.Cause<unknown>): ApiFailure => {
  const failure = Cause.failureOption(cause)
  const error: unknown = Option.isSome(failure) ? failure.value : Cause.squash(cause)
  const tag =
    typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
      ? error._tag
      : "Unknown"
  return new ApiFailure(error, tag)
}

/**
 * Runs one call of the typed client; fails with an `ApiFailure` holding the decoded problem. An
 * expired session is renewed with the refresh token and the call made once more.
 */
export const call = async <A, E>(f: (client: Client) => Effect.Effect<A, E>): Promise<A> => {
  const exit = await Effect.runPromiseExit(f(getClient()))
  if (Exit.isSuccess(exit)) return exit.value
  const failure = failureOf(exit.cause)
  if (failure.tag !== "Unauthorized" || !(await refresh())) throw failure
  const retried = await Effect.runPromiseExit(f(getClient()))
  if (Exit.isSuccess(retried)) return retried.value
  throw failureOf(retried.cause)
}
