import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Taskdesk from "../../server/test/fixtures/taskdeskProcess.js"
import { buildPages } from "../testing/Browser.js"

const dist = Path.resolve(import.meta.dirname, "..", "dist")

describe("the reference server serves the built pages at /", () => {
  let server: Awaited<ReturnType<typeof Taskdesk.serve>>
  beforeAll(async () => {
    buildPages()
    const dir = Taskdesk.tempDir("web-serving")
    server = await Taskdesk.serve([], { TASKDESK_DATA_DIR: Path.join(dir, "data"), TASKDESK_LOG_LEVEL: "error" })
  })
  afterAll(async () => {
    if (server !== undefined) await Taskdesk.stop(server.process)
  })

  it("the page at / and at every page path, revalidated each time, with a policy that lets only its own scripts run", async () => {
    const index = Fs.readFileSync(Path.join(dist, "index.html"), "utf8")
    for (const path of ["/", "/board", "/tasks/01ABC", "/admin?tab=jobs"]) {
      const response = await fetch(`${server.url}${path}`)
      assert.strictEqual(response.status, 200, path)
      assert.strictEqual(response.headers.get("content-type"), "text/html; charset=utf-8")
      assert.strictEqual(response.headers.get("cache-control"), "no-cache")
      const policy = response.headers.get("content-security-policy") ?? ""
      assert.include(policy, "script-src 'self'")
      assert.notInclude(policy, "unsafe-inline")
      assert.strictEqual(await response.text(), index)
    }
  })

  it("hashed assets with their content types, cached for a year", async () => {
    const assets = Fs.readdirSync(Path.join(dist, "assets"))
    const script = assets.find((f) => f.startsWith("app-") && f.endsWith(".js"))!
    const style = assets.find((f) => f.endsWith(".css"))!
    const js = await fetch(`${server.url}/assets/${script}`)
    assert.strictEqual(js.status, 200)
    assert.strictEqual(js.headers.get("content-type"), "text/javascript; charset=utf-8")
    assert.strictEqual(js.headers.get("cache-control"), "public, max-age=31536000, immutable")
    assert.strictEqual(await js.text(), Fs.readFileSync(Path.join(dist, "assets", script), "utf8"))
    const css = await fetch(`${server.url}/assets/${style}`)
    assert.strictEqual(css.headers.get("content-type"), "text/css; charset=utf-8")
  })

  it("a missing asset and an unknown endpoint stay 404 problems, and /docs and /openapi.json are as they were", async () => {
    for (const path of ["/assets/app-OLD.js", "/api/nothing-here", "/api"]) {
      const response = await fetch(`${server.url}${path}`)
      assert.strictEqual(response.status, 404, path)
      assert.strictEqual(response.headers.get("content-type"), "application/problem+json", path)
    }
    const docs = await fetch(`${server.url}/docs`)
    assert.strictEqual(docs.status, 200)
    assert.include(await docs.text(), "swagger-ui")
    const openapi = await fetch(`${server.url}/openapi.json`)
    assert.strictEqual(openapi.status, 200)
    assert.strictEqual(openapi.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'")
    const api = await fetch(`${server.url}/api/health`)
    assert.strictEqual(api.headers.get("cache-control"), "no-store")
  })
})

describe("pnpm start", () => {
  it("serves the pages with no step of its own: the compiled server finds the build beside it", async () => {
    const dir = Taskdesk.tempDir("web-start")
    const started = await Taskdesk.serve(
      [],
      { TASKDESK_DATA_DIR: Path.join(dir, "data"), TASKDESK_LOG_LEVEL: "error" },
      Taskdesk.compiledEntry
    )
    try {
      const page = await fetch(`${started.url}/inbox`)
      assert.strictEqual(page.status, 200)
      assert.strictEqual(page.headers.get("content-type"), "text/html; charset=utf-8")
      assert.include(await page.text(), '<div id="root"></div>')
    } finally {
      await Taskdesk.stop(started.process)
    }
  })
})
