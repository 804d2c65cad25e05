// `pnpm start`: the compiled server under plain `node` (signals reach it directly), built first when
// the bundle is missing or older than the sources, and the web pages likewise. Arguments go to the
// `taskdesk` CLI.
import { pathToFileURL } from "node:url"
import { build, buildWeb, outfile, stale, webStale } from "./build.mjs"

if (stale()) {
  console.error("taskdesk: building the server (packages/server/dist/taskdesk.mjs)…")
  await build()
}
if (webStale()) {
  console.error("taskdesk: building the web pages (packages/web/dist)…")
  await buildWeb()
}
await import(pathToFileURL(outfile).href)
