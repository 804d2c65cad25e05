// Builds the web pages into packages/web/dist: index.html and content-hashed files under assets/,
// which the reference server serves at `/`. esbuild (already the server's bundler) does it in well
// under a second; React code runs on Preact's compatibility layer (see docs/architecture.md).
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"
import { barrelImports } from "./barrelImports.mjs"

const here = Path.dirname(fileURLToPath(import.meta.url))
export const outdir = Path.join(here, "dist")
const src = Path.join(here, "src")

/**
 * The newest modification time of what the pages are built from: their sources, and the core and
 * the HTTP package, whose API definition the typed client is made from.
 */
export const newestSource = () => {
  let newest = 0
  const walk = (dir) => {
    for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
      const path = Path.join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else newest = Math.max(newest, Fs.statSync(path).mtimeMs)
    }
  }
  walk(src)
  walk(Path.join(here, "..", "core", "src"))
  walk(Path.join(here, "..", "http", "src"))
  newest = Math.max(
    newest,
    Fs.statSync(Path.join(here, "package.json")).mtimeMs,
    Fs.statSync(fileURLToPath(import.meta.url)).mtimeMs,
    Fs.statSync(Path.join(here, "barrelImports.mjs")).mtimeMs
  )
  return newest
}

/** Whether the pages are missing or older than a source. */
export const stale = (sourcesNewest = newestSource()) => {
  const index = Path.join(outdir, "index.html")
  return !Fs.existsSync(index) || Fs.statSync(index).mtimeMs < sourcesNewest
}

const html = (script, style) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>taskdesk</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${style}">
<script type="module" src="/assets/${script}"></script>
</head>
<body>
<div id="root"></div>
<noscript>taskdesk needs JavaScript.</noscript>
</body>
</html>
`

export const build = async () => {
  // Built beside dist and moved into place, so a server starting meanwhile never reads half a build.
  const staging = `${outdir}.${process.pid}.tmp`
  const assets = Path.join(staging, "assets")
  Fs.rmSync(staging, { recursive: true, force: true })
  const result = await esbuild.build({
    // Aliases resolve from the working directory: packages/web, where preact is installed.
    absWorkingDir: here,
    entryPoints: { app: Path.join(src, "main.tsx") },
    outdir: assets,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["chrome110", "firefox110", "safari16"],
    minify: true,
    entryNames: "[name]-[hash]",
    chunkNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    jsx: "automatic",
    jsxImportSource: "preact",
    alias: {
      react: "preact/compat",
      "react-dom": "preact/compat",
      "react-dom/client": "preact/compat/client"
    },
    define: { "process.env.NODE_ENV": '"production"' },
    legalComments: "none",
    metafile: true,
    // Namespaces imported from the module itself, not through the packages' barrels (see barrelImports.mjs).
    plugins: [barrelImports(Path.join(here, "package.json"))],
    logLevel: "warning"
  })
  const outputs = Object.entries(result.metafile.outputs)
  const entry = outputs.find(([, o]) => o.entryPoint?.endsWith("main.tsx") === true)
  if (entry === undefined) throw new Error("web build: no entry output")
  const script = Path.basename(entry[0])
  const style = entry[1].cssBundle === undefined ? undefined : Path.basename(entry[1].cssBundle)
  if (style === undefined) throw new Error("web build: no stylesheet")
  Fs.writeFileSync(Path.join(staging, "index.html"), html(script, style))
  Fs.rmSync(outdir, { recursive: true, force: true })
  Fs.renameSync(staging, outdir)
  const metafile = JSON.parse(JSON.stringify(result.metafile).replaceAll(Path.basename(staging), Path.basename(outdir)))
  return { metafile, script, style }
}

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `--if-stale`: only when a source is newer than the build (the tests use it, so parallel files do not rebuild).
  if (!process.argv.includes("--if-stale") || stale()) {
    await build()
    console.log(`built ${Path.relative(process.cwd(), outdir)}`)
  }
}
