// `pnpm start`: the compiled server under plain `node` (signals reach it directly), built first when
// the bundle is missing or older than the sources. Arguments go to the `taskdesk` CLI.
import { pathToFileURL } from "node:url"
import { build, outfile, stale } from "./build.mjs"

if (stale()) {
  console.error("taskdesk: building the server (packages/http/dist/taskdesk.mjs)…")
  await build()
}
await import(pathToFileURL(outfile).href)
