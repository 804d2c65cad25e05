import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { HttpApiBuilder, HttpServerError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, type Layer } from "effect"

/**
 * Where `packages/web`'s build lands. This file sits at the same depth under `packages/http` as the
 * bundle (`src/WebUi.ts`, `dist/taskdesk.mjs`), so one relative path serves both the sources (tsx)
 * and the compiled server.
 */
export const defaultRoot = fileURLToPath(new URL("../../web/dist/", import.meta.url))

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8"
}

/** Hashed names never change content: a year, immutable. The page itself is revalidated every time. */
const immutable = "public, max-age=31536000, immutable"
const revalidate = "no-cache"

interface StaticFile {
  readonly body: Uint8Array
  readonly contentType: string
  readonly cacheControl: string
}

/** The built files, read once: the whole UI is a few hundred kilobytes. */
export const readFiles = (root: string): ReadonlyMap<string, StaticFile> => {
  const files = new Map<string, StaticFile>()
  if (!Fs.existsSync(Path.join(root, "index.html"))) return files
  const walk = (dir: string) => {
    for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
      const path = Path.join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else {
        const url = `/${Path.relative(root, path).split(Path.sep).join("/")}`
        files.set(url, {
          body: Fs.readFileSync(path),
          contentType: contentTypes[Path.extname(entry.name)] ?? "application/octet-stream",
          cacheControl: url.startsWith("/assets/") ? immutable : revalidate
        })
      }
    }
  }
  walk(root)
  return files
}

const respond = (file: StaticFile) =>
  HttpServerResponse.uint8Array(file.body, {
    contentType: file.contentType,
    headers: { "cache-control": file.cacheControl }
  })

/**
 * The web pages at `/`: a built file by its path, and `index.html` for every other page path (the
 * app routes in the browser). `/api/…` never falls back, so an unknown endpoint stays a 404 problem,
 * and `/docs` keeps its own, more specific, route. Without a build `/` answers 404 as before.
 */
export const route = (root: string = defaultRoot): Layer.Layer<never> =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function* () {
      const files = readFiles(root)
      const index = files.get("/index.html")
      const handler = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        const q = request.url.indexOf("?")
        const path = q === -1 ? request.url : request.url.slice(0, q)
        const file = files.get(path)
        if (file !== undefined) return Effect.succeed(respond(file))
        // A missing asset is a 404, not the page: a stale tab asking for an old chunk must see it failed.
        if (index === undefined || path.startsWith("/api/") || path === "/api" || path.startsWith("/assets/")) {
          return Effect.fail(new HttpServerError.RouteNotFound({ request }))
        }
        return Effect.succeed(respond(index))
      })
      yield* router.get("/*", handler)
    })
  )
