import type { Notification, User } from "@taskdesk/core"
import { Effect, Option, Redacted, type Scope } from "effect"
import { createTransport } from "nodemailer"
import { escapeHtml, linkOf, openLabel, type PersonalChannel, permanent, transient } from "./Channel.js"

export interface EmailConfig {
  readonly host: string
  readonly port: number
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure?: boolean | undefined
  /** Refuse to send unless the server upgrades with STARTTLS. */
  readonly requireTls?: boolean | undefined
  readonly auth?: { readonly user: string; readonly password: Redacted.Redacted<string> } | undefined
  /** The sender, e.g. `"taskdesk" <noreply@example.org>`. */
  readonly from: string
  /** The domain of Message-IDs (`<notification id@domain>`): the sender's domain. */
  readonly messageIdDomain?: string | undefined
  readonly publicBaseUrl?: string | undefined
}

/** The parts of a nodemailer error that say what went wrong. */
interface SmtpError {
  readonly code?: string
  readonly responseCode?: number
  readonly response?: string
  readonly message?: string
}

/** The letter for one notification: plain text and HTML, both with the link. */
export const letter = (notification: Notification.Notification, user: User.User, publicBaseUrl?: string) => {
  const link = linkOf(publicBaseUrl, notification)
  const text = `${notification.body}${Option.match(link, { onNone: () => "", onSome: (url) => `\n\n${url}` })}`
  const html = [
    `<p><strong>${escapeHtml(notification.subject)}</strong></p>`,
    `<p>${escapeHtml(notification.body).replace(/\r?\n/g, "<br>\n")}</p>`,
    ...Option.toArray(link).map((url) => `<p><a href="${escapeHtml(url)}">${openLabel[user.language]}</a></p>`)
  ].join("\n")
  return { text, html }
}

/**
 * Email over SMTP through nodemailer: text and HTML bodies, the notification id as the Message-ID
 * (so a receiver can drop the duplicate a retry may make) and in `X-Taskdesk-Notification`.
 * Header values are nodemailer's to encode: it folds and MIME-encodes them and turns line breaks
 * into spaces, so a subject or name cannot add headers; the address is a validated `User.Email`.
 * 4xx answers and lost connections are retried; 5xx answers are final.
 */
export const make = (config: EmailConfig): Effect.Effect<PersonalChannel, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() =>
        createTransport({
          host: config.host,
          port: config.port,
          secure: config.secure ?? false,
          requireTLS: config.requireTls ?? false,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
          ...(config.auth === undefined
            ? {}
            : { auth: { user: config.auth.user, pass: Redacted.value(config.auth.password) } })
        })
      ),
      (transport) => Effect.sync(() => transport.close())
    ),
    (transport): PersonalChannel => {
      const name = "email"
      const domain = config.messageIdDomain ?? "taskdesk.invalid"
      return {
        name,
        reaches: (user) => Option.isSome(user.email),
        deliver: (notification, user) =>
          Effect.gen(function* () {
            if (Option.isNone(user.email)) return yield* permanent(name, "the person has no email address")
            const address = user.email.value
            const { text, html } = letter(notification, user, config.publicBaseUrl)
            yield* Effect.tryPromise({
              try: () =>
                transport.sendMail({
                  from: config.from,
                  to: { name: user.name, address },
                  subject: notification.subject,
                  text,
                  html,
                  messageId: `<${notification.id}@${domain}>`,
                  headers: { "X-Taskdesk-Notification": notification.id, "X-Taskdesk-Kind": notification.kind }
                }),
              catch: (cause) => {
                const error = (cause ?? {}) as SmtpError
                const said = `${error.code ?? "error"}${error.responseCode === undefined ? "" : ` ${error.responseCode}`}: ${error.response ?? error.message ?? String(cause)}`
                const final =
                  error.code !== "EAUTH" &&
                  ((error.responseCode !== undefined && error.responseCode >= 500) ||
                    (error.code === "EENVELOPE" && error.responseCode === undefined))
                return final ? permanent(name, said) : transient(name, said)
              }
            })
          })
      }
    }
  )
