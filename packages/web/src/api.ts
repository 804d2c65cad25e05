import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
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

/**
 * The typed client of the API definition the server implements: a changed endpoint breaks this
 * build. Requests go to the same origin with the session cookie (fetch's default), never a token
 * kept where another site's script could read it.
 */
const makeClient = HttpApiClient.make(TaskdeskApi, {
  transformClient: HttpClient.mapRequest((request) => {
    const token = request.method === "GET" ? undefined : csrfToken()
    return token === undefined ? request : HttpClientRequest.setHeader(request, "x-csrf-token", token)
  })
}).pipe(Effect.provide(FetchHttpClient.layer))

export type Client = Effect.Effect.Success<typeof makeClient>

let client: Client | undefined
const getClient = (): Client => {
  if (client === undefined) client = Effect.runSync(makeClient)
  return client
}

/** A failed call, with what the page needs to say about it. */
export class ApiFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly tag: string
  ) {
    super(tag)
  }
}

/** Runs one call of the typed client; fails with an `ApiFailure` holding the decoded problem. */
export const call = async <A, E>(f: (client: Client) => Effect.Effect<A, E>): Promise<A> => {
  const exit = await Effect.runPromiseExit(f(getClient()))
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  const error: unknown = Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
  const tag =
    typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
      ? error._tag
      : "Unknown"
  throw new ApiFailure(error, tag)
}
