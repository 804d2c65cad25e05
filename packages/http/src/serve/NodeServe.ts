import * as Http from "node:http"
import type * as Net from "node:net"
import {
  Cookies,
  HttpApiBuilder,
  HttpApp,
  HttpServer,
  HttpServerError,
  HttpServerRequest,
  type HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Chunk, Context, Duration, Effect, Exit, Layer, Option, Runtime, Stream } from "effect"
import { ServerSettings } from "../Config.js"
import { type Route, routesOf, serving } from "./Dispatcher.js"
import { NodeRequest } from "./NodeRequest.js"

/** The Node server under the platform's `HttpServer`, for the handler that serves compiled routes first. */
export class NodeServer extends Context.Tag("@taskdesk/http/NodeServer")<NodeServer, Http.Server>() {}

/** A Node server listening as the options say, as `NodeServer` and as the platform's `HttpServer`. */
export const layerServer = (options: Net.ListenOptions) =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      // One Node server per build of the layer.
      const server = Http.createServer()
      return Layer.merge(
        Layer.succeed(NodeServer, server),
        NodeHttpServer.layer(() => server, options)
      )
    })
  )

type Headers = Record<string, string | Array<string>>

const headersOf = (response: HttpServerResponse.HttpServerResponse): Headers => {
  if (Cookies.isEmpty(response.cookies)) return response.headers
  const headers: Headers = { ...response.headers }
  const toSet = Cookies.toSetCookieHeaders(response.cookies)
  const given = headers["set-cookie"]
  if (given !== undefined) toSet.push(...(Array.isArray(given) ? given : [given]))
  headers["set-cookie"] = toSet
  return headers
}

/** Writes a response to Node as the platform's server does; bodies in memory synchronously. */
const write = (response: HttpServerResponse.HttpServerResponse, node: Http.ServerResponse): Effect.Effect<void> => {
  if (node.writableEnded) return Effect.void
  const headers = headersOf(response)
  const body = response.body
  switch (body._tag) {
    case "Empty":
      node.writeHead(response.status, headers).end()
      return Effect.void
    case "Uint8Array":
      node.writeHead(response.status, headers).end(body.body)
      return Effect.void
    case "Raw": {
      const raw = body.body as { pipe?: unknown }
      if (typeof raw === "object" && raw !== null && typeof raw.pipe === "function") {
        node.writeHead(response.status, headers)
        ;(raw as unknown as NodeJS.ReadableStream).pipe(node)
        return Effect.void
      }
      node.writeHead(response.status, headers).end(body.body as string | Uint8Array)
      return Effect.void
    }
    case "FormData":
      return Effect.promise(async () => {
        const web = new Response(body.formData)
        node.writeHead(response.status, { ...headers, ...Object.fromEntries(web.headers) })
        node.end(new Uint8Array(await web.arrayBuffer()))
      })
    case "Stream": {
      node.writeHead(response.status, headers)
      const drained = Effect.unsafeMakeLatch()
      node.on("drain", () => drained.unsafeOpen())
      return body.stream.pipe(
        Stream.runForEachChunk((chunk) => {
          let full = false
          for (const part of Chunk.toReadonlyArray(chunk)) full = !node.write(part)
          if (!full) return Effect.void
          drained.unsafeClose()
          return drained.await
        }),
        Effect.interruptible,
        Effect.matchCause({
          onSuccess: () => void node.end(),
          // Headers are gone: all that is left is to cut the response short.
          onFailure: () => void node.destroy()
        })
      )
    }
  }
}

/** The requests a shutdown cut, named up to a bound so one log line stays readable whatever the load. */
const describeCut = (requests: ReadonlyArray<string>, shown = 20): string =>
  requests.length <= shown
    ? requests.join(", ")
    : `${requests.slice(0, shown).join(", ")} and ${requests.length - shown} more`

/**
 * Serves the API: the compiled routes (see `Dispatcher`) on one fiber per request, through the
 * same middleware as the platform's app (the request pipeline included); any other request (`/docs`, `/openapi.json`, the
 * Telegram webhook, unknown routes, WebSocket upgrades) through the platform's app, as
 * `HttpApiBuilder.serve` would.
 */
