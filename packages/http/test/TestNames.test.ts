import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const root = fileURLToPath(new URL("../../..", import.meta.url))

const testFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : testFiles(path)
    return entry.name.endsWith(".test.ts") ? [path] : []
  })

/** The tracker's wording: an issue number or its "done when" list says nothing about the behaviour under test. */
const trackerWording = /\bissue\s*#?\d+|\bdone[ -_]?when\b/i

describe("test names", () => {
  it("describe behaviour, not the tracker's wording", () => {
    const files = [
      ...testFiles(join(root, "packages")),
      ...testFiles(join(root, "examples")),
      ...testFiles(join(root, "docs"))
    ]
    assert.isAbove(files.length, 20)
    const found: Array<string> = []
    for (const file of files) {
      const name = relative(root, file)
      if (trackerWording.test(name)) found.push(name)
      const source = readFileSync(file, "utf8")
      for (const match of source.matchAll(/\b(?:describe|it|test)(?:\.\w+)*\(\s*(["'`])(.*?)\1/g)) {
        if (trackerWording.test(match[2] ?? "")) found.push(`${name}: ${match[2]}`)
      }
    }
    assert.deepStrictEqual(found, [])
  })
})
