/**
 * `pnpm bench` for the web pages: the JavaScript a first visit loads (gzipped), and the time a
 * board of 500 tasks takes to appear in headless Chromium, against the demo board (a handful of
 * tasks) in the same run as the baseline.
 */

import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Zlib from "node:zlib"
// @ts-expect-error: a plain JavaScript build script, without types
import * as Build from "../build.mjs"
import { api, bearer, chromiumAvailable, demoServer, launch, signIn } from "../testing/Browser.js"

const budgetKb = 250
const targetMs = 1_000
const runs = 5

interface Output {
  readonly imports: ReadonlyArray<{ readonly path: string; readonly kind: string }>
  readonly entryPoint?: string
  readonly cssBundle?: string
}

const { metafile } = (await Build.build()) as { metafile: { outputs: Record<string, Output> } }
const outputs = metafile.outputs
const gz = (file: string) => Zlib.gzipSync(Fs.readFileSync(Path.resolve(Build.outdir, "..", file))).length
const entry = Object.keys(outputs).find((f) => outputs[f]!.entryPoint?.endsWith("main.tsx") === true)!
// What the page's script imports statically, transitively; dynamic imports (pages, charts, languages) load later.
const first = new Set<string>()
const visit = (file: string) => {
  if (first.has(file)) return
  first.add(file)
  for (const i of outputs[file]?.imports ?? []) if (i.kind === "import-statement") visit(i.path)
}
visit(entry)
const firstJs = [...first].reduce((sum, f) => sum + gz(f), 0)
const allJs = Object.keys(outputs)
  .filter((f) => f.endsWith(".js"))
  .reduce((sum, f) => sum + gz(f), 0)
const css = outputs[entry]!.cssBundle === undefined ? 0 : gz(outputs[entry]!.cssBundle!)
const kb = (bytes: number) => (bytes / 1000).toFixed(1)
console.log(
  `first-load JS (gzip): ${kb(firstJs)} kB in ${first.size} files (budget ${budgetKb} kB: ${firstJs <= budgetKb * 1000 ? "ok" : "OVER"})`
)
console.log(`all JS (gzip): ${kb(allJs)} kB; CSS (gzip): ${kb(css)} kB`)

if (!chromiumAvailable) {
  console.log("render: skipped, /usr/bin/chromium is missing")
  process.exit(0)
}

// Making 500 tasks one request at a time would pass the per-user limit (100 a minute).
const server = await demoServer({ TASKDESK_RATE_LIMIT: "0" })
const browser = await launch()
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await signIn(page, server, "manager")
  const timeBoard = async (cards: number) => {
    const times: Array<number> = []
    for (let i = 0; i < runs; i++) {
      await page.goto(`${server.url}/board`)
      await page.waitForFunction((n) => document.querySelectorAll("li.card").length >= n, cards, { polling: "raf" })
      // From the navigation's start to the cards on screen: the page, its script, the API calls, the render.
      times.push(await page.evaluate(() => performance.now()))
    }
    times.sort((a, b) => a - b)
    return times[Math.floor(times.length / 2)]!
  }
  const demoCards = (await api(server, await bearer(server, "manager"), "GET", "/tasks?limit=200")).items.length
  const baseline = await timeBoard(demoCards)

  const manager = await bearer(server, "manager")
  const people = await api(server, manager, "GET", "/users")
  const workers = people.filter((u: { role: string }) => u.role === "worker").map((u: { id: string }) => u.id)
  const priorities = ["low", "normal", "high", "urgent"]
  for (let i = 0; i < 500 - demoCards; i++) {
    await api(server, manager, "POST", "/tasks", {
      title: `Bench task ${i + 1}: check the pump in room ${i % 40}`,
      priority: priorities[i % 4],
      assigneeIds: [workers[i % workers.length]],
      tags: [`floor-${i % 5}`],
      dueAt: new Date(Date.now() + ((i % 30) - 5) * 86_400_000).toISOString()
    })
  }
  const board = await timeBoard(500)
  if (process.env.TASKDESK_BENCH_DETAIL !== undefined) {
    const entries = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .map(
          (e) => `${e.name.replace(location.origin, "")} start ${e.startTime.toFixed(0)} took ${e.duration.toFixed(0)}`
        )
    )
    console.log(entries.join("\n"))
  }
  console.log(
    `render: board of 500 tasks ${board.toFixed(0)} ms (median of ${runs}; target < ${targetMs} ms: ${board < targetMs ? "ok" : "OVER"})`
  )
  console.log(
    `baseline: demo board of ${demoCards} tasks ${baseline.toFixed(0)} ms; ratio ${(board / baseline).toFixed(2)}×`
  )
  if (process.env.TASKDESK_SCREENSHOT !== undefined) {
    await page.goto(`${server.url}/board`)
    await page.waitForFunction(() => document.querySelectorAll("li.card").length >= 500)
    await page.screenshot({ path: process.env.TASKDESK_SCREENSHOT })
  }
} finally {
  await browser.close()
  await server.stop()
}
