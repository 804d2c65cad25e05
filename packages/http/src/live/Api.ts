import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
import { Ids } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { SubjectParam } from "../events/Api.js"
import { exact, strict } from "../Schemas.js"

const Sequence = Schema.NumberFromString.pipe(Schema.compose(Ids.EventSequence))

const feedParams = {
  subject: exact(SubjectParam),
  /** Comma-separated event types; a trailing `*` matches a prefix (`assignment.*`). */
  type: exact(Schema.String.pipe(Schema.maxLength(500))),
  /** Resume after this sequence (SSE: the `Last-Event-ID` header wins over it). */
  lastEventId: exact(Sequence)
}

export const StreamQuery = strict(Schema.Struct(feedParams))

export const SocketQuery = strict(
  Schema.Struct({
    ...feedParams,
    /** A ticket from `POST /api/ws/ticket`, for browsers (which cannot set headers on a WebSocket). */
    ticket: exact(Schema.String.pipe(Schema.maxLength(200)))
  })
)

/** A single-use ticket for `GET /api/ws?ticket=…`. */
export class WsTicket extends Schema.Class<WsTicket>("WsTicket")({
  ticket: Schema.String,
  expiresIn: Schema.Int
}) {}

const EventStream = Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/event-stream" }))

/** Live events: Server-Sent Events, a WebSocket, and the ticket a browser's WebSocket signs in with. */
export class LiveApi extends HttpApiGroup.make("live")
  .add(HttpApiEndpoint.get("stream", "/events/stream").setUrlParams(StreamQuery).addSuccess(EventStream))
  .add(HttpApiEndpoint.get("socket", "/ws").setUrlParams(SocketQuery).addSuccess(HttpApiSchema.NoContent))
  .add(HttpApiEndpoint.post("ticket", "/ws/ticket").addSuccess(WsTicket, { status: 201 }))
  .middleware(Authentication)
  .prefix("/api") {}
