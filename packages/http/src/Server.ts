import * as Os from "node:os"
import {
  FetchHttpClient,
  HttpApiBuilder,
  HttpApiSwagger,
  HttpMiddleware,
  type HttpServer,
  type HttpServerError
} from "@effect/platform"
import { type Backup, Holders } from "@taskdesk/adapters/backup"
import { LocalFanout, PgFanout, PollFanout } from "@taskdesk/adapters/live"
import { Bot } from "@taskdesk/bot"
import {
  Actor,
  type Analyses,
  type EventBus,
  type EventFanout,
  EventVisibility,
  type IdGenerator,
  type JobHandlers,
  NotificationRules,
  Notifications,
  type Policy,
  Scheduler,
  type Storage,
  TaskDesk,
  TelegramLinking
} from "@taskdesk/core"
import { Effect, FiberRef, HashMap, HashSet, Layer, Logger, Redacted } from "effect"
import { TaskdeskApi } from "./Api.js"
import { AnalysisLive } from "./analysis/Http.js"
import * as AnalysisLayer from "./analysis/Layer.js"
import { AssignmentsLive } from "./assignments/Http.js"
import { Accounts } from "./auth/Accounts.js"
import type { AuthStore } from "./auth/AuthStore.js"
import { AccountLive, AuthenticationLive, AuthLive, TokensLive } from "./auth/Http.js"
import { PasswordHasher } from "./auth/PasswordHasher.js"
import { channelNames, database, logLevel, ServerSettings, type Settings } from "./Config.js"
import { CsvLive } from "./csv/Http.js"
import { EventsLive } from "./events/Http.js"
import type { HealthProbe } from "./health/HealthProbe.js"
import { HealthLive, StorageLive } from "./health/Http.js"
import { Readiness } from "./health/Readiness.js"
import { LiveLive } from "./live/Http.js"
import { LiveFeed } from "./live/LiveFeed.js"
import { WsTickets } from "./live/Tickets.js"
import * as Middleware from "./Middleware.js"
import * as Channels from "./notifications/Channels.js"
import { NotificationsLive } from "./notifications/Http.js"
import { ProjectsLive } from "./projects/Http.js"
import { RateLimiter } from "./RateLimiter.js"
import { RepairsLive } from "./repairs/Http.js"
import * as ServerStorage from "./Storage.js"
import { SchedulerLive } from "./scheduler/Http.js"
import * as Jobs from "./scheduler/Jobs.js"
import * as NodeServe from "./serve/NodeServe.js"
import { StatisticsLive } from "./statistics/Http.js"
import { TasksLive } from "./tasks/Http.js"
import { TelegramLive } from "./telegram/Http.js"
import * as Webhook from "./telegram/Webhook.js"
import { TemplatesLive } from "./templates/Http.js"
import { UsersLive } from "./users/Http.js"
import * as WebUi from "./WebUi.js"

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

/**
 * Serves the API, `/openapi.json`, `/docs` (Swagger UI, inlined: works offline) and the web pages behind the
 * request pipeline: the API's endpoints through the compiled dispatcher, the rest through the
 * platform's router.
 */
export const HttpLive = NodeServe.layer.pipe(
  Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
  // The web pages at `/` (packages/web's build), with the page itself for any other path outside /api.
  Layer.provide(WebUi.route()),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
  Layer.provide(Middleware.layer),
  Layer.provide(ApiLive),
  // One pipeline (and one timeout sweep) for the compiled routes and the platform's alike.
  Layer.provide(Middleware.RequestPipeline.Default),
  // Spans for every request and statement cost a fifth of the throughput and nothing exports them.
  HttpMiddleware.withTracerDisabledWhen(() => true)
)

/** Everything the server's handlers need besides the domain: accounts, the rate limiter, settings. */
const serverServices = (settings: Settings) =>
  Layer.mergeAll(Accounts.Default, RateLimiter.Default, WsTickets.Default).pipe(
    Layer.provideMerge(ServerSettings.layer(settings))
  )

