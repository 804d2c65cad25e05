import type * as Http from "node:http"
import {
  HttpApiBuilder,
  HttpApiSwagger,
  type HttpApp,
  HttpMiddleware,
  HttpRouter,
  type HttpServer,
  type HttpServerError
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import {
  type Analyses,
  type EventBus,
  type EventFanout,
  EventVisibility,
  type IdGenerator,
  type JobHandlers,
  NotificationRules,
  type Notifications,
  type Policy,
  type Scheduler,
  type Storage,
  TaskDesk,
  type TelegramLinking
} from "@taskdesk/core"
import { Effect, Layer, type Scope } from "effect"
import { TaskdeskApi } from "./Api.js"
import { AnalysisLive } from "./analysis/Http.js"
import { AssignmentsLive } from "./assignments/Http.js"
import { Accounts } from "./auth/Accounts.js"
import type { AuthStore } from "./auth/AuthStore.js"
import { AccountLive, AuthenticationLive, AuthLive, TokensLive } from "./auth/Http.js"
import type { PasswordHasher } from "./auth/PasswordHasher.js"
import { ServerSettings, type Settings } from "./Config.js"
import { CsvLive } from "./csv/Http.js"
import { EventsLive } from "./events/Http.js"
import type { HealthProbe } from "./health/HealthProbe.js"
import { HealthLive, StorageLive } from "./health/Http.js"
import { LiveLive } from "./live/Http.js"
import { LiveFeed } from "./live/LiveFeed.js"
import { WsTickets } from "./live/Tickets.js"
import * as Middleware from "./Middleware.js"
import { NotificationsLive } from "./notifications/Http.js"
import { ProjectsLive } from "./projects/Http.js"
import { RateLimiter } from "./RateLimiter.js"
import { RepairsLive } from "./repairs/Http.js"
import { SchedulerLive } from "./scheduler/Http.js"
import * as NodeServe from "./serve/NodeServe.js"
import { StatisticsLive } from "./statistics/Http.js"
import { TasksLive } from "./tasks/Http.js"
import { TelegramLive } from "./telegram/Http.js"
import { TemplatesLive } from "./templates/Http.js"
import { UsersLive } from "./users/Http.js"

/** Every group's handlers (each also compiled for the dispatcher); they need the authentication middleware. */
export const GroupsLive = Layer.mergeAll(
  HealthLive,
  StorageLive,
  AuthLive,
  AccountLive,
  TokensLive,
  UsersLive,
  TasksLive,
  AnalysisLive,
  TemplatesLive,
  AssignmentsLive,
  ProjectsLive,
  RepairsLive,
  StatisticsLive,
  EventsLive,
  LiveLive,
  SchedulerLive,
  NotificationsLive,
  TelegramLive,
  CsvLive
)

/** The API implemented: every group's handlers, then the authentication middleware they share. */
export const ApiLive = HttpApiBuilder.api(TaskdeskApi).pipe(
  Layer.provide(GroupsLive),
  // Provided after the groups: a layer does not feed the one it is merged with.
  Layer.provide(AuthenticationLive)
)

/** The scheduler, the outbox's delivery, Telegram linking, and the job handlers they run. */
export type Operations =
  | Scheduler.Scheduler
  | Notifications.Notifications
  | TelegramLinking.TelegramLinking
  | JobHandlers.JobHandlers

/**
 * What a host supplies: the domain over its storage (`layerDomain`), the operations (scheduler,
 * notifications, Telegram linking, job handlers), the store of accounts (`AuthStore.layerMemory`,
 * `SqlAuthStore.layer`), a password hasher, a fan-out of live events (`EventFanout.layerLocal`), a
 * health probe and task analysis (`Analyses`).
 */
export type Requirements =
  | TaskDesk.Services
  | Analyses.Analyses
  | Storage.Storage
  | AuthStore
  | PasswordHasher
  | HealthProbe
  | EventFanout.EventFanout
  | Operations
  | Policy.Policy
  | IdGenerator.IdGenerator
  | EventBus.EventBus

/** What `layerServices` adds for the handlers: accounts, the rate limiter, live events, the settings. */
export type Services = Accounts | ServerSettings | RateLimiter | WsTickets | LiveFeed | EventVisibility.EventVisibility

/**
 * The domain on a storage, with the default policy, ULIDs and the local event bus. The storage's
 * event log is decorated with the notification rules, so every change writes the notifications it
 * causes to the outbox in its own transaction.
 */
export const layerDomain = <S, E, R>(storage: Layer.Layer<S | Storage.Storage, E, R>) =>
  TaskDesk.layer.pipe(
    Layer.provideMerge(
      // The same storage value twice is built once; the later layer's (decorated) event log wins.
      Layer.merge(storage, NotificationRules.withRules(storage)).pipe(Layer.provideMerge(TaskDesk.layerDefaults))
    )
  )

/** Everything the handlers need besides what the host supplies: accounts, the rate limiter, live events, settings. */
export const layerServices = (settings: Settings) =>
  Layer.mergeAll(Accounts.Default, RateLimiter.Default, WsTickets.Default, LiveFeed.Default).pipe(
    Layer.provideMerge(EventVisibility.EventVisibility.Default),
    Layer.provideMerge(ServerSettings.layer(settings))
  )

/** The API's routes with `/openapi.json` and `/docs` (Swagger UI, inlined: works offline), behind the request pipeline. */
export const layerRoutes = Layer.mergeAll(
  HttpApiSwagger.layer({ path: "/docs" }),
  HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })
).pipe(
  Layer.provideMerge(Middleware.layer),
  Layer.provideMerge(ApiLive),
  // One pipeline (and one timeout sweep) for the compiled routes and the platform's alike.
  Layer.provideMerge(Middleware.RequestPipeline.Default)
)

