import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as CodeBlocks from "../src/CodeBlocks.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const page = "docs/getting-started.md"

describe("Getting started", () => {
  let server: ChildProcess | undefined
  let output = ""
  const dir = mkdtempSync(join(tmpdir(), "taskdesk-getting-started-"))

  beforeAll(async () => {
    // The real server and CLI, as `pnpm start` runs them, on a free port and an empty database.
    server = spawn(
      join(root, "docs/node_modules/.bin/tsx"),
      [join(root, "packages/server/src/main.ts"), "serve", "--demo", "--port", "0"],
      {
        cwd: dir,
        env: { ...process.env, TASKDESK_DATA_DIR: dir, TASKDESK_LOG_LEVEL: "warning", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    server.stdout?.on("data", (chunk) => {
      output += String(chunk)
    })
    server.stderr?.on("data", (chunk) => {
      output += String(chunk)
    })
    const started = Date.now()
    while (!/listening on http:\/\/[^\s]+/.test(output)) {
      if (Date.now() - started > 240_000 || server.exitCode !== null) throw new Error(`no server:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })

  afterAll(() => {
    server?.kill("SIGTERM")
    rmSync(dir, { recursive: true, force: true })
  })

  it("works as written: sign in, a task, a hand-out accepted, the history", async () => {
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
    const password = (username: string) => new RegExp(`^\\s+${username}\\s+\\w+\\s+(\\S+)$`, "m").exec(output)?.[1]
    const [block, ...others] = CodeBlocks.extract(page, readFileSync(join(root, page), "utf8")).filter((b) =>
      b.meta.includes("server")
    )
    assert.strictEqual(others.length, 0)
    assert.isDefined(block)
    // The reader's three edits: the two printed passwords, and the port.
    const script = block!.code
      .replace("manager_password='…'", `manager_password='${password("manager")}'`)
      .replace("worker_password='…'", `worker_password='${password("worker1")}'`)
      .replace("api=http://127.0.0.1:5000/api", `api=${url}/api`)
    assert.notStrictEqual(script, block!.code)
    const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script])
    const lines = stdout.trim().split("\n")
    assert.include(lines[0], "Fix the kitchen tap")
    assert.deepStrictEqual(lines.slice(1, 3), ["accepted", "in_progress"])
    assert.deepStrictEqual(
      lines.slice(3).map((line) => line.split(" ")[1]),
      ["task.created", "assignment.offered", "task.updated", "task.status_changed", "assignment.accepted"]
    )
  })
})