/**
 * Where live events come from: PostgreSQL's `LISTEN/NOTIFY` when the settings name PostgreSQL, a
 * read of the log every half second on MySQL/MariaDB (several instances may share either), else
 * this process's own commits.
 */
const fanoutFor = (
  settings: Settings
): Layer.Layer<EventFanout.EventFanout, ServerStorage.StartError, EventBus.EventBus> => {
  const db = database(settings)
  if (db._tag === "postgres") return PgFanout.layer({ url: Redacted.value(db.url) })
  return db._tag === "mysql" ? PollFanout.layer({ url: Redacted.value(db.url) }) : LocalFanout.layer
}

/** Live events for `/api/events/stream` and `/api/ws`: the fan-out, and what each subscriber may see. */
const layerLive = (settings: Settings, options: Options) =>
  LiveFeed.Default.pipe(
    Layer.provideMerge(EventVisibility.EventVisibility.Default),
    Layer.provideMerge(options.fanout ?? fanoutFor(settings)),
    Layer.provide(ServerSettings.layer(settings))
  )

/**
 * The domain on a storage, with the default policy, ULIDs and the local event bus. The storage's
 * event log is decorated with the notification rules, so every change writes the notifications it
 * causes to the outbox in its own transaction.
 */
export const layerDomain = <E>(storage: Layer.Layer<ServerStorage.ServerStorage, E>) =>
  TaskDesk.layer.pipe(
    Layer.provideMerge(
      // The same storage value twice is built once; the later layer's (decorated) event log wins.
      Layer.merge(storage, NotificationRules.withRules(storage)).pipe(Layer.provideMerge(TaskDesk.layerDefaults))
    )
  )

/** The scheduler, the outbox's delivery, Telegram linking, and the job handlers they run. */
export type Operations =
  | Scheduler.Scheduler
  | Notifications.Notifications
  | TelegramLinking.TelegramLinking
  | JobHandlers.JobHandlers

/** This process, as the scheduler names it in its status and on its runs. */
export const instanceId = `${Os.hostname()}-${process.pid}`

/**
 * The scheduler (not started: `layerBackground` starts it), notifications over the configured
 * channels, Telegram linking (its one-time codes come with the storage), and the handlers of the
 * built-in jobs.
 */
export const layerOperations = (settings: Settings) =>
  Layer.mergeAll(Scheduler.Scheduler.Default, TelegramLinking.TelegramLinking.Default).pipe(
    Layer.provideMerge(Jobs.layerHandlers),
    Layer.provideMerge(Notifications.Notifications.Default),
    Layer.provide(Channels.layer(settings)),
    Layer.provide(Jobs.layerConfig(settings, instanceId)),
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(ServerSettings.layer(settings))
  )

/** How to build a server beyond its settings. */
export interface Options {
  /** Defaults to Argon2id. */
  readonly hasher?: Layer.Layer<PasswordHasher> | undefined
  /** Defaults to the storage the settings name (`database_url`). */
  readonly storage?: Layer.Layer<ServerStorage.ServerStorage, ServerStorage.StartError> | undefined
  /** Where live events come from; defaults to what the settings' database allows (`fanoutFor`). */
  readonly fanout?: Layer.Layer<EventFanout.EventFanout, ServerStorage.StartError, EventBus.EventBus> | undefined
  /** Runs after migrations and before the port opens (seeding): the server answers nobody before it is done. */
  readonly prepare?: Effect.Effect<void, never, CoreServices> | undefined
}

/** The domain, its storage and the accounts, without HTTP: what the CLI works with. */
export type CoreServices =
  | TaskDesk.Services
  | Analyses.Analyses
  | Storage.Storage
  | AuthStore
  | HealthProbe
  | Backup.DatabaseBackup
  | Accounts
  | ServerSettings
  | RateLimiter
  | WsTickets
  | LiveFeed
  | EventFanout.EventFanout
  | EventVisibility.EventVisibility
  | Operations
  | Policy.Policy
  | IdGenerator.IdGenerator
  | EventBus.EventBus

