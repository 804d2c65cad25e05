import { execFile } from "node:child_process"
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))

describe("README quickstart", () => {
  it("is the code of examples/quickstart.ts", async () => {
    const readme = await readFile(`${root}README.md`, "utf8")
    const block = readme.split("<!-- quickstart")[1]?.split("```ts\n")[1]?.split("```")[0]
    const source = await readFile(`${root}examples/quickstart.ts`, "utf8")
    assert.strictEqual(block, source)
    assert.isAtMost(source.trim().split("\n").length, 20)
  })

  it("runs and prints the task's history", async () => {
    const { stdout } = await promisify(execFile)("npx", ["tsx", "quickstart.ts"], { cwd: `${root}examples` })
    const types = stdout
      .trim()
      .split("\n")
      .map((line) => line.split(" ")[1])
    assert.deepStrictEqual(types, [
      "task.created",
      "assignment.offered",
      "task.updated",
      "task.status_changed",
      "assignment.accepted"
    ])
  }, 60_000)
})
