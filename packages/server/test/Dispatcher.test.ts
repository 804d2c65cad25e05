import { HttpApiBuilder } from "@effect/platform"
import { assert, describe, it, layer } from "@effect/vitest"
import { TaskdeskApi } from "@taskdesk/http/Api.js"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import { type Route, Routes, routesOf } from "@taskdesk/http/serve/Dispatcher.js"
import { Effect, Layer } from "effect"
import * as Server from "../src/Server.js"
import { person, raw, serverLayer, settingsFor } from "./support.js"

const route = (method: string, path: string): Route => ({
  method,
  path,
  segments: path
    .slice(1)
    .split("/")
    .map((part) => (part.startsWith(":") ? { name: part.slice(1) } : part)),
  context: undefined as never,
  run: () => Effect.dieMessage("not run here")
})

describe("Dispatcher routes", () => {
  const routes = new Routes()
  routes.add(route("GET", "/api/tasks/:id"))
  routes.add(route("GET", "/api/tasks/export"))
  routes.add(route("POST", "/api/tasks/:id/comments"))
  routes.add(route("GET", "/api/me/assignments"))

  it("a literal segment wins over a parameter, whatever the order they were added in", () => {
    assert.strictEqual(routes.match("GET", "/api/tasks/export")?.route.path, "/api/tasks/export")
    assert.deepStrictEqual(routes.match("GET", "/api/tasks/01ABC")?.params, { id: "01ABC" })
  })

  it("parameters are percent-decoded; a malformed escape, another method or shape match nothing", () => {
    assert.deepStrictEqual(routes.match("GET", "/api/tasks/%E4%BD%A0%20x")?.params, { id: "你 x" })
    assert.isUndefined(routes.match("GET", "/api/tasks/%E4%BD"))
    assert.isUndefined(routes.match("DELETE", "/api/tasks/01ABC"))
    assert.isUndefined(routes.match("GET", "/api/tasks/01ABC/"))
    assert.isUndefined(routes.match("GET", "/api/tasks//comments"))
    assert.isUndefined(routes.match("GET", "api/tasks/01ABC"))
  })

  it("the query string is split off, not matched", () => {
    const matched = routes.match("GET", "/api/me/assignments?status=pending&x=%20")
    assert.strictEqual(matched?.route.path, "/api/me/assignments")
    assert.strictEqual(matched?.query, "status=pending&x=%20")
  })
})

describe("Dispatcher on the API", () => {
  // The API's groups built beside a router of our own, to read the table they compiled into.
  const apiWithRouter = Server.ApiLive.pipe(
    Layer.provideMerge(HttpApiBuilder.Router.Live),
    Layer.provide(Server.layerServices(settingsFor(), { hasher: PasswordHasher.layerInsecureForTests }))
  )

  layer(apiWithRouter)((it) => {
    it.effect("every endpoint of the API is compiled: none is left to the platform's slower router", () =>
      Effect.gen(function* () {
        const router = yield* HttpApiBuilder.Router
        const endpoints = Object.values(TaskdeskApi.groups).flatMap((group) => Object.values(group.endpoints))
        assert.isAbove(endpoints.length, 50)
        assert.strictEqual(routesOf(router).size, endpoints.length)
      })
    )
  })

  layer(serverLayer(), { excludeTestServices: true })((it) => {
    it.effect(
      "the platform still answers what is not an endpoint: the docs, the OpenAPI document, unknown routes",
      () =>
        Effect.gen(function* () {
          const docs = yield* raw("/docs")
          assert.strictEqual(docs.status, 200)
          assert.include(String(docs.body), "swagger")
          const openapi = yield* raw("/openapi.json")
          assert.strictEqual(openapi.status, 200)
          assert.property(openapi.body.paths, "/api/tasks/{id}")
          const unknown = yield* raw("/api/nothing-here")
          assert.strictEqual(unknown.status, 404)
          assert.strictEqual(unknown.headers.get("content-type"), "application/problem+json")
          assert.isNotNull(unknown.headers.get("x-request-id"))
        })
    )

    it.effect("a compiled route decodes its path parameter: an odd id is looked up as sent", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const missing = yield* raw("/api/tasks/%E4%BD%A0", { token: admin.token })
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(missing.body.id, "你")
      })
    )
  })
})