/** What a running server offers to code beside it (tests): the core services and the HTTP server. */
export type Services = CoreServices | HttpServer.HttpServer | NodeServe.NodeServer

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
  Layer.merge(serverServices(settings), AnalysisLayer.layer(settings)).pipe(
    Layer.provideMerge(options.hasher ?? PasswordHasher.layerArgon2),
    Layer.provideMerge(layerOperations(settings)),
    Layer.provideMerge(layerLive(settings, options)),
    Layer.provideMerge(layerDomain(options.storage ?? ServerStorage.layer(settings))),
    Layer.provide(layerLogger(settings)),
    Layer.provide(Layer.setTracerEnabled(false))
  )

/**
 * What runs beside the API for as long as the server does: the built-in jobs are defined (once,
 * in the configured zone), the scheduler starts (unless `scheduler.enabled` is off), and the
 * dispatcher delivers the outbox every `dispatch_interval_seconds`.
 */
export const layerBackground = (
  settings: Settings
): Layer.Layer<never, never, Scheduler.Scheduler | Notifications.Notifications | ServerSettings> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      yield* Jobs.ensureBuiltins
      const scheduler = yield* Scheduler.Scheduler
      if (settings.scheduler.enabled) yield* scheduler.start().pipe(Actor.asSystem, Effect.orDie)
      const notifications = yield* Notifications.Notifications
      yield* Effect.forkScoped(notifications.dispatcher(`${settings.notifications.dispatchIntervalSeconds} seconds`))
      yield* Effect.logInfo(
        `notifications: ${channelNames(settings).join(", ") || "log only"}; scheduler ${settings.scheduler.enabled ? `started as ${scheduler.instanceId}` : "off"}`
      )
    })
  )

/**
 * The Telegram bot when a bot token is configured: its webhook route `POST /telegram/webhook`
 * beside the API, and long polling or `setWebhook` at start as configured. Nothing without a token.
 */
export const layerTelegram = (settings: Settings): Layer.Layer<never, never, CoreServices> => {
  const config = Webhook.botConfig(settings)
  if (config === undefined) return Layer.empty
  return Layer.merge(Webhook.route, Webhook.layerStart(settings)).pipe(
    Layer.provide(Bot.layer(config)),
    Layer.provide(FetchHttpClient.layer)
  )
}

/**
 * Marks the SQLite file as held by a server for the server's life (`Holders`): `taskdesk restore`
 * refuses while it is, and a server does not start while a restore runs. Nothing for other storage.
 */
export const layerHold = (settings: Settings, options: Options = {}): Layer.Layer<never, Backup.BackupError> => {
  const db = database(settings)
  if (options.storage !== undefined || db._tag !== "sqlite") return Layer.empty
  return Layer.scopedDiscard(Holders.hold(db.filename, "serve", ["restore"]))
}

/**
 * The whole server on `host:port` (port 0 picks a free one; read it from `HttpServer`), with its
 * domain, storage, accounts, scheduler, notification delivery and (with a token) Telegram bot.
 */
export const layer = (
  settings: Settings,
  options: Options = {}
): Layer.Layer<Services, ServerStorage.StartError | HttpServerError.ServeError | Backup.BackupError> =>
  HttpLive.pipe(
    // Routes beside the API are registered before `serve` builds the app from the router.
    Layer.provide(layerTelegram(settings)),
    Layer.provideMerge(NodeServe.layerServer({ host: settings.server.host, port: settings.server.port })),
    // Ready once seeded and the background work started; the port opens after that anyway, so only
    // a host serving the API before (or a storage that stops answering) sees `/api/ready` say 503.
    Layer.provideMerge(Layer.effectDiscard(Effect.flatMap(Readiness, (r) => Effect.sync(r.markReady)))),
    Layer.provideMerge(layerBackground(settings)),
    Layer.provideMerge(Layer.effectDiscard(options.prepare ?? Effect.void)),
    Layer.provideMerge(layerServices(settings, options).pipe(Layer.provide(layerHold(settings, options)))),
    Layer.provideMerge(Readiness.layerStarting),
    Layer.provide(layerLogger(settings)),
    Layer.provide(Layer.setTracerEnabled(false))
  )
