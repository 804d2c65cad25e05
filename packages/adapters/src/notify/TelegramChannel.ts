import { Effect, Option } from "effect"
import { escapeHtml, linkOf, openLabel, type PersonalChannel, permanent, transient } from "./Channel.js"
import type { TelegramApi } from "./TelegramApi.js"
import { assignmentKeyboard } from "./TelegramButtons.js"

export interface TelegramChannelConfig {
  /** Where the host's web UI lives; messages link to the item there. */
  readonly publicBaseUrl?: string | undefined
}

/** Telegram allows 4,096 characters in a message. */
const maxText = 4_096

/**
 * Delivers to the person's private chat with the bot (their Telegram id is the chat id), in HTML
 * with the subject in bold and a link to the item. An assignment offer carries Accept and Reject
 * buttons, which the bot answers.
 */
export const make = (api: TelegramApi, config: TelegramChannelConfig = {}): PersonalChannel => ({
  name: "telegram",
  reaches: (user) => Option.isSome(user.telegramId),
  deliver: (notification, user) =>
    Effect.gen(function* () {
      if (Option.isNone(user.telegramId)) return yield* permanent("telegram", "the person has no Telegram link")
      const link = linkOf(config.publicBaseUrl, notification).pipe(
        Option.map((url) => `\n\n<a href="${escapeHtml(url)}">${openLabel[user.language]}</a>`),
        Option.getOrElse(() => "")
      )
      const head = `<b>${escapeHtml(notification.subject)}</b>\n\n`
      // Cut the body, not the markup, so the message stays valid HTML.
      const room = maxText - head.length - link.length - 1
      const body = escapeHtml(notification.body)
      const text = `${head}${body.length > room ? `${body.slice(0, room).replace(/&[a-z]*$/, "")}…` : body}${link}`
      const assignmentId = notification.data.assignmentId
      const actions = notification.data.actions
      const buttons =
        typeof assignmentId === "string" && Array.isArray(actions) && actions.includes("accept")
          ? { reply_markup: assignmentKeyboard(assignmentId, user.language) }
          : {}
      yield* api
        .sendMessage({
          chat_id: user.telegramId.value,
          text,
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          ...buttons
        })
        .pipe(
          // A wrong token (401) or base URL (404) is the operator's to fix: retry rather than give up.
          Effect.mapError((e) =>
            e.transient || e.status === 401 || e.status === 404
              ? transient("telegram", e.message, e.retryAfter)
              : permanent("telegram", e.message)
          )
        )
    })
})
