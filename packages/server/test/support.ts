import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest, HttpServer } from "@effect/platform"
import { Actor, type Role, Users } from "@taskdesk/core"
import { TaskdeskApi } from "@taskdesk/http/Api.js"
import { Accounts } from "@taskdesk/http/auth/Accounts.js"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import { Effect, Layer, Redacted } from "effect"
import { testSettings } from "../src/Config.js"
import * as Server from "../src/Server.js"

let counter = 0
const run = Math.random().toString(36).slice(2, 7)

/** A fresh username. */
export const uniqueName = (prefix: string) => `${prefix}_${run}_${++counter}`

/** Settings for a test server: a free port on 127.0.0.1, no rate limits unless asked, quiet logs. */
export const settingsFor = (overrides: Record<string, unknown> = {}) =>
  testSettings({
    database_url: "memory",
    ...overrides,
    server: { port: 0, ...(overrides.server as object) },
    security: {
      rate_limiting: {
        requests_per_minute: 0,
        login_attempts_per_minute: 0,
        login_failures_per_minute: 0,
        account_failures_per_minute: 0
      },
      ...(overrides.security as object)
    },
    logging: { level: "error", requests: false, ...(overrides.logging as object) }
  })

/** A whole server on a free port with the fast test password hasher, and a fetch-based HTTP client. */
export const serverLayer = (
  overrides: Record<string, unknown> = {},
  options: { readonly storage?: Server.Options["storage"] } = {}
) =>
  Server.layer(settingsFor(overrides), { hasher: PasswordHasher.layerInsecureForTests, storage: options.storage }).pipe(
    Layer.provideMerge(FetchHttpClient.layer)
  )

/** The base URL of the running test server. */
export const baseUrl = Effect.map(HttpServer.HttpServer, (server) => {
  const address = server.address
  if (address._tag !== "TcpAddress") throw new Error("not a TCP server")
  return `http://127.0.0.1:${address.port}`
})

/** A typed client, optionally signed in with a bearer token. */
export const client = (token?: string) =>
  Effect.gen(function* () {
    const url = yield* baseUrl
    return yield* HttpApiClient.make(TaskdeskApi, {
      baseUrl: url,
      ...(token === undefined ? {} : { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) })
    })
  })

export const password = "correct horse battery staple"

/** A person of a role with a password, signed in: their user, access token and typed client. */
export const person = (role: Role.Role, name = uniqueName(role)) =>
  Effect.gen(function* () {
    const users = yield* Users.Users
    const accounts = yield* Accounts
    const user = yield* users.create({ name, username: name, role }).pipe(Actor.asSystem, Effect.orDie)
    yield* accounts.setPassword(user, Redacted.make(password)).pipe(Effect.orDie)
    const session = yield* (yield* client()).auth.login({ payload: { username: name, password } }).pipe(Effect.orDie)
    return {
      user,
      token: session.accessToken,
      refreshToken: session.refreshToken,
      api: yield* client(session.accessToken)
    }
  })

/**
 * A raw request to the test server: status, headers, the parsed body (if JSON), and the body as bytes
 * and as text with any byte-order mark kept (a CSV export with `?bom=1`). A string body is sent as
 * JSON unless `headers` names another type; a `FormData` one as fetch encodes it.
 */
export const raw = (
  path: string,
  init: {
    readonly method?: string
    readonly token?: string
    readonly body?: string | FormData
    readonly headers?: Record<string, string>
    /** Stop at the headers (a stream that does not end, such as `/api/events/stream`). */
    readonly headersOnly?: boolean
  } = {}
) =>
  Effect.gen(function* () {
    const url = yield* baseUrl
    const response = yield* Effect.promise(() =>
      fetch(url + path, {
        method: init.method ?? "GET",
        headers: {
          ...(typeof init.body === "string" ? { "content-type": "application/json" } : {}),
          ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}),
          ...init.headers
        },
        ...(init.body !== undefined ? { body: init.body } : {})
      })
    )
    if (init.headersOnly === true) {
      yield* Effect.promise(() => response.body?.cancel() ?? Promise.resolve())
      return {
        status: response.status,
        headers: response.headers,
        // biome-ignore lint/suspicious/noExplicitAny: tests probe response bodies freely
        body: undefined as any,
        bytes: new Uint8Array(),
        text: ""
      }
    }
    const bytes = new Uint8Array(yield* Effect.promise(() => response.arrayBuffer()))
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes)
    // As `Response#text` reads it: without the byte-order mark.
    const unmarked = text.startsWith("\uFEFF") ? text.slice(1) : text
    let body: unknown = unmarked
    try {
      body = unmarked === "" ? undefined : JSON.parse(unmarked)
    } catch {
      // not JSON: keep the text
    }
    // biome-ignore lint/suspicious/noExplicitAny: tests probe response bodies freely
    return { status: response.status, headers: response.headers, body: body as any, bytes, text }
  })
