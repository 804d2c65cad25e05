/**
 * Debian's Chromium for the browser tests, driven by playwright-core (which never downloads a
 * browser). Missing Chromium skips the suites (see Suite.ts), and under `CI=true` fails the run instead.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, chromium, type Page } from "playwright-core"
import * as Taskdesk from "../../server/test/fixtures/taskdeskProcess.js"

export const chromiumPath = "/usr/bin/chromium"
export const chromiumAvailable = Fs.existsSync(chromiumPath)

export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })

const webRoot = Path.resolve(fileURLToPath(new URL("..", import.meta.url)))

/** Builds the pages (as `pnpm install` does) when a source is newer, so the server serves this checkout's sources. */
export const buildPages = () => {
  ChildProcess.execFileSync(process.execPath, [Path.join(webRoot, "build.mjs"), "--if-stale"], { stdio: "pipe" })
}

/** Where screenshots go: test-results/ at the workspace root (ignored by git). */
export const artefacts = Path.resolve(webRoot, "..", "..", "test-results", "web")

export const screenshot = async (page: Page, name: string) => {
  Fs.mkdirSync(artefacts, { recursive: true })
  await page.screenshot({ path: Path.join(artefacts, `${name}.png`), fullPage: true })
}

export interface DemoServer {
  readonly url: string
  readonly passwords: ReadonlyMap<string, string>
  readonly stop: () => Promise<unknown>
}

/** `taskdesk serve --demo` on SQLite in a fresh directory, with the printed demo sign-ins. */
export const demoServer = async (env: Record<string, string> = {}): Promise<DemoServer> => {
  const dir = Taskdesk.tempDir("web")
  const { process: server, url } = await Taskdesk.serve(["--demo"], {
    TASKDESK_DATA_DIR: Path.join(dir, "data"),
    TASKDESK_LOG_LEVEL: "error",
    ...env
  })
  const passwords = new Map<string, string>()
  for (const line of server.stdout().split("\n")) {
    const m = /^\s+(\S+)\s+(admin|manager|worker|client|supervisor|partner)\s+(\S+)\s*$/.exec(line)
    if (m !== null) passwords.set(m[1]!, m[3]!)
  }
  return { url, passwords, stop: () => Taskdesk.stop(server) }
}

/** Signs in through the sign-in page. */
export const signIn = async (page: Page, server: DemoServer, username: string) => {
  await page.goto(server.url)
  await page.getByLabel(/username/i).fill(username)
  await page.getByLabel(/password/i).fill(server.passwords.get(username) ?? "")
  await page.getByRole("button", { name: "Sign in" }).click()
  await page.getByRole("button", { name: "Sign out" }).waitFor()
}

/** A bearer token for setting up what a journey starts from, through the API. */
export const bearer = async (server: DemoServer, username: string): Promise<string> => {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: server.passwords.get(username) })
  })
  const body = (await response.json()) as { accessToken: string }
  return body.accessToken
}

/** One API call with a bearer token; the decoded JSON body. */
export const api = async (server: DemoServer, token: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${server.url}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  // biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON as the API documents it
  return response.status === 204 ? undefined : ((await response.json()) as any)
}
