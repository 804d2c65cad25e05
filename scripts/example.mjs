// `pnpm example <name> [args…]`: runs examples/<name>/main.ts (TypeScript through tsx) from the repository root.
// Without a name, lists the examples.
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(fileURLToPath(new URL("..", import.meta.url)))
const dir = Path.join(root, "examples")
const names = Fs.readdirSync(dir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && Fs.existsSync(Path.join(dir, entry.name, "main.ts")))
  .map((entry) => entry.name)
  .sort()
const [name, ...args] = process.argv.slice(2)

if (name === undefined || !names.includes(name)) {
  if (name !== undefined) console.error(`no example named "${name}"`)
  console.error(`usage: pnpm example <name>\nexamples: ${names.join(", ") || "(none)"}`)
  process.exit(name === undefined ? 0 : 2)
}

const tsx = Path.join(root, "node_modules", ".bin", "tsx")
const result = spawnSync(tsx, [Path.join(dir, name, "main.ts"), ...args], { cwd: root, stdio: "inherit" })
process.exit(result.status ?? 1)
