import type { Notification, User } from "@taskdesk/core"
import { Notifications } from "@taskdesk/core"
import type { Effect } from "effect"
import { Option } from "effect"

/**
 * A channel that reaches people at their own address (a Telegram chat, a DingTalk user id, an email
 * address): the router looks the recipient up once and hands them to every channel that reaches them.
 */
export interface PersonalChannel {
  readonly name: string
  /** Whether this person has an address here. */
  readonly reaches: (user: User.User) => boolean
  readonly deliver: (
    notification: Notification.Notification,
    user: User.User
  ) => Effect.Effect<void, Notifications.DeliveryFailed>
}

/** A failure worth trying again later (network, 5xx, rate limits). */
export const transient = (channel: string, message: string, retryAfterSeconds?: number) =>
  new Notifications.DeliveryFailed({
    channel,
    message: message.slice(0, 1_000),
    permanent: false,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds })
  })

/** A failure no retry will fix (no such chat, blocked bot, bad address). */
export const permanent = (channel: string, message: string) =>
  new Notifications.DeliveryFailed({ channel, message: message.slice(0, 1_000), permanent: true })

/**
 * The item's web address: the host's public base URL plus the path the rules put in `data.path`.
 * Only a relative path is accepted, so a notification cannot point people elsewhere.
 */
export const linkOf = (
  publicBaseUrl: string | undefined,
  notification: Notification.Notification
): Option.Option<string> => {
  const path = notification.data.path
  if (publicBaseUrl === undefined || typeof path !== "string" || !path.startsWith("/") || path.startsWith("//")) {
    return Option.none()
  }
  return Option.some(`${publicBaseUrl.replace(/\/+$/, "")}${path}`)
}

/** Escapes text for HTML bodies and Telegram's HTML parse mode (which knows only these three entities and `&quot;`). */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** "Open" in the reader's language, for links. */
export const openLabel: Readonly<Record<User.Language, string>> = { en: "Open", ru: "Открыть", zh: "打开" }
