// `pnpm docs:config`: rewrites the configuration table of docs/reference/configuration.md from the settings' schema.
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as ConfigReference from "../src/ConfigReference.js"

const file = fileURLToPath(new URL(`../../${ConfigReference.path}`, import.meta.url))
writeFileSync(file, ConfigReference.update(readFileSync(file, "utf8")))
console.log(`wrote ${ConfigReference.path}`)
