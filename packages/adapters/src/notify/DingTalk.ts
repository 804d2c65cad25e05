import { createHmac } from "node:crypto"
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "@effect/platform"
import type { Notification, User } from "@taskdesk/core"
import { Clock, Duration, Effect, Option, Redacted, Ref, Schema } from "effect"
import { linkOf, openLabel, type PersonalChannel, permanent, transient } from "./Channel.js"
import { makeWindow } from "./RateLimit.js"

/**
 * The custom robot's signature: HMAC-SHA256 of `timestamp + "\n" + secret` keyed by the secret,
 * base64. It goes in the `sign` query parameter (URL-encoded) beside `timestamp` (epoch ms).
 */
export const sign = (timestamp: number, secret: string): string =>
  createHmac("sha256", secret).update(`${timestamp}\n${secret}`).digest("base64")

/** The webhook URL with `timestamp` and `sign` added. */
export const signedUrl = (webhookUrl: string, timestamp: number, secret: string): string => {
  const url = new URL(webhookUrl)
  url.searchParams.set("timestamp", String(timestamp))
  url.searchParams.set("sign", sign(timestamp, secret))
  return url.toString()
}

/** DingTalk markdown: a heading, the body with hard line breaks, the link. */
const markdown = (notification: Notification.Notification, user: User.User, publicBaseUrl: string | undefined) => {
  const body = notification.body.replace(/\r?\n/g, "  \n")
  const link = linkOf(publicBaseUrl, notification).pipe(
    Option.map((url) => `\n\n[${openLabel[user.language]}](${url})`),
    Option.getOrElse(() => "")
  )
  return `#### ${notification.subject}\n\n${body}${link}`
}

const RobotAnswer = Schema.Struct({ errcode: Schema.Number, errmsg: Schema.optional(Schema.String) })

/** errcodes that mean "slow down": 130101 (more than 20 a minute), 410100 (throttled). */
const robotThrottled = new Set([130101, 410100])
/** errcodes a retry may cure: the system is busy. */
const robotBusy = new Set([-1])

export interface RobotConfig {
  /** The robot's webhook, `https://oapi.dingtalk.com/robot/send?access_token=…`. */
  readonly webhookUrl: Redacted.Redacted<string>
  /** The robot's signing secret (`SEC…`). */
  readonly secret: Redacted.Redacted<string>
  readonly publicBaseUrl?: string | undefined
  /** DingTalk allows 20 messages a minute per robot. */
  readonly messagesPerMinute?: number | undefined
  /** How long a delivery may wait for a free slot before giving the notification back to the outbox. */
  readonly maxWait?: Duration.DurationInput | undefined
}

/**
 * The custom group robot: posts the notification to the group as markdown, @-mentioning the person
 * by their DingTalk user id, with a signed timestamp; keeps under the robot's messages-a-minute limit
 * itself and treats DingTalk's "too fast" answer as a reason to retry later.
 */
export const makeRobot = (config: RobotConfig): Effect.Effect<PersonalChannel, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    // The access token sits in the URL: no spans.
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerDisabledWhen(() => true))
    const window = yield* makeWindow({
      limit: config.messagesPerMinute ?? 20,
      window: Duration.minutes(1),
      maxWait: config.maxWait ?? Duration.seconds(30)
    })
    const name = "dingtalk-robot"
    return {
      name,
      reaches: (user) => Option.isSome(user.dingtalkId),
      deliver: (notification, user) =>
        Effect.gen(function* () {
          if (Option.isNone(user.dingtalkId)) return yield* permanent(name, "the person has no DingTalk id")
          const id = user.dingtalkId.value
          yield* window.take("robot").pipe(Effect.mapError((t) => transient(name, `robot limit reached: ${t.message}`)))
          const timestamp = yield* Clock.currentTimeMillis
          const response = yield* client
            .execute(
              HttpClientRequest.post(
                signedUrl(Redacted.value(config.webhookUrl), timestamp, Redacted.value(config.secret))
              ).pipe(
                HttpClientRequest.bodyUnsafeJson({
                  msgtype: "markdown",
                  markdown: {
                    title: notification.subject,
                    text: `${markdown(notification, user, config.publicBaseUrl)}\n\n@${id}`
                  },
                  at: { atUserIds: [id], isAtAll: false }
                })
              )
            )
            .pipe(Effect.mapError((e) => transient(name, `no answer (${e._tag})`)))
          if (response.status >= 500) return yield* transient(name, `HTTP ${response.status}`)
          const answer = yield* response.json.pipe(
            Effect.flatMap(Schema.decodeUnknown(RobotAnswer)),
            Effect.mapError(() => transient(name, `HTTP ${response.status}: not a robot answer`))
          )
          if (answer.errcode === 0) return
          const text = `errcode ${answer.errcode}: ${answer.errmsg ?? ""}`
          return yield* robotThrottled.has(answer.errcode) || robotBusy.has(answer.errcode)
            ? transient(name, text)
            : permanent(name, text)
        })
    } satisfies PersonalChannel
  })

