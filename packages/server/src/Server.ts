import * as Os from "node:os"
import { FetchHttpClient, type HttpServer, type HttpServerError } from "@effect/platform"
import { type Backup, Holders } from "@taskdesk/adapters/backup"
import { LocalFanout, PgFanout, PollFanout } from "@taskdesk/adapters/live"
import { Bot, Webhook } from "@taskdesk/bot"
import {
  Actor,
  type Analyses,
  type EventBus,
  type EventFanout,
  type EventVisibility,
  type IdGenerator,
  Notifications,
  type Policy,
  Scheduler,
  type Storage,
  type TaskDesk,
  TelegramLinking
} from "@taskdesk/core"
import * as App from "@taskdesk/http/App.js"
import type { Accounts } from "@taskdesk/http/auth/Accounts.js"
import type { AuthStore } from "@taskdesk/http/auth/AuthStore.js"
import type { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import { ServerSettings } from "@taskdesk/http/Config.js"
import type { HealthProbe } from "@taskdesk/http/health/HealthProbe.js"
import { Readiness } from "@taskdesk/http/health/Readiness.js"
import type { LiveFeed } from "@taskdesk/http/live/LiveFeed.js"
import type { WsTickets } from "@taskdesk/http/live/Tickets.js"
import * as Middleware from "@taskdesk/http/Middleware.js"
import type { RateLimiter } from "@taskdesk/http/RateLimiter.js"
import * as NodeServe from "@taskdesk/http/serve/NodeServe.js"
import * as TimeSlicedScheduler from "@taskdesk/http/serve/TimeSlicedScheduler.js"
import * as WebUi from "@taskdesk/http/WebUi.js"
import { Effect, FiberRef, HashMap, HashSet, Layer, Logger, Redacted } from "effect"
import * as Argon2 from "./Argon2.js"
import * as AnalysisLayer from "./analysis/Layer.js"
import { channelNames, database, logLevel, type Settings } from "./Config.js"
import * as Channels from "./notifications/Channels.js"
import * as ServerStorage from "./Storage.js"
import * as Jobs from "./scheduler/Jobs.js"

/** Every group's handlers, and the API implemented with its authentication middleware. */
export const { ApiLive, GroupsLive } = App

/**
 * Serves the API, `/openapi.json`, `/docs` (Swagger UI, inlined: works offline) and the web pages behind the
 * request pipeline: the API's endpoints through the compiled dispatcher, the rest through the
 * platform's router.
 */
export const HttpLive = App.HttpLive.pipe(
  // The web pages at `/` (packages/web's build), with the page itself for any other path outside /api.
  Layer.provide(WebUi.route())
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

/** The domain on a storage, with the default policy, ULIDs, the local event bus and the notification rules. */
export const layerDomain = <E>(storage: Layer.Layer<ServerStorage.ServerStorage, E>) => App.layerDomain(storage)

/** The scheduler, the outbox's delivery, Telegram linking, and the job handlers they run. */
export type Operations = App.Operations

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
  Layer.merge(App.layerServices(settings), AnalysisLayer.layer(settings)).pipe(
    Layer.provideMerge(options.hasher ?? Argon2.layer),
    Layer.provideMerge(layerOperations(settings)),
    Layer.provideMerge(options.fanout ?? fanoutFor(settings)),
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

/** The bot, when a token is configured. */
export const botConfig = (settings: Settings): Bot.BotConfig | undefined => {
  const token = settings.security.telegramBotToken
  if (token === undefined) return undefined
  return {
    telegram: { token, baseUrl: settings.telegram.apiUrl },
    webhookSecret: settings.telegram.webhookSecret
  }
}

/**
 * The Telegram bot when a bot token is configured: its webhook route `POST /telegram/webhook`
 * beside the API, and long polling or `setWebhook` at start as configured. Nothing without a token.
 */
export const layerTelegram = (settings: Settings): Layer.Layer<never, never, CoreServices> => {
  const config = botConfig(settings)
  if (config === undefined) return Layer.empty
  return Layer.merge(
    Webhook.route,
    Webhook.layerStart({
      polling: settings.telegram.polling,
      setWebhook: settings.telegram.setWebhook,
      publicUrl: settings.publicUrl
    })
  ).pipe(Layer.provide(Bot.layer(config)), Layer.provide(FetchHttpClient.layer))
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
    Layer.provide(Layer.setTracerEnabled(false)),
    // A long request (an import, an export) lets the others through every 10 ms.
    Layer.provide(TimeSlicedScheduler.layer())
  )
