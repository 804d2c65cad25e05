import { execFile } from "node:child_process"
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))

describe("embed-in-effect-app", () => {
  it("mounts the API under /tasks-api in the host's router, with the host's users, policy, job and channel", async () => {
    const { stdout } = await promisify(execFile)("node", ["scripts/example.mjs", "embed-in-effect-app"], { cwd: root })
    const lines = stdout.trim().split("\n")
    assert.deepStrictEqual(lines.slice(0, 6), [
      "the host's home page",
      "nobody GET /tasks-api/api/tasks -> 401",
      "alice POST /tasks-api/api/tasks -> 201",
      "alice POST /tasks-api/api/assignments -> 201",
      // The host's policy lets workers create tasks; the default one answers 403.
      "bob POST /tasks-api/api/tasks -> 201",
      "alice GET /tasks-api/api/tasks -> 200"
    ])
    assert.include(lines, "tasks: Order spare parts, Fix the lift")
    assert.isTrue(lines.some((line) => /^inbox: New task: Fix the lift \(to \w+\)$/.test(line)))
    assert.include(lines, "job succeeded: 2 tasks")
  }, 60_000)

  it("needs neither the bot nor the executable server, and stays short", async () => {
    const manifest = JSON.parse(await readFile(`${root}examples/embed-in-effect-app/package.json`, "utf8"))
    const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
    assert.notInclude(names, "@taskdesk/bot")
    assert.notInclude(names, "@taskdesk/server")
    const source = await readFile(`${root}examples/embed-in-effect-app/main.ts`, "utf8")
    assert.notMatch(source, /@taskdesk\/(bot|server|adapters)/)
    assert.isAtMost(source.trim().split("\n").length, 110)
  })
})
