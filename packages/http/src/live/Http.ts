import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Actor, AuditEvent, Ids } from "@taskdesk/core"
import { Chunk, Deferred, Duration, Effect, Option, Schema, Stream } from "effect"
import { TaskdeskApi } from "../Api.js"
import { sessionCookie } from "../Authentication.js"
import { ServerSettings } from "../Config.js"
import * as Dispatcher from "../serve/Dispatcher.js"
import { WsTicket } from "./Api.js"
import { Ending, encodeEvent, type FeedRequest, LiveFeed, parseTypes } from "./LiveFeed.js"
import * as SocketSession from "./SocketSession.js"
import { ticketSeconds, WsTickets } from "./Tickets.js"

const decodeSequence = Schema.decodeUnknownOption(Schema.NumberFromString.pipe(Schema.compose(Ids.EventSequence)))

const subjectOf = (param: readonly [AuditEvent.SubjectKind, ":", string] | undefined) =>
  param === undefined ? Option.none() : Option.some(new AuditEvent.Subject({ kind: param[0], id: param[2] }))

const encoder = new TextEncoder()

/** The SSE message of an event: the default type, its sequence as id, its JSON as data. */
const sseMessage = (event: AuditEvent.AuditEvent) =>
  Buffer.concat([encoder.encode(`id: ${event.sequence}\ndata: `), encodeEvent(event), encoder.encode("\n\n")])

const ping = encoder.encode(": ping\n\n")

const upgradeRequired = HttpServerResponse.unsafeJson(
  {
    type: "urn:taskdesk:problem:upgrade-required",
    title: "Upgrade Required",
    status: 426,
    detail: "GET /api/ws is a WebSocket: send Upgrade: websocket (for SSE use GET /api/events/stream)"
  },
  { status: 426, contentType: "application/problem+json", headers: { upgrade: "websocket" } }
)

/** Live events: Server-Sent Events, WebSocket, and WebSocket tickets. */
export const LiveLive = Dispatcher.group(TaskdeskApi, "live", (handlers) =>
  Effect.gen(function* () {
    const feed = yield* LiveFeed
    const tickets = yield* WsTickets
    const heartbeat = Duration.seconds((yield* ServerSettings).server.liveHeartbeatSeconds)

    const requestOf = (
      params: { readonly subject?: Parameters<typeof subjectOf>[0]; readonly type?: string | undefined },
      after: Option.Option<Ids.EventSequence>
    ) =>
      Effect.map(
        Actor.CurrentActor,
        (actor): FeedRequest => ({ actor, after, subject: subjectOf(params.subject), types: parseTypes(params.type) })
      )

    return handlers
      .handle("stream", ({ urlParams, request }) =>
        Effect.gen(function* () {
          const header = request.headers["last-event-id"]
          const after = Option.orElse(header === undefined ? Option.none() : decodeSequence(header.trim()), () =>
            Option.fromNullable(urlParams.lastEventId)
          )
          const wanted = yield* requestOf(urlParams, after)
          const events = Stream.unwrapScoped(
            Effect.map(feed.open(wanted), (opened) =>
              Stream.repeatEffect(opened.take).pipe(
                Stream.takeUntil((item) => item instanceof Ending),
                Stream.map((taken) =>
                  taken instanceof Ending
                    ? encoder.encode(`event: ${taken.event}\ndata: ${JSON.stringify({ reason: taken.reason })}\n\n`)
                    : Buffer.concat(Chunk.toReadonlyArray(Chunk.map(taken, sseMessage)))
                )
              )
            )
          )
          // The first tick goes out at once: the client sees the stream open before any event.
          const body = Stream.merge(
            events,
            Stream.map(Stream.tick(heartbeat), () => ping),
            { haltStrategy: "left" }
          )
          return HttpServerResponse.stream(body, {
            contentType: "text/event-stream",
            headers: { "cache-control": "no-cache", "x-accel-buffering": "no" }
          })
        })
      )
      .handle("socket", ({ urlParams, request }) =>
        Effect.gen(function* () {
          if (request.headers.upgrade?.toLowerCase() !== "websocket") return upgradeRequired
          const socket = yield* Effect.orDie(request.upgrade)
          const opened = yield* Deferred.make<boolean>()
          yield* feed.run(
            SocketSession.serve({
              socket,
              incoming: NodeHttpServerRequest.toIncomingMessage(request),
              feed,
              request: yield* requestOf(urlParams, Option.fromNullable(urlParams.lastEventId)),
              heartbeat,
              opened
            })
          )
          // Answer only once the upgrade is done: the platform writes no HTTP response on an upgraded socket.
          yield* Deferred.await(opened)
          return HttpServerResponse.empty({ status: 204 })
        })
      )
      .handle("ticket", () =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1]
          const credential = bearer ?? request.cookies[sessionCookie]
          if (credential === undefined) return yield* Effect.dieMessage("authenticated without a credential")
          return new WsTicket({ ticket: yield* tickets.issue(credential), expiresIn: ticketSeconds })
        })
      )
  })
)
