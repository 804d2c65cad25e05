import type { HttpClient } from "@effect/platform"
import type { Notifications, UserRepo } from "@taskdesk/core"
import { Config, Effect, type Layer, Option, type Scope } from "effect"
import type { PersonalChannel } from "./Channel.js"
import * as DingTalk from "./DingTalk.js"
import * as EmailChannel from "./EmailChannel.js"
import * as Router from "./Router.js"
import * as TelegramApi from "./TelegramApi.js"
import * as TelegramChannel from "./TelegramChannel.js"
import * as WebhookChannel from "./WebhookChannel.js"

/** Which channels to use and how to reach them; a channel left out is not used. */
export interface ChannelsConfig {
  /** Where the host's web UI lives; messages link to the item there. */
  readonly publicBaseUrl?: string | undefined
  /** `all` (default): every channel that reaches the person; `first`: the first one, in the order below. */
  readonly mode?: "all" | "first" | undefined
  readonly telegram?: TelegramApi.TelegramApiConfig | undefined
  /** DingTalk work notifications to the person (the app robot's one-to-one messages). */
  readonly dingtalk?: Omit<DingTalk.WorkConfig, "publicBaseUrl"> | undefined
  /** A DingTalk group robot that @-mentions the person. */
  readonly dingtalkRobot?: Omit<DingTalk.RobotConfig, "publicBaseUrl"> | undefined
  readonly email?: Omit<EmailChannel.EmailConfig, "publicBaseUrl"> | undefined
  /** The host application's webhook: receives every notification. */
  readonly webhook?: Omit<WebhookChannel.WebhookConfig, "publicBaseUrl"> | undefined
}

/** The personal channels the config names, in the order telegram, dingtalk, dingtalk robot, email, webhook. */
export const channels = (
  config: ChannelsConfig
): Effect.Effect<ReadonlyArray<PersonalChannel>, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const publicBaseUrl = config.publicBaseUrl
    const out: Array<PersonalChannel> = []
    if (config.telegram !== undefined) {
      out.push(TelegramChannel.make(yield* TelegramApi.make(config.telegram), { publicBaseUrl }))
    }
    if (config.dingtalk !== undefined) out.push(yield* DingTalk.makeWork({ ...config.dingtalk, publicBaseUrl }))
    if (config.dingtalkRobot !== undefined) {
      out.push(yield* DingTalk.makeRobot({ ...config.dingtalkRobot, publicBaseUrl }))
    }
    if (config.email !== undefined) out.push(yield* EmailChannel.make({ ...config.email, publicBaseUrl }))
    if (config.webhook !== undefined) out.push(yield* WebhookChannel.make({ ...config.webhook, publicBaseUrl }))
    return out
  })

/**
 * The core's `NotificationChannel` for `Notifications`: a router over the configured channels. With
 * none configured, notifications fail for good with "no channel reaches …" (use
 * `NotificationChannel.layerLog` instead to only log them).
 */
export const layer = (
  config: ChannelsConfig
): Layer.Layer<Notifications.NotificationChannel, never, HttpClient.HttpClient | UserRepo.UserRepo> =>
  Router.layer(Effect.map(channels(config), (list) => ({ channels: list, mode: config.mode })))

const optional = <A>(config: Config.Config<A>) => Config.map(Config.option(config), Option.getOrUndefined)

/**
 * The channels from the environment (`Config`), every name prefixed `TASKDESK_`: `PUBLIC_URL`,
 * `TELEGRAM_BOT_TOKEN` (+ `TELEGRAM_API_URL`), `DINGTALK_APP_KEY`/`DINGTALK_APP_SECRET`/
 * `DINGTALK_ROBOT_CODE` (+ `DINGTALK_API_URL`), `DINGTALK_ROBOT_WEBHOOK`/`DINGTALK_ROBOT_SECRET`,
 * `SMTP_HOST`/`SMTP_PORT`/`SMTP_FROM` (+ `SMTP_SECURE`, `SMTP_USER`/`SMTP_PASSWORD`),
 * `WEBHOOK_URL`/`WEBHOOK_SECRET`, `NOTIFY_MODE`. A channel whose required settings are missing is off.
 */
export const fromEnv: Config.Config<ChannelsConfig> = Config.all({
  publicBaseUrl: optional(Config.string("TASKDESK_PUBLIC_URL")),
  mode: optional(Config.literal("all", "first")("TASKDESK_NOTIFY_MODE")),
  telegram: optional(
    Config.all({
      token: Config.redacted("TASKDESK_TELEGRAM_BOT_TOKEN"),
      baseUrl: optional(Config.string("TASKDESK_TELEGRAM_API_URL"))
    })
  ),
  dingtalk: optional(
    Config.all({
      appKey: Config.string("TASKDESK_DINGTALK_APP_KEY"),
      appSecret: Config.redacted("TASKDESK_DINGTALK_APP_SECRET"),
      robotCode: Config.string("TASKDESK_DINGTALK_ROBOT_CODE"),
      apiBaseUrl: optional(Config.string("TASKDESK_DINGTALK_API_URL"))
    })
  ),
  dingtalkRobot: optional(
    Config.all({
      webhookUrl: Config.redacted("TASKDESK_DINGTALK_ROBOT_WEBHOOK"),
      secret: Config.redacted("TASKDESK_DINGTALK_ROBOT_SECRET")
    })
  ),
  email: optional(
    Config.all({
      host: Config.string("TASKDESK_SMTP_HOST"),
      port: Config.integer("TASKDESK_SMTP_PORT"),
      from: Config.string("TASKDESK_SMTP_FROM"),
      secure: optional(Config.boolean("TASKDESK_SMTP_SECURE")),
      auth: optional(
        Config.all({ user: Config.string("TASKDESK_SMTP_USER"), password: Config.redacted("TASKDESK_SMTP_PASSWORD") })
      )
    })
  ),
  webhook: optional(
    Config.all({ url: Config.string("TASKDESK_WEBHOOK_URL"), secret: Config.redacted("TASKDESK_WEBHOOK_SECRET") })
  )
})
