import * as Http from "node:http"
import { HttpApi } from "@effect/platform"
import { assert, describe, layer } from "@effect/vitest"
import { TaskdeskApi } from "@taskdesk/http/Api.js"
import { Arbitrary, Effect, FastCheck, Schema, type SchemaAST } from "effect"
import { baseUrl, person, raw, serverLayer } from "./support.js"

/**
 * Hostile input for every body and every query schema of the API definition: malformed JSON, wrong
 * types, unknown fields, huge numbers, odd unicode, random JSON. Whatever happens, the answer is
 * never a 5xx, and every refusal is a problem document.
 */

interface Target {
  readonly key: string
  readonly method: string
  readonly path: string
  readonly payload: Schema.Schema<unknown, unknown> | undefined
  readonly query: Schema.Schema<unknown, unknown> | undefined
}

const targets: ReadonlyArray<Target> = (() => {
  const out: Array<Target> = []
  HttpApi.reflect(TaskdeskApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, group, payloads }) => {
      const body = [...payloads.values()][0]
      const hasBody = endpoint.method === "POST" || endpoint.method === "PATCH" || endpoint.method === "PUT"
      out.push({
        key: `${group.identifier}.${endpoint.name}`,
        method: endpoint.method,
        path: endpoint.path.replace(/:(\w+)/g, "00000000000000000000000000"),
        payload: hasBody && body !== undefined ? (Schema.make(body.ast) as Schema.Schema<unknown, unknown>) : undefined,
        query: endpoint.urlParamsSchema._tag === "Some" ? (endpoint.urlParamsSchema.value as never) : undefined
      })
    }
  })
  return out
})()

/** A valid body for a schema (encoded, as it travels), or `{}` when none can be made up. */
const sampleOf = (schema: Schema.Schema<unknown, unknown>): Record<string, unknown> => {
  try {
    const [value] = FastCheck.sample(Arbitrary.make(Schema.typeSchema(schema)), { numRuns: 1, seed: 42 })
    const encoded = Schema.encodeSync(schema)(value)
    return typeof encoded === "object" && encoded !== null && !Array.isArray(encoded)
      ? (encoded as Record<string, unknown>)
      : {}
  } catch {
    return {}
  }
}

const fieldsOf = (ast: SchemaAST.AST): ReadonlyArray<string> => {
  switch (ast._tag) {
    case "TypeLiteral":
      return ast.propertySignatures.map((p) => String(p.name))
    case "Transformation":
      return fieldsOf(ast.from)
    case "Refinement":
      return fieldsOf(ast.from)
    case "Union":
      return ast.types.flatMap(fieldsOf)
    default:
      return []
  }
}

const hugeString = "x".repeat(200_000)
/** Values of the wrong kind, extreme sizes and odd characters, as JSON text. */
const badValues: ReadonlyArray<string> = [
  "null",
  "true",
  "0",
  "-1",
  "1.5",
  "1e400",
  "-1e400",
  "123456789012345678901234567890",
  '""',
  '" "',
  JSON.stringify(hugeString),
  '"\\ud800"',
  '"\\u0000"',
  '"\\u202e\\u0301\\u200b"',
  '"🙂👩‍👩‍👧"',
  '"<script>alert(1)</script>"',
  "[]",
  "[1,2,3]",
  "{}",
  '{"$gt":""}'
]

/** Whole bodies that are not what any endpoint wants. */
const badBodies: ReadonlyArray<string> = [
  "{not json",
  "[]",
  '"text"',
  "42",
  "null",
  "{}",
  '{"zzz_unknown":1}',
  "\u0000",
  "{".repeat(5_000)
]

const badQueryValues: ReadonlyArray<string> = [
  "abc",
  "1e400",
  "-1",
  "",
  "%00",
  "%FF%FE",
  "🙂",
  "x".repeat(5_000),
  "true,false"
]

interface Outcome {
  readonly label: string
  readonly status: number
  readonly contentType: string | null
}

const problems = (outcomes: ReadonlyArray<Outcome>, mustRefuse: boolean) =>
  outcomes.flatMap((o) => {
    if (o.status >= 500) return [`${o.label}: ${o.status}`]
    if (o.status >= 400 && o.contentType !== "application/problem+json")
      return [`${o.label}: ${o.status} not problem+json`]
    if (mustRefuse && o.status < 400) return [`${o.label}: ${o.status} accepted`]
    return []
  })

