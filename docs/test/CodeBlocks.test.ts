import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Cli } from "@taskdesk/server"
import ts from "typescript"
import * as CodeBlocks from "../src/CodeBlocks.js"
import * as OpenApiFile from "../src/OpenApiFile.js"
import * as ShellCommands from "../src/ShellCommands.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const blocks = CodeBlocks.all(root)
const where = (block: CodeBlocks.Block) => `${block.file}:${block.line}`

describe("The docs' code blocks", () => {
  it("are found in README.md and every docs page", () => {
    assert.isAbove(blocks.filter(CodeBlocks.isTypeScript).length, 5)
    assert.isAbove(blocks.filter(CodeBlocks.isShell).length, 5)
  })

  it("are rarely marked as not checked", () => {
    const unchecked = blocks.filter((b) => CodeBlocks.unchecked(b))
    assert.isAtMost(unchecked.length, 3, unchecked.map(where).join(", "))
  })

  it("type-check, every TypeScript block against the workspace's packages", () => {
    // Inside the docs package, so `@taskdesk/*` and `effect` resolve as they would for a reader's project.
    const dir = join(root, "docs/.blocks")
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const files = new Map<string, CodeBlocks.Block>()
    for (const block of blocks.filter((b) => CodeBlocks.isTypeScript(b) && !CodeBlocks.unchecked(b))) {
      const name = join(dir, `${block.file.replace(/[^A-Za-z0-9]+/g, "_")}_${block.line}.ts`)
      // Each block is a module of its own, so blocks never clash with one another's names.
      writeFileSync(name, `${block.code}\nexport {}\n`)
      files.set(name, block)
    }
    const base = ts.readConfigFile(join(root, "tsconfig.base.json"), ts.sys.readFile)
    const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, root)
    const program = ts.createProgram([...files.keys()], {
      ...options,
      types: ["node"],
      // A snippet may show a value without using it.
      noUnusedLocals: false,
      noUnusedParameters: false
    })
    // Only the blocks' own diagnostics: the packages are type-checked by `pnpm typecheck`, and checking a block
    // reads only as much of them as it uses.
    const diagnostics = [...files.keys()].flatMap((name) => {
      const file = program.getSourceFile(name)
      return file === undefined
        ? []
        : [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]
    })
    const problems = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...diagnostics].flatMap(
      (d) => {
        const block = d.file === undefined ? undefined : files.get(d.file.fileName)
        if (d.file === undefined || block === undefined) return [ts.flattenDiagnosticMessageText(d.messageText, "\n")]
        const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0)
        return [`${block.file}:${block.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`]
      }
    )
    assert.deepStrictEqual(problems, [])
  })

  it("call only scripts, CLI commands and API paths that exist, in every shell block", () => {
    const manifest = (dir: string) =>
      JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as {
        name: string
        scripts?: Record<string, string>
      }
    const workspace = [
      "",
      "packages/core",
      "packages/adapters",
      "packages/http",
      "packages/server",
      "packages/bot",
      "examples",
      "docs"
    ]
    const scripts = new Map(
      workspace.map((dir) => {
        const m = manifest(dir)
        return [dir === "" ? "" : m.name, Object.keys(m.scripts ?? {})] as const
      })
    )
    const spec = JSON.parse(readFileSync(join(root, OpenApiFile.path), "utf8")) as { paths: Record<string, unknown> }
    const known = { scripts, cli: Cli.command, apiPaths: Object.keys(spec.paths) }
    const problems = blocks
      .filter((b) => CodeBlocks.isShell(b) && !CodeBlocks.unchecked(b))
      .flatMap((b) => ShellCommands.problems(known, b.code).map((p) => `${where(b)}: ${p}`))
    assert.deepStrictEqual(problems, [])
  })

  it("are checked: a block calling a missing script, command or path is caught", () => {
    const known = {
      scripts: new Map([["", ["start", "taskdesk"]]]),
      cli: Cli.command,
      apiPaths: ["/api/tasks", "/api/tasks/{id}"]
    }
    assert.deepStrictEqual(
      ShellCommands.problems(
        known,
        [
          "pnpm start && pnpm stat   # a typo",
          "pnpm taskdesk jobs lst",
          "pnpm taskdesk serve --demo",
          'curl -s "$api/tasks/$id" "$api/task"'
        ].join("\n")
      ),
      ['no script "stat" in the root package.json', 'taskdesk jobs has no command "lst"', "no API path /api/task"]
    )
  })
})
