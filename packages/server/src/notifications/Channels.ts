import type { HttpClient } from "@effect/platform"
import * as Notify from "@taskdesk/adapters/notify"
import { Notifications, type UserRepo } from "@taskdesk/core"
import { type Layer, Redacted } from "effect"
import { channelNames, type Settings } from "../Config.js"

/** The channels the settings configure, in the adapters' words. */
export const channelsConfig = (settings: Settings): Notify.Channels.ChannelsConfig => {
  const n = settings.notifications
  const token = settings.security.telegramBotToken
  const smtp = n.smtp
  return {
    publicBaseUrl: settings.publicUrl,
    mode: n.mode,
    telegram: token === undefined ? undefined : { token, baseUrl: settings.telegram.apiUrl },
    dingtalk:
      n.dingtalk === undefined
        ? undefined
        : {
            appKey: n.dingtalk.appKey,
            appSecret: n.dingtalk.appSecret,
            robotCode: n.dingtalk.robotCode,
            apiBaseUrl: n.dingtalk.apiUrl
          },
    dingtalkRobot:
      n.dingtalkRobot === undefined
        ? undefined
        : { webhookUrl: n.dingtalkRobot.webhook, secret: n.dingtalkRobot.secret },
    email:
      smtp === undefined
        ? undefined
        : {
            host: smtp.host,
            port: smtp.port,
            from: smtp.from,
            secure: smtp.secure,
            messageIdDomain: /@([^>\s]+)>?\s*$/.exec(smtp.from)?.[1],
            auth:
              smtp.user === undefined ? undefined : { user: smtp.user, password: smtp.password ?? Redacted.make("") }
          },
    webhook: n.webhook === undefined ? undefined : { url: n.webhook.url, secret: n.webhook.secret }
  }
}

/**
 * Where notifications go: the configured channels (Telegram when a bot token is set, DingTalk,
 * email, the host's webhook), routed per person; only the log when none is configured.
 */
export const layer = (
  settings: Settings
): Layer.Layer<Notifications.NotificationChannel, never, HttpClient.HttpClient | UserRepo.UserRepo> =>
  channelNames(settings).length === 0
    ? Notifications.NotificationChannel.layerLog
    : Notify.Channels.layer(channelsConfig(settings))
