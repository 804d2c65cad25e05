/**
 * `pnpm --filter @taskdesk/server bench:floor`: what serving one constant JSON document costs on each
 * layer of our HTTP stack, before any of taskdesk's own work — plain `node:http`, the same with an
 * Effect fiber per request, `@effect/platform-node`'s server, its router, and an `HttpApi` endpoint
 * with a path parameter and a success schema. Prints requests per second and the server's CPU time
 * per request (Linux), 16 connections, the server pinned to core 0 and autocannon to core 1.
 *
 * Run with `--serve <mode> <port>` it is one of those servers.
 */
import { createServer } from "node:http"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpMiddleware,
  HttpRouter,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import autocannon from "autocannon"
import { Effect, Layer, Runtime, Schema } from "effect"
import { canPin, cpuPerRequest, cpuSeconds, startServer, stopServer } from "./Support.js"

const modes = ["node", "fiber", "platform", "router", "httpapi"] as const
type Mode = (typeof modes)[number]

const document = { id: "01JABCDEF", title: "hello", status: "todo", tags: ["a", "b"], version: 1 }

const listening = (port: number) => console.log(`listening on http://127.0.0.1:${port}`)

/** Serves `app` the way the reference server does: platform-node, tracing off. */
const launch = <E>(
  app: Layer.Layer<never, E, HttpServer.HttpServer | HttpRouter.HttpRouter.DefaultServices>,
  port: number
) =>
  Layer.launch(
    app.pipe(
      Layer.tap(() => Effect.sync(() => listening(port))),
      Layer.provide(NodeHttpServer.layer(createServer, { port, host: "127.0.0.1" })),
      Layer.provide(Layer.setTracerEnabled(false))
    )
  ).pipe(NodeRuntime.runMain)

const serve = (mode: Mode, port: number) => {
  switch (mode) {
    case "node":
    case "fiber": {
      const runFork = Runtime.runFork(Runtime.defaultRuntime)
      const respond = (response: import("node:http").ServerResponse) => {
        const body = JSON.stringify(document)
        response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
        response.end(body)
      }
      createServer((_, response) =>
        mode === "node" ? respond(response) : runFork(Effect.sync(() => respond(response)))
      ).listen(port, "127.0.0.1", () => listening(port))
      return
    }
    case "platform":
      return launch(
        HttpServer.serve(Effect.succeed(HttpServerResponse.unsafeJson(document))).pipe(
          HttpMiddleware.withTracerDisabledWhen(() => true)
        ),
        port
      )
    case "router":
      return launch(
        HttpServer.serve(
          HttpRouter.empty.pipe(
            HttpRouter.get("/api/tasks/:id", Effect.succeed(HttpServerResponse.unsafeJson(document)))
          )
        ).pipe(HttpMiddleware.withTracerDisabledWhen(() => true)),
        port
      )
    case "httpapi": {
      const Document = Schema.Struct({
        id: Schema.String,
        title: Schema.String,
        status: Schema.String,
        tags: Schema.Array(Schema.String),
        version: Schema.Number
      })
      class Tasks extends HttpApiGroup.make("tasks").add(
        HttpApiEndpoint.get("get", "/api/tasks/:id")
          .setPath(Schema.Struct({ id: Schema.String }))
          .addSuccess(Document)
      ) {}
      class Api extends HttpApi.make("api").add(Tasks) {}
      const TasksLive = HttpApiBuilder.group(Api, "tasks", (handlers) =>
        handlers.handle("get", ({ path }) => Effect.succeed({ ...document, id: path.id }))
      )
      return launch(
        HttpApiBuilder.serve().pipe(
          Layer.provide(HttpApiBuilder.api(Api).pipe(Layer.provide(TasksLive))),
          HttpMiddleware.withTracerDisabledWhen(() => true)
        ),
        port
      )
    }
  }
}

const measure = async () => {
  const port = 5190
  console.log(`constant route, 16 connections, 8 s each${canPin ? "; server on core 0, autocannon on core 1" : ""}`)
  console.log(`${"server".padEnd(10)}${"rps".padEnd(10)}CPU µs a request`)
  for (const mode of modes) {
    const { child } = await startServer([import.meta.filename, "--serve", mode, String(port)])
    const url = `http://127.0.0.1:${port}/api/tasks/abc`
    await autocannon({ url, connections: 16, duration: 2 })
    const before = cpuSeconds(child.pid)
    const result = await autocannon({ url, connections: 16, duration: 8 })
    const cpu = cpuPerRequest(before, cpuSeconds(child.pid), result.requests.total) ?? "-"
    console.log(`${mode.padEnd(10)}${String(Math.round(result.requests.average)).padEnd(10)}${cpu}`)
    await stopServer(child, "SIGKILL")
  }
}

const serveAt = process.argv.indexOf("--serve")
if (serveAt === -1) await measure()
else serve(process.argv[serveAt + 1] as Mode, Number(process.argv[serveAt + 2]))
