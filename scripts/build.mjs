// Builds the server into one JavaScript file, packages/server/dist/taskdesk.mjs, run by plain `node`, and the web
// pages it serves at `/` into packages/web/dist (packages/web/build.mjs). For the server:
// the workspace's TypeScript and the pure-JavaScript dependencies are bundled; native modules
// (better-sqlite3, @node-rs/argon2) stay outside and load from node_modules. `pnpm install` runs it
// (`prepare`), and `pnpm start` when the bundle is missing or older than a source file.
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"
import * as Web from "../packages/web/build.mjs"

const root = Path.resolve(fileURLToPath(new URL("..", import.meta.url)))
export const outfile = Path.join(root, "packages", "server", "dist", "taskdesk.mjs")
const native = ["better-sqlite3", "@node-rs/argon2", "pg-native"]

/** The newest modification time of the sources the bundle is made from. */
export const newestSource = () => {
  let newest = 0
  const walk = (dir) => {
    for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
      const path = Path.join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, Fs.statSync(path).mtimeMs)
    }
  }
  for (const pkg of ["core", "adapters", "http", "bot", "server"]) {
    walk(Path.join(root, "packages", pkg, "src"))
    newest = Math.max(newest, Fs.statSync(Path.join(root, "packages", pkg, "package.json")).mtimeMs)
  }
  newest = Math.max(newest, Fs.statSync(Path.join(root, "pnpm-lock.yaml")).mtimeMs)
  return newest
}

/** Whether the bundle is missing or older than a source. */
export const stale = () => !Fs.existsSync(outfile) || Fs.statSync(outfile).mtimeMs < newestSource()

export const build = async () => {
  await esbuild.build({
    entryPoints: [Path.join(root, "packages", "server", "src", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    external: native,
    // Bundled CommonJS dependencies (pg, yaml, nodemailer) call `require` for Node's modules.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);'
    },
    sourcemap: "linked",
    logLevel: "warning"
  })
}

/** Whether the web pages are missing or older than their sources or the API definition they call. */
export const webStale = () => Web.stale()

export const buildWeb = Web.build

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build()
  console.log(`built ${Path.relative(root, outfile)}`)
  await Web.build()
  console.log(`built ${Path.relative(root, Web.outdir)}`)
}
