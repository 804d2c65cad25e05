import { createHmac, timingSafeEqual } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"

/** A message the group robot accepted. */
export interface RobotMessage {
  readonly at: number
  readonly body: {
    readonly msgtype: string
    readonly markdown?: { readonly title: string; readonly text: string }
    readonly text?: { readonly content: string }
    readonly at?: { readonly atUserIds?: ReadonlyArray<string>; readonly isAtAll?: boolean }
  }
}

/** A one-to-one message the app robot accepted. */
export interface WorkMessage {
  readonly userIds: ReadonlyArray<string>
  readonly msgKey: string
  readonly msgParam: { readonly title?: string; readonly text?: string }
}

/** A scripted failure: an HTTP status with a DingTalk body. */
export interface Failure {
  readonly status?: number
  /** Robot answers: `errcode` (e.g. -1 busy, 130101 too fast). */
  readonly errcode?: number
  /** New API answers: `code` (e.g. `Throttling`). */
  readonly code?: string
}

export interface FakeDingTalkOptions {
  readonly robotToken?: string
  readonly robotSecret?: string
  readonly appKey?: string
  readonly appSecret?: string
  readonly robotCode?: string
  /** The robot's limit per minute (DingTalk: 20). */
  readonly perMinute?: number
  /** The fake's clock (epoch ms): pass the test's clock to check the limit under `TestClock`. */
  readonly now?: () => number
  /** DingTalk user ids the org has; others come back in `invalidStaffIdList`. */
  readonly staff?: ReadonlyArray<string>
}

/**
 * A fake DingTalk on 127.0.0.1: the custom robot webhook (`/robot/send?access_token&timestamp&sign`)
 * checking the token, the HMAC signature and the timestamp (within an hour, as DingTalk does) and
 * refusing more than 20 messages a minute with errcode 130101; and the new API's
 * `/v1.0/oauth2/accessToken` and `/v1.0/robot/oToMessages/batchSend` (with
 * `x-acs-dingtalk-access-token`). Answers carry DingTalk's own bodies: `{errcode, errmsg}` from the
 * robot, `{code, message}` errors from the new API.
 */
export interface FakeDingTalk {
  readonly url: string
  /** The robot's webhook URL, with its access token. */
  readonly webhookUrl: string
  readonly robotSecret: string
  readonly appKey: string
  readonly appSecret: string
  readonly robotCode: string
  readonly robotMessages: ReadonlyArray<RobotMessage>
  readonly workMessages: ReadonlyArray<WorkMessage>
  /** Why the robot refused requests, in order (errcodes). */
  readonly refusals: ReadonlyArray<{ readonly errcode: number; readonly errmsg: string }>
  /** Access tokens handed out. */
  readonly tokensIssued: () => number
  /** Makes the current access token invalid (as after it expires). */
  readonly expireTokens: () => void
  readonly failNext: (path: "robot" | "batchSend" | "token", failure: Failure, times?: number) => void
}

const readJson = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8") || "null"))
      } catch (e) {
        reject(e)
      }
    })
    req.on("error", reject)
  })

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

