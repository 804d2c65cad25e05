import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import ts from "typescript"
import { undocumented } from "../src/Undocumented.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const base = ts.readConfigFile(join(root, "tsconfig.base.json"), ts.sys.readFile)
const options = { ...ts.parseJsonConfigFileContent(base.config, ts.sys, root).options, types: ["node"] }

describe("The TypeScript API of @taskdesk/core", () => {
  it("documents every export: each module and each of its members carries a TSDoc comment", () => {
    assert.deepStrictEqual(undocumented(join(root, "packages/core/src/index.ts"), options), [])
  })

  it("is checked: an export without a comment is named", () => {
    const dir = mkdtempSync(join(root, "docs/.blocks-undocumented-"))
    try {
      writeFileSync(join(dir, "Thing.ts"), "/** Documented. */\nexport const a = 1\nexport const b = 2\n")
      writeFileSync(
        join(dir, "index.ts"),
        '/** Things. */\nexport * as Thing from "./Thing.js"\nexport * as Other from "./Thing.js"\n'
      )
      assert.deepStrictEqual(undocumented(join(dir, "index.ts"), options), ["Thing.b", "Other", "Other.b"])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
