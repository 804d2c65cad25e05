// An esbuild plugin for the web build: `import { Schema, Effect } from "effect"` becomes
// `import * as Schema from "effect/Schema"; import * as Effect from "effect/Effect"`, and the same
// for `@effect/platform` and `@taskdesk/core`, in the workspace's own sources.
//
// Why: the three packages' entry files are barrels of `export * as Name from "./Name.js"`. esbuild
// keeps a namespace imported through such a barrel as a whole object (every export of the module,
// each reachable through a getter), so one `Scheduler.JobView` in the API definition kept the
// whole scheduler service, and `Schema.String` kept every schema. Imported from the module itself,
// a namespace is tree-shaken member by member. The first load went from 259 kB to about 163 kB
// gzipped with this alone. Types and the source files are untouched: this is a build step only.
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"

/** Name → module path (without extension) of every `export * as Name from "./path.js"` in a barrel file. */
const namespacesOf = (indexFile) => {
  const names = new Map()
  for (const m of Fs.readFileSync(indexFile, "utf8").matchAll(/export \* as (\w+) from "\.\/([\w/]+)\.js"/g)) {
    names.set(m[1], m[2])
  }
  return names
}

/** The barrels rewritten, found from `from` (a file of the package whose dependencies they are). */
export const barrels = (from) => {
  const require = createRequire(from)
  const packageDir = (name) => Path.dirname(require.resolve(`${name}/package.json`))
  const core = Path.dirname(require.resolve("@taskdesk/core"))
  return {
    effect: {
      names: namespacesOf(Path.join(packageDir("effect"), "dist", "esm", "index.js")),
      module: (m) => `effect/${m}`
    },
    "@effect/platform": {
      names: namespacesOf(Path.join(packageDir("@effect/platform"), "dist", "esm", "index.js")),
      module: (m) => `@effect/platform/${m}`
    },
    "@taskdesk/core": {
      names: namespacesOf(Path.join(core, "index.ts")),
      // The core's modules are not in its package exports; the file itself is what its barrel points at.
      module: (m) => Path.join(core, `${m}.ts`)
    }
  }
}

const importOf = /import\s*(type\s+)?\{([^}]*)\}\s*from\s*"([^"]+)"/g

/** One source's imports from the barrels, rewritten; `undefined` when it has none. */
export const rewrite = (source, known) => {
  let changed = false
  const contents = source.replace(importOf, (whole, typeOnly, specifiers, from) => {
    const barrel = known[from]
    if (barrel === undefined || typeOnly !== undefined) return whole
    const types = []
    const others = []
    const namespaces = []
    for (const specifier of specifiers
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")) {
      if (specifier.startsWith("type ")) {
        types.push(specifier.slice(5).trim())
        continue
      }
      const [name, local = name] = specifier.split(/\s+as\s+/)
      const module = barrel.names.get(name)
      if (module === undefined) others.push(specifier)
      else namespaces.push(`import * as ${local} from ${JSON.stringify(barrel.module(module))}`)
    }
    if (namespaces.length === 0) return whole
    changed = true
    // As many lines as before, so the positions esbuild reports still match the file.
    const lines = "\n".repeat(whole.split("\n").length - 1)
    return `${[
      ...(types.length === 0 ? [] : [`import type { ${types.join(", ")} } from "${from}"`]),
      ...(others.length === 0 ? [] : [`import { ${others.join(", ")} } from "${from}"`]),
      ...namespaces
    ].join("; ")}${lines}`
  })
  return changed ? contents : undefined
}

/** The plugin: the workspace's TypeScript (not node_modules) with its barrel imports rewritten. */
export const barrelImports = (from) => ({
  name: "barrel-imports",
  setup(build) {
    const known = barrels(from)
    build.onLoad({ filter: /\.tsx?$/ }, (args) => {
      if (args.path.includes(`${Path.sep}node_modules${Path.sep}`)) return undefined
      const contents = rewrite(Fs.readFileSync(args.path, "utf8"), known)
      return contents === undefined ? undefined : { contents, loader: args.path.endsWith(".tsx") ? "tsx" : "ts" }
    })
  }
})
