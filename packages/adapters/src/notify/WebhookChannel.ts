import { createHmac, timingSafeEqual } from "node:crypto"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { Notification } from "@taskdesk/core"
import { Clock, DateTime, Duration, Effect, Option, Redacted } from "effect"
import { linkOf, type PersonalChannel, permanent, transient } from "./Channel.js"
import { makeGate } from "./RateLimit.js"

/** Headers of a webhook delivery. */
export const headers = {
  /** The notification id: the same on every retry, so receivers can drop duplicates. */
  delivery: "x-taskdesk-delivery",
  /** Unix seconds when this attempt was signed. */
  timestamp: "x-taskdesk-timestamp",
  /** `sha256=` + hex HMAC-SHA256 of `timestamp + "." + body`, keyed by the shared secret. */
  signature: "x-taskdesk-signature"
} as const

/** The signature header's value for a body sent at `timestamp` (Unix seconds). */
export const signature = (secret: string, timestamp: number, body: string): string =>
  `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`

/**
 * What a receiver runs: the signature matches (compared in constant time) and the timestamp is
 * within `toleranceSeconds` of `nowSeconds`, so a captured delivery cannot be replayed later.
 */
export const verify = (options: {
  readonly secret: string
  readonly timestamp: string | undefined
  readonly signature: string | undefined
  readonly body: string
  readonly nowSeconds: number
  readonly toleranceSeconds?: number
}): boolean => {
  const timestamp = Number(options.timestamp)
  if (!Number.isInteger(timestamp) || options.signature === undefined) return false
  if (Math.abs(options.nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return false
  const expected = Buffer.from(signature(options.secret, timestamp, options.body))
  const given = Buffer.from(options.signature)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export interface WebhookConfig {
  readonly url: string
  readonly secret: Redacted.Redacted<string>
  readonly publicBaseUrl?: string | undefined
  /** How long one POST may take. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How long a delivery waits for the receiver's Retry-After to pass before giving it back to the outbox. */
  readonly maxRateLimitWait?: Duration.DurationInput | undefined
}

/** The JSON a webhook receives: the notification, its recipient and a link. */
export const payload = (notification: Notification.Notification, publicBaseUrl?: string) => ({
  id: notification.id,
  kind: notification.kind,
  recipientId: notification.recipientId,
  subject: notification.subject,
  body: notification.body,
  data: notification.data,
  link: Option.getOrNull(linkOf(publicBaseUrl, notification)),
  createdAt: DateTime.formatIso(notification.createdAt)
})

/**
 * POSTs every notification as JSON to the host application's URL, signed with an HMAC header, so the
 * host can react (it reaches everyone: it has no per-person address). 2xx is delivered; 408, 425,
 * 429 and 5xx are retried; other answers are final.
 */
export const make = (config: WebhookConfig): Effect.Effect<PersonalChannel, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const gate = yield* makeGate(config.maxRateLimitWait ?? Duration.seconds(30))
    const name = "webhook"
    const timeout = config.timeout ?? Duration.seconds(10)
    return {
      name,
      reaches: () => true,
      deliver: (notification) =>
        Effect.gen(function* () {
          yield* gate.pass("webhook").pipe(Effect.mapError((t) => transient(name, t.message)))
          const body = JSON.stringify(payload(notification, config.publicBaseUrl))
          const timestamp = Math.floor((yield* Clock.currentTimeMillis) / 1000)
          const response = yield* client
            .execute(
              HttpClientRequest.post(config.url).pipe(
                HttpClientRequest.setHeaders({
                  [headers.delivery]: notification.id,
                  [headers.timestamp]: String(timestamp),
                  [headers.signature]: signature(Redacted.value(config.secret), timestamp, body)
                }),
                HttpClientRequest.bodyText(body, "application/json")
              )
            )
            .pipe(
              Effect.timeoutFail({ duration: timeout, onTimeout: () => transient(name, "no answer in time") }),
              Effect.mapError((e) => (e._tag === "DeliveryFailed" ? e : transient(name, `no answer (${e._tag})`)))
            )
          const status = response.status
          if (status >= 200 && status < 300) return
          const said = `HTTP ${status}`
          // Retry-After in seconds (the HTTP-date form is rare from applications and is ignored).
          const retryAfter = Number(response.headers["retry-after"])
          if ((status === 429 || status === 503) && Number.isFinite(retryAfter) && retryAfter > 0) {
            yield* gate.block("webhook", timestamp * 1000 + retryAfter * 1000)
            return yield* transient(name, `${said}, retry after ${retryAfter}s`)
          }
          return yield* status === 408 || status === 425 || status === 429 || status >= 500
            ? transient(name, said)
            : permanent(name, said)
        })
    } satisfies PersonalChannel
  })
