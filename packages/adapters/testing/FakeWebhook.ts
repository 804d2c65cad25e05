import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"
import { headers, verify } from "../src/notify/WebhookChannel.js"

/** A POST the receiver got, and whether its signature checked out. */
export interface Delivery {
  readonly headers: IncomingMessage["headers"]
  readonly raw: string
  readonly body: unknown
  readonly signatureValid: boolean
  /** Whether it answered 2xx. */
  readonly accepted: boolean
}

/** A scripted answer for the next POST(s). */
export interface Answer {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * A webhook receiver on 127.0.0.1: records each POST, checks the HMAC signature as a host
 * application would (`WebhookChannel.verify`), answers 401 to a bad one and 204 otherwise, unless
 * told to answer something else.
 */
export interface FakeWebhook {
  readonly url: string
  readonly deliveries: ReadonlyArray<Delivery>
  readonly answerNext: (answer: Answer, times?: number) => void
}

/** Starts the receiver on a random port for the scope's lifetime; it checks signatures with `secret`. */
export const make = (options: { readonly secret: string }): Effect.Effect<FakeWebhook, never, Scope.Scope> =>
  Effect.gen(function* () {
    const deliveries: Array<Delivery> = []
    const answers: Array<Answer> = []
    const server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8")
        const signatureValid = verify({
          secret: options.secret,
          timestamp: req.headers[headers.timestamp] as string | undefined,
          signature: req.headers[headers.signature] as string | undefined,
          body: raw,
          nowSeconds: Math.floor(Date.now() / 1000),
          // The sender may run on a test clock: the fake checks the signature, not the age.
          toleranceSeconds: Number.MAX_SAFE_INTEGER
        })
        const scripted = answers.shift()
        const status = scripted?.status ?? (signatureValid ? 204 : 401)
        let body: unknown = null
        try {
          body = JSON.parse(raw)
        } catch {
          body = null
        }
        deliveries.push({ headers: req.headers, raw, body, signatureValid, accepted: status >= 200 && status < 300 })
        res.writeHead(status, scripted?.headers ?? {})
        res.end()
      })
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
    return {
      url: `http://127.0.0.1:${port}/hooks/taskdesk`,
      deliveries,
      answerNext: (answer, times = 1) => {
        for (let i = 0; i < times; i++) answers.push(answer)
      }
    } satisfies FakeWebhook
  })