describe("hostile input", () => {
  layer(serverLayer(), { excludeTestServices: true, timeout: "90 seconds" })((it) => {
    it.effect(
      "every body schema refuses malformed JSON, wrong types, unknown fields and huge numbers with 4xx problem documents",
      () =>
        Effect.gen(function* () {
          const admin = yield* person("admin")
          const refusals: Array<Outcome> = []
          const survivals: Array<Outcome> = []
          const send = (target: Target, body: string, label: string, into: Array<Outcome>) =>
            Effect.map(raw(target.path, { method: target.method, token: admin.token, body }), (r) => {
              into.push({
                label: `${target.key} ${label}`,
                status: r.status,
                contentType: r.headers.get("content-type")
              })
            })
          for (const target of targets) {
            if (target.payload === undefined) continue
            for (const body of badBodies) {
              // Some bodies suit endpoints whose fields are all optional; those must merely not fail.
              const suits = body === "{}" || body === "null"
              yield* send(target, body, `body ${body.slice(0, 20)}`, suits ? survivals : refusals)
            }
            const sample = sampleOf(target.payload)
            const fields = fieldsOf(target.payload.ast)
            for (const field of fields) {
              for (const value of badValues) {
                const text = JSON.stringify({ ...sample, [field]: "__BAD__" }).replace('"__BAD__"', value)
                yield* send(target, text, `${field}=${value.slice(0, 20)}`, survivals)
              }
            }
            yield* send(target, JSON.stringify({ ...sample, zzz_unknown: 1 }), "unknown field", refusals)
          }
          assert.deepStrictEqual(problems(refusals, true), [])
          assert.deepStrictEqual(problems(survivals, false), [])
        }),
      90_000
    )

    it.effect(
      "every query schema refuses bad values and unknown parameters with 4xx problem documents",
      () =>
        Effect.gen(function* () {
          const admin = yield* person("admin")
          const outcomes: Array<Outcome> = []
          const unknown: Array<Outcome> = []
          for (const target of targets) {
            if (target.query === undefined) continue
            for (const field of fieldsOf(target.query.ast)) {
              for (const value of badQueryValues) {
                // Only the status is looked at: an accepted value may open a stream that does not end.
                const r = yield* raw(`${target.path}?${field}=${encodeURIComponent(value)}`, {
                  token: admin.token,
                  headersOnly: true
                })
                outcomes.push({
                  label: `${target.key} ${field}=${value.slice(0, 20)}`,
                  status: r.status,
                  contentType: r.headers.get("content-type")
                })
              }
            }
            const r = yield* raw(`${target.path}?zzz_unknown=1`, { token: admin.token, headersOnly: true })
            unknown.push({
              label: `${target.key} unknown parameter`,
              status: r.status,
              contentType: r.headers.get("content-type")
            })
          }
          assert.deepStrictEqual(problems(outcomes, false), [])
          assert.deepStrictEqual(problems(unknown, true), [])
        }),
      90_000
    )

    it.effect("random JSON in every body never breaks the server", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const outcomes: Array<Outcome> = []
        const bodies = FastCheck.sample(FastCheck.jsonValue({ maxDepth: 3 }), { numRuns: 8, seed: 7 })
        for (const target of targets) {
          if (target.payload === undefined) continue
          for (const value of bodies) {
            const r = yield* raw(target.path, {
              method: target.method,
              token: admin.token,
              body: JSON.stringify(value)
            })
            outcomes.push({
              label: `${target.key} ${JSON.stringify(value).slice(0, 40)}`,
              status: r.status,
              contentType: r.headers.get("content-type")
            })
          }
        }
        assert.deepStrictEqual(problems(outcomes, false), [])
      })
    )

    it.effect("a body that is not JSON is 415; a malformed one is 400", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const text = yield* raw("/api/tasks", {
          method: "POST",
          token: admin.token,
          body: "title=x",
          headers: { "content-type": "application/x-www-form-urlencoded" }
        })
        assert.strictEqual(text.status, 415)
        assert.strictEqual(text.body.type, "urn:taskdesk:problem:unsupported-media-type")
        const broken = yield* raw("/api/tasks", { method: "POST", token: admin.token, body: '{"title": "x"' })
        assert.strictEqual(broken.status, 400)
        assert.strictEqual(broken.body.type, "urn:taskdesk:problem:malformed-request")
        const wrong = yield* raw("/api/tasks", {
          method: "POST",
          token: admin.token,
          body: JSON.stringify({ title: 5, priority: "soon" })
        })
        assert.strictEqual(wrong.status, 400)
        assert.strictEqual(wrong.body.type, "urn:taskdesk:problem:invalid-input")
        assert.sameMembers(
          wrong.body.issues.map((i: { path: ReadonlyArray<string> }) => i.path.join(".")),
          ["title", "priority"]
        )
      })
    )
  })

  layer(serverLayer({ server: { max_body_size_kb: 1 } }), { excludeTestServices: true })((it) => {
    it.effect("a body past the limit is 413; one without Content-Length is 411", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const big = JSON.stringify({ title: "x", description: "y".repeat(4_000) })
        const sized = yield* raw("/api/tasks", { method: "POST", token: admin.token, body: big })
        assert.strictEqual(sized.status, 413)
        assert.strictEqual(sized.body.type, "urn:taskdesk:problem:payload-too-large")
        // Chunked, without Content-Length: refused before reading (fetch cannot send that, node:http can).
        const base = new URL(yield* baseUrl)
        const response = yield* Effect.async<{ status: number; headers: Http.IncomingHttpHeaders }>((resume) => {
          const request = Http.request(
            {
              host: base.hostname,
              port: base.port,
              method: "POST",
              path: "/api/tasks",
              headers: {
                "content-type": "application/json",
                authorization: `Bearer ${admin.token}`,
                "transfer-encoding": "chunked"
              }
            },
            (res) => {
              res.resume()
              resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers }))
            }
          )
          request.on("error", () => {})
          request.write(big)
          request.end()
        })
        assert.strictEqual(response.status, 411)
        assert.strictEqual(response.headers["content-type"], "application/problem+json")
      })
    )
  })
})
