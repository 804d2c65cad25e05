import * as Fs from "node:fs"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"

const packages = Path.join(import.meta.dirname, "..", "..")

interface Manifest {
  readonly name: string
  readonly dependencies?: Record<string, string>
  readonly devDependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}

const manifests: ReadonlyArray<Manifest> = Fs.readdirSync(packages)
  .map((dir) => Path.join(packages, dir, "package.json"))
  .filter((file) => Fs.existsSync(file))
  .map((file) => JSON.parse(Fs.readFileSync(file, "utf8")) as Manifest)

const manifest = (name: string): Manifest => {
  const found = manifests.find((m) => m.name === name)
  if (found === undefined) throw new Error(`no package ${name} under packages/`)
  return found
}

/** Every package a manifest names, in any of its dependency lists. */
const allDependencies = (m: Manifest): ReadonlyArray<string> => [
  ...Object.keys(m.dependencies ?? {}),
  ...Object.keys(m.devDependencies ?? {}),
  ...Object.keys(m.peerDependencies ?? {})
]

describe("package manifests", () => {
  it("reads every package under packages/", () => {
    assert.includeMembers(
      manifests.map((m) => m.name),
      ["@taskdesk/core", "@taskdesk/adapters", "@taskdesk/http", "@taskdesk/bot", "@taskdesk/server"]
    )
  })

  it("no arrow runs between the HTTP API and the bot, in either direction", () => {
    assert.notInclude(allDependencies(manifest("@taskdesk/http")), "@taskdesk/bot")
    assert.notInclude(allDependencies(manifest("@taskdesk/bot")), "@taskdesk/http")
  })

  it("the HTTP API installs without the bot, the executable, Argon2, YAML or a database driver", () => {
    const runtime = Object.keys(manifest("@taskdesk/http").dependencies ?? {})
    const forbidden = [
      "@taskdesk/bot",
      "@taskdesk/server",
      "@node-rs/argon2",
      "yaml",
      "@effect/cli",
      "pg",
      "@effect/sql-pg",
      "mysql2",
      "@effect/sql-mysql2",
      "better-sqlite3",
      "@effect/sql-sqlite-node"
    ]
    assert.deepStrictEqual(
      runtime.filter((name) => forbidden.includes(name) || name.startsWith("better-sqlite3")),
      []
    )
  })

  it("the HTTP API needs the adapters only for its tests", () => {
    assert.notProperty(manifest("@taskdesk/http").dependencies ?? {}, "@taskdesk/adapters")
  })
})
