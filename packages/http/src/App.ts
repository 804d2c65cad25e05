import { randomBytes } from "node:crypto"
import type * as Http from "node:http"
import {
  type HttpApi,
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
  Analyses,
  BuiltinJobs,
  EventBus,
  EventFanout,
  EventVisibility,
  IdGenerator,
  JobHandlers,
  MemoryStorage,
  MemoryTelegramLinks,
  NotificationRules,
  Notifications,
  type Policy,
  Scheduler,
  type Storage,
  TaskAnalysis,
  TaskDesk,
  TelegramLinking,
  type TelegramLinks
} from "@taskdesk/core"
import { Effect, Layer, type Scope } from "effect"
import { TaskdeskApi } from "./Api.js"
import type { Authentication } from "./Authentication.js"
import { AnalysisLive } from "./analysis/Http.js"
import { AssignmentsLive } from "./assignments/Http.js"
import { Accounts } from "./auth/Accounts.js"
import { AuthStore } from "./auth/AuthStore.js"
import { AccountLive, AuthenticationLive, AuthLive, TokensLive } from "./auth/Http.js"
import { PasswordHasher } from "./auth/PasswordHasher.js"
import { ServerSettings, type Settings } from "./Config.js"
import { CsvLive } from "./csv/Http.js"
import { EventsLive } from "./events/Http.js"
import { HealthProbe } from "./health/HealthProbe.js"
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

/**
 * The API implemented with another authentication: a host that signs people in itself supplies an
 * `Authentication` that maps its own session to a taskdesk `Actor`.
 */
export const apiWith = <E, R>(authentication: Layer.Layer<Authentication, E, R>) =>
  HttpApiBuilder.api(TaskdeskApi).pipe(
    Layer.provide(GroupsLive),
    // Provided after the groups: a layer does not feed the one it is merged with.
    Layer.provide(authentication)
  )

/** The API implemented: every group's handlers, then the authentication middleware they share. */
export const ApiLive = apiWith(AuthenticationLive)

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
export const layerDomain = <S, E, R>(
  storage: Layer.Layer<S | Storage.Storage, E, R>,
  options: { readonly policy?: Layer.Layer<Policy.Policy> | undefined } = {}
) =>
  TaskDesk.layer.pipe(
    Layer.provideMerge(
      // The same storage value twice is built once; the later layer's (decorated) event log wins.
      Layer.merge(storage, NotificationRules.withRules(storage)).pipe(
        Layer.provideMerge(
          options.policy === undefined
            ? TaskDesk.layerDefaults
            : Layer.mergeAll(options.policy, IdGenerator.IdGenerator.layer, EventBus.EventBus.layerLocal)
        )
      )
    )
  )

/**
 * 128 random bits, base64url: a one-time Telegram link code. The adapters' `TelegramLinkCodes.newCode`
 * is the same; the API does not depend on the adapters, so it keeps its own two lines.
 */
const linkCode = Effect.sync(() => randomBytes(16).toString("base64url"))

/** What a host's job handlers and channel may use: the domain and its storage. */
export type HostServices =
  | TaskDesk.Services
  | Storage.Storage
  | Policy.Policy
  | IdGenerator.IdGenerator
  | EventBus.EventBus

/** What `layerInMemory` lets a host choose; everything else has a default. */
export interface InMemoryOptions {
  /** Who may do what; the core's default rules when absent. */
  readonly policy?: Layer.Layer<Policy.Policy> | undefined
  /** The host's own job handlers, beside the core's built-in ones (a later one with the same name wins). */
  readonly jobs?:
    | ReadonlyArray<JobHandlers.JobHandler | Effect.Effect<JobHandlers.JobHandler, never, HostServices>>
    | undefined
  /** Where notifications go; the log when absent. */
  readonly channel?: Layer.Layer<Notifications.NotificationChannel, never, HostServices> | undefined
  /** Checks passwords; none verify when absent (a host that signs people in itself needs none). */
  readonly hasher?: Layer.Layer<PasswordHasher> | undefined
}

/**
 * Everything the API needs (`Requirements`) over in-memory storage in one process: the domain with
 * the host's policy, the scheduler with the host's job handlers, notifications over the host's
 * channel, accounts in memory, live events from this process, task analysis off. A start for a host
 * and for tests; a host with a database builds the same from the adapters (`@taskdesk/server` does).
 */
