import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSecurity,
  HttpServerRequest,
  type HttpServerResponse
} from "@effect/platform"
import { assert, describe, it, layer } from "@effect/vitest"
import { TaskdeskApi } from "@taskdesk/http/Api.js"
import { AuthenticationLive } from "@taskdesk/http/auth/Http.js"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import * as Middleware from "@taskdesk/http/Middleware.js"
import * as Dispatcher from "@taskdesk/http/serve/Dispatcher.js"
import { Cause, Effect, Exit, Layer, Option, Schema } from "effect"
import * as Server from "../src/Server.js"
import { settingsFor } from "./support.js"

/** An API-level middleware that notes every request it sees. */
class Recorder extends HttpApiMiddleware.Tag<Recorder>()("test/Recorder") {}
const seen: Array<string> = []
const RecorderLive = Layer.succeed(
  Recorder,
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    seen.push(`${request.method} ${request.url}`)
  })
)

/** The API with the recorder added at the API level, implemented by the server's own groups. */
const RecordedApi = TaskdeskApi.middleware(Recorder)
const recorded = Layer.mergeAll(
  HttpApiBuilder.api(RecordedApi).pipe(
    Layer.provide(Server.GroupsLive),
    Layer.provide(AuthenticationLive),
    Layer.provide(RecorderLive)
  ),
  Middleware.layer
).pipe(
  Layer.provideMerge(HttpApiBuilder.Router.Live),
  Layer.provideMerge(HttpApiBuilder.Middleware.layer),
  Layer.provide(Middleware.RequestPipeline.Default),
  Layer.provideMerge(Server.layerServices(settingsFor(), { hasher: PasswordHasher.layerInsecureForTests }))
)

/** A concrete URL for an endpoint's path: every parameter filled in. */
const urlOf = (path: string) => path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, "01NOSUCHTHING0000000000000")

interface Answer {
  readonly status: number
  readonly seen: ReadonlyArray<string>
  readonly pipeline: boolean
}

const answer = (
  run: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, HttpServerRequest.HttpServerRequest>,
  request: HttpServerRequest.HttpServerRequest
) =>
  Effect.gen(function* () {
    seen.length = 0
    const response = yield* run.pipe(
      Effect.provideService(HttpServerRequest.HttpServerRequest, request),
      Effect.scoped,
      Effect.orDie
    )
    return {
      status: response.status,
      seen: [...seen],
      pipeline: response.headers["x-request-id"] !== undefined
    } satisfies Answer
  })

const requestOf = (method: string, url: string) =>
  HttpServerRequest.fromWeb(
    new Request(`http://127.0.0.1${url}`, {
      method,
      ...(method === "GET" || method === "HEAD" ? {} : { body: "{}", headers: { "content-type": "application/json" } })
    })
  )

describe("Dispatcher middleware, for every endpoint of the API", () => {
  layer(recorded, { timeout: "30 seconds" })((it) => {
    it.effect(
      "the dispatcher applies the middleware the platform's router applies: API-level, security, the pipeline",
      () =>
        Effect.gen(function* () {
          // The platform's app also offers files and paths, for multipart bodies, which no request here has.
          const platform = (yield* HttpApiBuilder.httpApp) as Effect.Effect<
            HttpServerResponse.HttpServerResponse,
            unknown,
            HttpServerRequest.HttpServerRequest
          >
          const serve = yield* Dispatcher.serving
          const routes = Dispatcher.routesOf(yield* HttpApiBuilder.Router)
          const endpoints = Object.values(TaskdeskApi.groups).flatMap((group) => Object.values(group.endpoints))
          assert.isAbove(endpoints.length, 50)
          let refused = 0
          for (const endpoint of endpoints) {
            const url = urlOf(endpoint.path)
            const name = `${endpoint.method} ${endpoint.path}`
            const matched = routes.match(endpoint.method, url)
            assert.isDefined(matched, `${name} is compiled`)
            const viaPlatform = yield* answer(platform, requestOf(endpoint.method, url))
            const viaDispatcher = yield* answer(
              serve(matched!, requestOf(endpoint.method, url)),
              requestOf(endpoint.method, url)
            )
            assert.deepStrictEqual(viaDispatcher, viaPlatform, name)
            assert.deepStrictEqual(
              viaDispatcher.seen,
              [`${endpoint.method} ${url}`],
              `${name}: the API's middleware ran`
            )
            assert.isTrue(viaDispatcher.pipeline, `${name}: the request pipeline answered`)
            if (viaDispatcher.status === 401) refused++
          }
          // Security is part of what is compared: most endpoints refuse an anonymous caller on both paths.
          assert.isAbove(refused, 30)
        })
    )
  })
})

// A small API of its own, for what the server's API cannot show.
class Hello extends HttpApiGroup.make("hello").add(HttpApiEndpoint.get("hello", "/hello").addSuccess(Schema.String)) {}

class TwoSchemes extends HttpApiMiddleware.Tag<TwoSchemes>()("test/TwoSchemes", {
  security: { bearer: HttpApiSecurity.bearer, key: HttpApiSecurity.apiKey({ key: "x-key" }) }
}) {}

/** The API on a router of its own; the group's layer must provide every group the API has. */
const buildOf = <A>(group: Layer.Layer<A>, api: HttpApi.HttpApi.Any) =>
  (HttpApiBuilder.api(api as typeof SmallApi) as Layer.Layer<HttpApi.Api, never, unknown>).pipe(
    Layer.provide(group),
    Layer.provideMerge(HttpApiBuilder.Router.Live)
  ) as Layer.Layer<HttpApi.Api | HttpApiBuilder.Router>

const SmallApi = HttpApi.make("small").add(Hello)

describe("Dispatcher groups", () => {
  it.effect("a group's build function runs once per server, its handlers serving both tables", () =>
    Effect.gen(function* () {
      let builds = 0
      const group = Dispatcher.group(SmallApi, "hello", (handlers) => {
        builds++
        return handlers.handle("hello", () => Effect.succeed("hi"))
      })
      const router = yield* Effect.provide(HttpApiBuilder.Router, buildOf(group, SmallApi))
      assert.strictEqual(builds, 1)
      assert.strictEqual(Dispatcher.routesOf(router).size, 1)
    })
  )

  it.effect("a middleware the dispatcher cannot apply stops the start-up, naming it and the endpoint", () =>
    Effect.gen(function* () {
      const SecuredApi = HttpApi.make("secured").add(Hello.middleware(TwoSchemes))
      const group = Dispatcher.group(SecuredApi, "hello", (handlers) =>
        handlers.handle("hello", () => Effect.succeed("hi"))
      ).pipe(
        // An implementation without a handler for the `key` scheme.
        Layer.provide(Layer.succeed(TwoSchemes, { bearer: () => Effect.void } as unknown as TwoSchemes["Type"]))
      )
      const exit = yield* Effect.exit(Effect.provide(HttpApiBuilder.Router, buildOf(group, SecuredApi)))
      assert.isTrue(Exit.isFailure(exit))
      const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
      assert.instanceOf(defect, Dispatcher.UnsupportedMiddleware)
      assert.include(String((defect as Error).message), "test/TwoSchemes")
      assert.include(String((defect as Error).message), "GET /hello")
      assert.include(String((defect as Error).message), "key")
    })
  )
})
