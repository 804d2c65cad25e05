import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Validator } from "@seriousme/openapi-schema-validator"
import * as ConfigReference from "../src/ConfigReference.js"
import * as OpenApiFile from "../src/OpenApiFile.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const read = (path: string) => readFileSync(join(root, path), "utf8")

describe("The HTTP API's OpenAPI file", () => {
  it("is what the server serves at /openapi.json", () => {
    const current = OpenApiFile.render()
    assert.isTrue(
      read(OpenApiFile.path) === current,
      `${OpenApiFile.path} is stale: the API changed since it was written. Run \`pnpm openapi\` and commit it.`
    )
  })

  it("is a valid OpenAPI 3.1 document", async () => {
    const spec = JSON.parse(read(OpenApiFile.path)) as Record<string, unknown>
    assert.strictEqual(spec.openapi, "3.1.0")
    const { valid, errors } = await new Validator().validate(spec)
    assert.deepStrictEqual(errors ?? [], [])
    assert.isTrue(valid)
  })

  it("is refused by the validator when it breaks the standard", async () => {
    const spec = JSON.parse(read(OpenApiFile.path)) as {
      info: Record<string, unknown>
      components: { schemas: Record<string, unknown> }
    }
    const { version: _, ...withoutVersion } = spec.info
    assert.isFalse((await new Validator().validate({ ...spec, info: withoutVersion })).valid)
    // What Effect writes for every `Schema.Unknown` unless the server drops it: one `$id` at several places.
    const unknown = { $id: "/schemas/unknown", title: "unknown" }
    const repeated = { ...spec, components: { schemas: { ...spec.components.schemas, A: unknown, B: { ...unknown } } } }
    assert.isFalse((await new Validator().validate(repeated)).valid)
  })
})

describe("The configuration reference", () => {
  it("lists every setting the server reads, with its variable and default", () => {
    const document = read(ConfigReference.path)
    assert.isTrue(
      document === ConfigReference.update(document),
      `the table in ${ConfigReference.path} is stale: the settings changed. Run \`pnpm docs:config\` and commit it.`
    )
  })

  it("names secrets as secrets", () => {
    const secret = ConfigReference.rows()
      .filter((r) => r.secret)
      .map((r) => r.key)
    assert.includeMembers(secret, ["admin_password", "notifications.smtp.password", "security.telegram_bot_token"])
    assert.notInclude(secret, "server.port")
  })
})