/**
 * Serves the API, `/openapi.json` and `/docs` on a Node server (`NodeServe.layerServer`): the API's
 * endpoints through the compiled dispatcher, the rest through the platform's router. Routes added to
 * `HttpApiBuilder.Router` beside it (web pages, a bot's webhook) are served too.
 */
export const HttpLive = NodeServe.layer.pipe(
  Layer.provide(layerRoutes),
  // Spans for every request and statement cost a fifth of the throughput and nothing exports them.
  HttpMiddleware.withTracerDisabledWhen(() => true)
)

/**
 * The API as one `HttpApp` (its paths begin with `/api`, `/openapi.json`, `/docs`), through the
 * request pipeline: what a host mounts in its own router (`HttpRouter.mountApp("/tasks-api", app)`,
 * see `mount`) or behind a Node handler (`toNodeHandler`). Built in the caller's scope.
 */
export const makeApp = (
  settings: Settings
): Effect.Effect<HttpApp.Default<never, HttpRouter.HttpRouter.DefaultServices>, never, Requirements | Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      Layer.mergeAll(HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer).pipe(
        Layer.provideMerge(layerRoutes),
        Layer.provideMerge(layerServices(settings))
      )
    )
    return yield* Effect.provide(HttpApiBuilder.httpApp, context)
  })

/**
 * Mounts the API under `prefix` in a host's `HttpRouter` (the prefix is stripped: the API sees its own
 * paths), e.g. `router.pipe(App.mount("/tasks-api", settings))` inside an effect.
 */
export const mount =
  (prefix: `/${string}`, settings: Settings) =>
  <E, R>(
    router: HttpRouter.HttpRouter<E, R>
  ): Effect.Effect<
    HttpRouter.HttpRouter<E, R | HttpRouter.HttpRouter.DefaultServices>,
    never,
    Requirements | Scope.Scope
  > =>
    Effect.map(makeApp(settings), (app) => HttpRouter.mountApp(router, prefix, app))

/**
 * The API behind a Node `http` request handler, for Express, Koa or a bare `http.Server`: mount it
 * where the host strips its prefix (`expressApp.use("/tasks-api", handler)`). Lives as long as the scope.
 */
export const toNodeHandler = (
  settings: Settings
): Effect.Effect<
  (request: Http.IncomingMessage, response: Http.ServerResponse) => void,
  never,
  Requirements | Scope.Scope
> =>
  Effect.flatMap(makeApp(settings), (app) =>
    NodeHttpServer.makeHandler(app).pipe(Effect.provide(NodeHttpServer.layerContext))
  )

/**
 * The API on its own Node server on `host:port` (port 0 picks a free one; read it from `HttpServer`),
 * over what the host supplies. The executable server (`@taskdesk/server`) adds storage by URL, the
 * bot, the web pages and the background work around this.
 */
export const layerServer = (
  settings: Settings
): Layer.Layer<Services | HttpServer.HttpServer | NodeServe.NodeServer, HttpServerError.ServeError, Requirements> =>
  HttpLive.pipe(
    Layer.provideMerge(NodeServe.layerServer({ host: settings.server.host, port: settings.server.port })),
    Layer.provideMerge(layerServices(settings))
  )

/** `HttpServer`'s context for Node (file system, paths, ETags): what a host's own Effect app on Node has already. */
export const layerNodeContext = NodeHttpServer.layerContext