export const layer = Layer.scopedDiscard(
  Effect.gen(function* () {
    const app = yield* HttpApiBuilder.httpApp
    const router = yield* HttpApiBuilder.Router
    const routes = routesOf(router)
    // The same middleware as the platform's app: the API's own, then the server-wide chain (the pipeline).
    const serve = yield* serving
    const server = yield* HttpServer.HttpServer
    const node = yield* NodeServer
    const runtime = yield* Effect.runtime<never>()
    const graceSeconds = (yield* ServerSettings).server.shutdownGraceSeconds

    const before = new Set(node.listeners("request"))
    yield* server.serve(app)
    const platform = node.listeners("request").find((l) => !before.has(l)) as
      | ((request: Http.IncomingMessage, response: Http.ServerResponse) => void)
      | undefined
    if (platform === undefined) return yield* Effect.dieMessage("the platform's server registered no handler")

    // Each group's handlers run with the group's services under the server's own (which win, as in
    // the platform), merged once per route rather than once per request.
    const contexts = new WeakMap<Route, Context.Context<never>>()
    const contextOf = (route: Route) => {
      let context = contexts.get(route)
      if (context === undefined) {
        context = Context.merge(route.context, runtime.context)
        contexts.set(route, context)
      }
      return context
    }

    const respond = (request: NodeRequest, response: HttpServerResponse.HttpServerResponse) =>
      Effect.flatMap(HttpApp.currentPreResponseHandlers, (handler) =>
        Option.isNone(handler)
          ? write(response, request.response)
          : Effect.flatMap(Effect.orDie(handler.value(request, response)), (final) => write(final, request.response))
      )

    // Requests in flight, for a shutdown that lets them finish.
    const inFlight = new Map<Http.ServerResponse, string>()
    let closing = false
    const drained = Effect.unsafeMakeLatch(true)

    const handler = (incoming: Http.IncomingMessage, outgoing: Http.ServerResponse) => {
      inFlight.set(outgoing, `${incoming.method} ${incoming.url}`)
      drained.unsafeClose()
      outgoing.on("close", () => {
        inFlight.delete(outgoing)
        if (inFlight.size === 0) drained.unsafeOpen()
      })
      // Shutting down: this is the connection's last answer.
      if (closing) outgoing.setHeader("connection", "close")
      const matched = routes.match(incoming.method ?? "GET", incoming.url ?? "/")
      if (matched === undefined) return platform(incoming, outgoing)
      const request = new NodeRequest(incoming, outgoing)
      const served = Effect.flatMap(serve(matched, request), (response) => respond(request, response))
      // The request goes into the fiber's context as it starts: cheaper than providing it.
      const fiber = Runtime.runFork(
        Runtime.make({
          context: Context.add(contextOf(matched.route), HttpServerRequest.HttpServerRequest, request),
          fiberRefs: runtime.fiberRefs,
          runtimeFlags: runtime.runtimeFlags
        }),
        Effect.uninterruptible(served)
      )
      fiber.addObserver((exit) => {
        // Only interruptions get here (the pipeline answers every failure): client aborts and shutdown.
        if (Exit.isFailure(exit) && !outgoing.headersSent) outgoing.writeHead(503).end()
      })
      outgoing.on("close", () => {
        if (!outgoing.writableEnded) fiber.unsafeInterruptAsFork(HttpServerError.clientAbortFiberId)
      })
    }

    node.off("request", platform)
    node.on("request", handler)
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        // Stop accepting, let the requests in flight finish (each answered with `Connection: close`, so
        // keep-alive clients go elsewhere), close idle connections, and cut what is left after the grace time.
        closing = true
        for (const response of inFlight.keys()) {
          if (!response.headersSent) response.setHeader("connection", "close")
        }
        const waiting = inFlight.size
        node.close()
        node.closeIdleConnections()
        if (waiting > 0)
          yield* Effect.logInfo(`shutting down: ${waiting} request(s) in flight, waiting up to ${graceSeconds} s`)
        // Finalizers run uninterruptibly: the wait must be interruptible for the timeout to end it.
        const finished = yield* Effect.interruptible(drained.await).pipe(
          Effect.timeoutTo({ duration: Duration.seconds(graceSeconds), onSuccess: () => true, onTimeout: () => false })
        )
        if (!finished) {
          yield* Effect.logWarning(
            `shutdown: cut ${inFlight.size} request(s) still running after ${graceSeconds} s: ${describeCut([...inFlight.values()])}`
          )
        }
        node.closeAllConnections()
        node.off("request", handler)
      })
    )
  })
).pipe(Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer]))
