import { execFile } from "node:child_process"
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))

describe("embed-in-express", () => {
  it("mounts the API under /tasks-api behind an Express route, with the host's users, policy, job and channel", async () => {
    const { stdout } = await promisify(execFile)("node", ["scripts/example.mjs", "embed-in-express"], { cwd: root })
    const lines = stdout
      .trim()
      .split("\n")
      .filter((line) => !line.startsWith("timestamp="))
    assert.strictEqual(lines[0], "the host's home page")
    assert.deepStrictEqual(
      lines.slice(1, 7).map((line) => line.replace(/[0-9A-Z]{26}/g, ":id")),
      [
        "nobody GET /tasks-api/api/tasks -> 401",
        "alice POST /tasks-api/api/tasks -> 201",
        "alice POST /tasks-api/api/assignments -> 201",
        "bob POST /tasks-api/api/assignments/:id/accept -> 200",
        // The host's policy takes comments away from workers; the default one lets an assignee comment.
        "bob POST /tasks-api/api/tasks/:id/comments -> 403",
        "bob GET /tasks-api/api/tasks -> 200"
      ]
    )
    assert.include(lines, "tasks: Call the client")
    assert.include(lines, "inbox: New task: Call the client")
    assert.include(lines, "job succeeded: 0 overdue")
  }, 60_000)

  it("needs neither the bot nor the executable server, and stays short", async () => {
    const manifest = JSON.parse(await readFile(`${root}examples/embed-in-express/package.json`, "utf8"))
    const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
    assert.notInclude(names, "@taskdesk/bot")
    assert.notInclude(names, "@taskdesk/server")
    const source = await readFile(`${root}examples/embed-in-express/main.ts`, "utf8")
    assert.notMatch(source, /@taskdesk\/(bot|server|adapters)/)
    assert.isAtMost(source.trim().split("\n").length, 110)
  })
})