/** Starts the fake on a random port for the scope's lifetime. */
export const make = (options: FakeDingTalkOptions = {}): Effect.Effect<FakeDingTalk, never, Scope.Scope> =>
  Effect.gen(function* () {
    const robotToken = options.robotToken ?? "robot-access-token"
    const robotSecret = options.robotSecret ?? "SECfake0123456789abcdef"
    const appKey = options.appKey ?? "ding-app-key"
    const appSecret = options.appSecret ?? "ding-app-secret"
    const robotCode = options.robotCode ?? "dingrobot"
    const perMinute = options.perMinute ?? 20
    const now = options.now ?? (() => Date.now())
    const robotMessages: Array<RobotMessage> = []
    const workMessages: Array<WorkMessage> = []
    const refusals: Array<{ errcode: number; errmsg: string }> = []
    const failures = new Map<string, Array<Failure>>()
    const validTokens = new Set<string>()
    let issued = 0

    const refuse = (res: ServerResponse, errcode: number, errmsg: string) => {
      refusals.push({ errcode, errmsg })
      send(res, 200, { errcode, errmsg })
    }

    const scripted = (res: ServerResponse, path: string): boolean => {
      const failure = failures.get(path)?.shift()
      if (failure === undefined) return false
      if (failure.errcode !== undefined) refuse(res, failure.errcode, "scripted failure")
      else send(res, failure.status ?? 500, { code: failure.code ?? "ServiceUnavailable", message: "scripted failure" })
      return true
    }

    const robot = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
      const body = (await readJson(req)) as RobotMessage["body"] | null
      if (scripted(res, "robot")) return
      if (url.searchParams.get("access_token") !== robotToken) return refuse(res, 300001, "token is not exist")
      const timestamp = Number(url.searchParams.get("timestamp"))
      const given = Buffer.from(url.searchParams.get("sign") ?? "")
      const expected = Buffer.from(
        createHmac("sha256", robotSecret).update(`${timestamp}\n${robotSecret}`).digest("base64")
      )
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return refuse(res, 310000, "sign not match")
      }
      if (!Number.isFinite(timestamp) || Math.abs(now() - timestamp) > 3_600_000) {
        return refuse(res, 310000, "timestamp is more than an hour away")
      }
      const recent = robotMessages.filter((m) => m.at > now() - 60_000)
      if (recent.length >= perMinute) {
        return refuse(res, 130101, `send too fast, exceed ${perMinute} times per minute`)
      }
      if (body === null || !["text", "markdown", "link", "actionCard", "feedCard"].includes(body.msgtype)) {
        return refuse(res, 40035, "缺少参数 json")
      }
      if (body.msgtype === "markdown" && (body.markdown?.title === undefined || body.markdown.text === undefined)) {
        return refuse(res, 40035, "markdown needs title and text")
      }
      robotMessages.push({ at: now(), body })
      send(res, 200, { errcode: 0, errmsg: "ok" })
    }

    const accessToken = async (req: IncomingMessage, res: ServerResponse) => {
      const body = (await readJson(req)) as { appKey?: string; appSecret?: string } | null
      if (scripted(res, "token")) return
      if (body?.appKey !== appKey || body.appSecret !== appSecret) {
        return send(res, 400, { code: "invalidClientIdOrSecret", message: "无效的clientId或者clientSecret" })
      }
      issued++
      const token = `token-${issued}`
      validTokens.add(token)
      send(res, 200, { accessToken: token, expireIn: 7200 })
    }

    const batchSend = async (req: IncomingMessage, res: ServerResponse) => {
      const body = (await readJson(req)) as {
        robotCode?: string
        userIds?: Array<string>
        msgKey?: string
        msgParam?: string
      } | null
      if (scripted(res, "batchSend")) return
      const token = req.headers["x-acs-dingtalk-access-token"]
      if (typeof token !== "string" || !validTokens.has(token)) {
        return send(res, 401, { code: "InvalidAuthentication", message: "不合法的access_token" })
      }
      if (body?.robotCode !== robotCode || !Array.isArray(body.userIds) || body.userIds.length === 0) {
        return send(res, 400, { code: "invalidParameter", message: "robotCode or userIds invalid" })
      }
      let msgParam: WorkMessage["msgParam"]
      try {
        msgParam = JSON.parse(body.msgParam ?? "") as WorkMessage["msgParam"]
      } catch {
        return send(res, 400, { code: "invalidParameter", message: "msgParam is not JSON" })
      }
      const invalid = options.staff === undefined ? [] : body.userIds.filter((id) => !options.staff!.includes(id))
      const valid = body.userIds.filter((id) => !invalid.includes(id))
      if (valid.length > 0) workMessages.push({ userIds: valid, msgKey: body.msgKey ?? "", msgParam })
      send(res, 200, {
        processQueryKey: `query-${workMessages.length}`,
        invalidStaffIdList: invalid,
        flowControlledStaffIdList: []
      })
    }

    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      const route =
        req.method === "POST" && url.pathname === "/robot/send"
          ? robot(req, res, url)
          : req.method === "POST" && url.pathname === "/v1.0/oauth2/accessToken"
            ? accessToken(req, res)
            : req.method === "POST" && url.pathname === "/v1.0/robot/oToMessages/batchSend"
              ? batchSend(req, res)
              : Promise.resolve(send(res, 404, { code: "NotFound", message: url.pathname }))
      route.catch(() => send(res, 400, { errcode: 40035, errmsg: "bad json" }))
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const url = `http://127.0.0.1:${port}`
    return {
      url,
      webhookUrl: `${url}/robot/send?access_token=${robotToken}`,
      robotSecret,
      appKey,
      appSecret,
      robotCode,
      robotMessages,
      workMessages,
      refusals,
      tokensIssued: () => issued,
      expireTokens: () => validTokens.clear(),
      failNext: (path, failure, times = 1) => {
        failures.set(path, [...(failures.get(path) ?? []), ...Array.from({ length: times }, () => failure)])
      }
    } satisfies FakeDingTalk
  })
