import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"
import { type ParsedMail, simpleParser } from "mailparser"
import { SMTPServer } from "smtp-server"

/** A message the sink accepted, parsed. */
export interface Received {
  /** The envelope: who the client said it sends to (what actually gets delivered). */
  readonly envelope: { readonly from: string; readonly to: ReadonlyArray<string> }
  readonly mail: ParsedMail
  /** Header lines as they came, for checks of what a header could not smuggle in. */
  readonly rawHeaders: string
}

/** A scripted refusal of the next recipient(s), e.g. 450 (try later) or 550 (no such mailbox). */
export interface Refusal {
  readonly code: number
  readonly message?: string
}

/**
 * An SMTP sink on 127.0.0.1 (smtp-server, no TLS, any or no login) that parses what it receives with
 * mailparser. Tests read `received` and script refusals with `refuseNext`.
 */
export interface FakeSmtp {
  readonly host: string
  readonly port: number
  readonly received: ReadonlyArray<Received>
  readonly refuseNext: (refusal: Refusal, times?: number) => void
}

/** Starts the sink on a random port for the scope's lifetime. */
export const make = (): Effect.Effect<FakeSmtp, never, Scope.Scope> =>
  Effect.gen(function* () {
    const received: Array<Received> = []
    const refusals: Array<Refusal> = []
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        const refusal = refusals.shift()
        if (refusal === undefined) return callback()
        const error = Object.assign(new Error(refusal.message ?? "refused"), { responseCode: refusal.code })
        callback(error)
      },
      onData: (stream, session, callback) => {
        const chunks: Array<Buffer> = []
        stream.on("data", (c: Buffer) => chunks.push(c))
        stream.on("end", () => {
          const raw = Buffer.concat(chunks)
          const text = raw.toString("utf8")
          const end = text.search(/\r?\n\r?\n/)
          simpleParser(raw)
            .then((mail) => {
              received.push({
                envelope: {
                  from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
                  to: session.envelope.rcptTo.map((r) => r.address)
                },
                mail,
                rawHeaders: end === -1 ? text : text.slice(0, end)
              })
              callback()
            })
            .catch((error: Error) => callback(error))
        })
      }
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.server.address() as AddressInfo).port)))
      }),
      () => Effect.async<void>((resume) => server.close(() => resume(Effect.void)))
    )
    return {
      host: "127.0.0.1",
      port,
      received,
      refuseNext: (refusal, times = 1) => {
        for (let i = 0; i < times; i++) refusals.push(refusal)
      }
    } satisfies FakeSmtp
  })
