import { createServer } from "node:http"
import { HttpApiBuilder, HttpApiSwagger, HttpMiddleware, type HttpServer, type HttpServerError } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { type Storage, TaskDesk } from "@taskdesk/core"
import { Effect, FiberRef, HashMap, HashSet, Layer, Logger } from "effect"
import { TaskdeskApi } from "./Api.js"
import { AssignmentsLive } from "./assignments/Http.js"
import { Accounts } from "./auth/Accounts.js"
import type { AuthStore } from "./auth/AuthStore.js"
import { AccountLive, AuthenticationLive, AuthLive, TokensLive } from "./auth/Http.js"
import { PasswordHasher } from "./auth/PasswordHasher.js"
import { logLevel, ServerSettings, type Settings } from "./Config.js"
import { EventsLive } from "./events/Http.js"
import type { HealthProbe } from "./health/HealthProbe.js"
import { HealthLive } from "./health/Http.js"
import * as Middleware from "./Middleware.js"
import { ProjectsLive } from "./projects/Http.js"
import { RateLimiter } from "./RateLimiter.js"
import { RepairsLive } from "./repairs/Http.js"
import * as ServerStorage from "./Storage.js"
import { StatisticsLive } from "./statistics/Http.js"
import { TasksLive } from "./tasks/Http.js"
import { TemplatesLive } from "./templates/Http.js"
import { UsersLive } from "./users/Http.js"

/** The API implemented: every group's handlers, then the authentication middleware they share. */
export const ApiLive = HttpApiBuilder.api(TaskdeskApi).pipe(
  Layer.provide([
    HealthLive,
    AuthLive,
    AccountLive,
    TokensLive,
    UsersLive,
    TasksLive,
    TemplatesLive,
    AssignmentsLive,
    ProjectsLive,
    RepairsLive,
    StatisticsLive,
    EventsLive
  ]),
  // Provided after the groups: siblings in one `provide` list do not feed each other.
  Layer.provide(AuthenticationLive)
)

/** Serves the API, `/openapi.json` and `/docs` (Swagger UI, inlined: works offline) behind the server middleware. */
export const HttpLive = HttpApiBuilder.serve().pipe(
  Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(Middleware.layer),
  Layer.provide(ApiLive),
  // Spans for every request and statement cost a fifth of the throughput and nothing exports them.
  HttpMiddleware.withTracerDisabledWhen(() => true)
)

/** Everything the server's handlers need besides the domain: accounts, the rate limiter, settings. */
const serverServices = (settings: Settings) =>
  Layer.mergeAll(Accounts.Default, RateLimiter.Default).pipe(Layer.provideMerge(ServerSettings.layer(settings)))

/** The domain on a storage, with the default policy, ULIDs and the local event bus. */
export const layerDomain = <E>(storage: Layer.Layer<ServerStorage.ServerStorage, E>) =>
  TaskDesk.layer.pipe(Layer.provideMerge(Layer.merge(storage, TaskDesk.layerDefaults)))

/** How to build a server beyond its settings. */
export interface Options {
  /** Defaults to Argon2id. */
  readonly hasher?: Layer.Layer<PasswordHasher> | undefined
  /** Defaults to the storage the settings name (`database_url`). */
  readonly storage?: Layer.Layer<ServerStorage.ServerStorage, ServerStorage.StartError> | undefined
}

/** The domain, its storage and the accounts, without HTTP: what the CLI works with. */
export type CoreServices =
  | TaskDesk.Services
  | Storage.Storage
  | AuthStore
  | HealthProbe
  | Accounts
  | ServerSettings
  | RateLimiter

/** What a running server offers to code beside it (tests): the core services and the HTTP server. */
export type Services = CoreServices | HttpServer.HttpServer

/** Adds the id of the request the logging fiber serves to each line. */
const withRequestId = <Output>(logger: Logger.Logger<unknown, Output>): Logger.Logger<unknown, Output> =>
  Logger.mapInputOptions(logger, (options) => {
    const requestId = Middleware.requestIdOf(options.context)
    return requestId === undefined
      ? options
      : { ...options, annotations: HashMap.set(options.annotations, "requestId", requestId) }
  })

/** Logs as the settings say: JSON lines or pretty, at the configured level. */
export const layerLogger = (settings: Settings): Layer.Layer<never> =>
  Layer.merge(
    // Replaces every logger (a runtime may have installed its own), not just the default one.
    Layer.scopedDiscard(
      Effect.locallyScoped(
        FiberRef.currentLoggers,
        HashSet.make(
          withRequestId(
            settings.logging.format === "json" ? Logger.withConsoleLog(Logger.jsonLogger) : Logger.prettyLoggerDefault
          )
        )
      )
    ),
    Logger.minimumLogLevel(logLevel(settings))
  )

/** The domain, storage and accounts of the settings, without HTTP. */
export const layerServices = (
  settings: Settings,
  options: Options = {}
): Layer.Layer<CoreServices, ServerStorage.StartError> =>
  serverServices(settings).pipe(
    Layer.provideMerge(options.hasher ?? PasswordHasher.layerArgon2),
    Layer.provideMerge(layerDomain(options.storage ?? ServerStorage.layer(settings))),
    Layer.provide(layerLogger(settings)),
    Layer.provide(Layer.setTracerEnabled(false))
  )

/**
 * The whole server on `host:port` (port 0 picks a free one; read it from `HttpServer`), with its
 * domain, storage and accounts.
 */
export const layer = (
  settings: Settings,
  options: Options = {}
): Layer.Layer<Services, ServerStorage.StartError | HttpServerError.ServeError> =>
  HttpLive.pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { host: settings.server.host, port: settings.server.port })),
    Layer.provideMerge(layerServices(settings, options)),
    Layer.provide(layerLogger(settings)),
    Layer.provide(Layer.setTracerEnabled(false))
  )