export interface WorkConfig {
  /** `https://api.dingtalk.com` unless a fake stands in. */
  readonly apiBaseUrl?: string | undefined
  readonly appKey: string
  readonly appSecret: Redacted.Redacted<string>
  /** The app robot that sends one-to-one messages. */
  readonly robotCode: string
  readonly publicBaseUrl?: string | undefined
}

const AccessToken = Schema.Struct({ accessToken: Schema.String, expireIn: Schema.Number })
const BatchSendAnswer = Schema.Struct({
  processQueryKey: Schema.optional(Schema.String),
  invalidStaffIdList: Schema.optional(Schema.Array(Schema.String)),
  flowControlledStaffIdList: Schema.optional(Schema.Array(Schema.String))
})
const ApiError = Schema.Struct({ code: Schema.optional(Schema.String), message: Schema.optional(Schema.String) })

/**
 * Work notifications: one-to-one messages from the app's robot to a person's DingTalk user id
 * (`/v1.0/robot/oToMessages/batchSend` with an `x-acs-dingtalk-access-token` from
 * `/v1.0/oauth2/accessToken`). The token is cached until five minutes before it expires and fetched
 * again once when DingTalk says it is no longer valid.
 */
export const makeWork = (config: WorkConfig): Effect.Effect<PersonalChannel, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerDisabledWhen(() => true))
    const base = (config.apiBaseUrl ?? "https://api.dingtalk.com").replace(/\/+$/, "")
    const cached = yield* Ref.make(Option.none<{ readonly token: string; readonly until: number }>())
    const lock = yield* Effect.makeSemaphore(1)
    const name = "dingtalk"

    const apiError = (response: HttpClientResponse.HttpClientResponse) =>
      response.json.pipe(
        Effect.flatMap(Schema.decodeUnknown(ApiError)),
        Effect.orElseSucceed(() => ({ code: undefined, message: undefined })),
        Effect.map((e) => `HTTP ${response.status} ${e.code ?? ""}: ${e.message ?? ""}`.trim())
      )

    const fetchToken = Effect.gen(function* () {
      const response = yield* client
        .execute(
          HttpClientRequest.post(`${base}/v1.0/oauth2/accessToken`).pipe(
            HttpClientRequest.bodyUnsafeJson({ appKey: config.appKey, appSecret: Redacted.value(config.appSecret) })
          )
        )
        .pipe(Effect.mapError((e) => transient(name, `no answer from the token endpoint (${e._tag})`)))
      if (response.status !== 200) {
        // Wrong app credentials are a configuration mistake an operator can fix: keep retrying.
        return yield* transient(name, `access token refused: ${yield* apiError(response)}`)
      }
      const answer = yield* response.json.pipe(
        Effect.flatMap(Schema.decodeUnknown(AccessToken)),
        Effect.mapError(() => transient(name, "unexpected access token answer"))
      )
      const now = yield* Clock.currentTimeMillis
      const until = now + Math.max(answer.expireIn - 300, 60) * 1000
      yield* Ref.set(cached, Option.some({ token: answer.accessToken, until }))
      return answer.accessToken
    })

    const token = (fresh: boolean) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const current = yield* Ref.get(cached)
          if (!fresh && Option.isSome(current) && current.value.until > now) return current.value.token
          return yield* fetchToken
        })
      )

    const send = (notification: Notification.Notification, user: User.User, userId: string, fresh: boolean) =>
      Effect.gen(function* () {
        const accessToken = yield* token(fresh)
        return yield* client
          .execute(
            HttpClientRequest.post(`${base}/v1.0/robot/oToMessages/batchSend`).pipe(
              HttpClientRequest.setHeader("x-acs-dingtalk-access-token", accessToken),
              HttpClientRequest.bodyUnsafeJson({
                robotCode: config.robotCode,
                userIds: [userId],
                msgKey: "sampleMarkdown",
                msgParam: JSON.stringify({
                  title: notification.subject,
                  text: markdown(notification, user, config.publicBaseUrl)
                })
              })
            )
          )
          .pipe(Effect.mapError((e) => transient(name, `no answer (${e._tag})`)))
      })

    return {
      name,
      reaches: (user) => Option.isSome(user.dingtalkId),
      deliver: (notification, user) =>
        Effect.gen(function* () {
          if (Option.isNone(user.dingtalkId)) return yield* permanent(name, "the person has no DingTalk id")
          const userId = user.dingtalkId.value
          let response = yield* send(notification, user, userId, false)
          if (response.status === 401) response = yield* send(notification, user, userId, true)
          if (response.status === 429 || response.status >= 500) {
            return yield* transient(name, yield* apiError(response))
          }
          if (response.status !== 200) return yield* permanent(name, yield* apiError(response))
          const answer = yield* response.json.pipe(
            Effect.flatMap(Schema.decodeUnknown(BatchSendAnswer)),
            Effect.mapError(() => transient(name, "unexpected batchSend answer"))
          )
          if (answer.invalidStaffIdList?.includes(userId)) {
            return yield* permanent(name, `DingTalk does not know the user id ${userId}`)
          }
          if (answer.flowControlledStaffIdList?.includes(userId)) {
            return yield* transient(name, `DingTalk throttled messages to ${userId}`)
          }
        })
    } satisfies PersonalChannel
  })
