// `pnpm openapi`: writes the API's OpenAPI document into the repository, where a test keeps it current.
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as OpenApiFile from "../src/OpenApiFile.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
writeFileSync(`${root}${OpenApiFile.path}`, OpenApiFile.render())
console.log(`wrote ${OpenApiFile.path}`)