export const layerInMemory = (
  options: InMemoryOptions = {}
): Layer.Layer<Requirements | Storage.Storage | TelegramLinks.TelegramLinks> =>
  Layer.mergeAll(
    Scheduler.Scheduler.Default,
    TelegramLinking.TelegramLinking.Default,
    Analyses.Analyses.Default.pipe(
      Layer.provide(TaskAnalysis.TaskAnalysis.layerUnconfigured(Analyses.notConfiguredHint)),
      Layer.provide(Analyses.AnalysisSettings.layer({ dailyLimit: 50, cacheMinutes: 60 }))
    ),
    HealthProbe.layerMemory,
    EventFanout.layerLocal
  ).pipe(
    Layer.provideMerge(JobHandlers.JobHandlers.layer([...BuiltinJobs.handlers, ...(options.jobs ?? [])])),
    Layer.provideMerge(Notifications.Notifications.Default),
    Layer.provide(options.channel ?? Notifications.NotificationChannel.layerLog),
    Layer.provideMerge(Layer.mergeAll(AuthStore.layerMemory, options.hasher ?? PasswordHasher.layerDisabled)),
    Layer.provideMerge(
      layerDomain(Layer.merge(MemoryStorage.layer, MemoryTelegramLinks.layer(linkCode)), {
        policy: options.policy
      })
    )
  )

/** Everything the handlers need besides what the host supplies: accounts, the rate limiter, live events, settings. */
export const layerServices = (settings: Settings) =>
  Layer.mergeAll(Accounts.Default, RateLimiter.Default, WsTickets.Default, LiveFeed.Default).pipe(
    Layer.provideMerge(EventVisibility.EventVisibility.Default),
    Layer.provideMerge(ServerSettings.layer(settings))
  )

/** The API's routes with `/openapi.json` and `/docs` (Swagger UI, inlined: works offline), behind the request pipeline. */
const routesWith = <E, R>(api: Layer.Layer<HttpApi.Api, E, R>) =>
  Layer.mergeAll(
    HttpApiSwagger.layer({ path: "/docs" }),
    HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })
  ).pipe(
    Layer.provideMerge(Middleware.layer),
    Layer.provideMerge(api),
    // One pipeline (and one timeout sweep) for the compiled routes and the platform's alike.
    Layer.provideMerge(Middleware.RequestPipeline.Default)
  )

/** The API's routes with `/openapi.json` and `/docs`, behind the request pipeline, with taskdesk's own sign-in. */
export const layerRoutes = routesWith(ApiLive)

/** How a host mounts the API. */
export interface MountOptions {
  /** Who is calling: taskdesk's tokens and cookies (`AuthenticationLive`) unless the host maps its own session. */
  readonly authentication?: Layer.Layer<Authentication, never, Services | Requirements> | undefined
}

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
  settings: Settings,
  options: MountOptions = {}
): Effect.Effect<HttpApp.Default<never, HttpRouter.HttpRouter.DefaultServices>, never, Requirements | Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      Layer.mergeAll(HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer).pipe(
        Layer.provideMerge(routesWith(apiWith(options.authentication ?? AuthenticationLive))),
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
  (prefix: `/${string}`, settings: Settings, options: MountOptions = {}) =>
  <E, R>(
    router: HttpRouter.HttpRouter<E, R>
  ): Effect.Effect<
    HttpRouter.HttpRouter<E, R | HttpRouter.HttpRouter.DefaultServices>,
    never,
    Requirements | Scope.Scope
  > =>
    Effect.map(makeApp(settings, options), (app) => HttpRouter.mountApp(router, prefix, app))

/**
 * The API behind a Node `http` request handler, for Express, Koa or a bare `http.Server`: mount it
 * where the host strips its prefix (`expressApp.use("/tasks-api", handler)`). Lives as long as the scope.
 */
export const toNodeHandler = (
  settings: Settings,
  options: MountOptions = {}
): Effect.Effect<
  (request: Http.IncomingMessage, response: Http.ServerResponse) => void,
  never,
  Requirements | Scope.Scope
> =>
  Effect.flatMap(makeApp(settings, options), (app) =>
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
