import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { person, raw, serverLayer } from "./support.js"

/** The fields a refusal names (deduplicated), or the status when it is not an invalid-input problem. */
const named = (r: {
  status: number
  body: { type?: string; issues?: ReadonlyArray<{ path: ReadonlyArray<unknown> }> }
}) =>
  r.status === 400 && r.body.type === "urn:taskdesk:problem:invalid-input"
    ? [...new Set(r.body.issues!.map((i) => i.path.join(".")))].join(",")
    : `${r.status}`

describe("impossible dates and control characters over HTTP", () => {
  layer(serverLayer(), { excludeTestServices: true })((it) => {
    it.effect("an impossible or far-off date is refused with the field named, not moved or stored", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const post = (body: unknown) =>
          raw("/api/tasks", { method: "POST", token: admin.token, body: JSON.stringify(body) })
        for (const dueAt of [
          "2026-02-30T12:00:00Z",
          "2026-02-29T12:00:00Z",
          "2026-06-31",
          "0000-01-01T00:00:00Z",
          "+275760-09-13T00:00:00Z",
          "1899-12-31T00:00:00Z"
        ]) {
          assert.strictEqual(named(yield* post({ title: "x", dueAt })), "dueAt", dueAt)
        }
        // The message is the date's own, without the optional field's "or nothing" alternative.
        const impossible = yield* post({ title: "x", dueAt: "2026-02-30T12:00:00Z" })
        assert.strictEqual(impossible.body.issues[0].message, "there is no 2026-02-30")
        const fine = yield* post({ title: "x", dueAt: "2028-02-29T12:00:00Z" })
        assert.strictEqual(fine.status, 201)
        assert.strictEqual(fine.body.dueAt, "2028-02-29T12:00:00.000Z")
        const patched = yield* raw(`/api/tasks/${fine.body.id}`, {
          method: "PATCH",
          token: admin.token,
          body: JSON.stringify({ dueAt: "2027-02-29T00:00:00Z" })
        })
        assert.strictEqual(named(patched), "dueAt")
        const listed = yield* raw("/api/tasks?dueFrom=2026-02-30T00:00:00Z", { token: admin.token })
        assert.strictEqual(named(listed), "dueFrom")
        const repair = yield* raw("/api/repair-requests", {
          method: "POST",
          token: admin.token,
          body: JSON.stringify({
            deviceType: "Oven",
            deviceModel: "B",
            problemDescription: "p",
            deadline: "2026-11-31"
          })
        })
        assert.strictEqual(named(repair), "deadline")
      })
    )

    it.effect("control and bidi characters are refused in one-line fields and, but for tab and newline, in text", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const send = (method: string, path: string, body: unknown) =>
          raw(path, { method, token: admin.token, body: JSON.stringify(body) })
        const task = (yield* send("POST", "/api/tasks", { title: "fine" })).body
        for (const c of ["\u0000", "\u001b", "\u0085", "\u202e", "\u2067"]) {
          const outcomes = {
            title: named(yield* send("POST", "/api/tasks", { title: `invoice${c}fdp.exe` })),
            tags: named(yield* send("POST", "/api/tasks", { title: "x", tags: [`a${c}`] })),
            description: named(yield* send("POST", "/api/tasks", { title: "x", description: `a${c}` })),
            comment: named(yield* send("POST", `/api/tasks/${task.id}/comments`, { body: `a${c}b` })),
            user: named(yield* send("POST", "/api/users", { name: `a${c}`, username: "new_person", role: "worker" })),
            project: named(yield* send("POST", "/api/projects", { name: `a${c}` })),
            template: named(yield* send("POST", "/api/templates", { title: `a${c}` })),
            token: named(yield* send("POST", "/api/tokens", { name: `a${c}` }))
          }
          assert.deepStrictEqual(
            outcomes,
            {
              title: "title",
              tags: "tags.0,tags",
              description: "description",
              comment: "body",
              user: "name",
              project: "name",
              template: "title",
              token: "name"
            },
            JSON.stringify(c)
          )
        }
        const text = "Steps:\n\t1. open\r\n\t2. close"
        const kept = yield* send("POST", "/api/tasks", { title: "x", description: text })
        assert.strictEqual(kept.status, 201)
        assert.strictEqual(kept.body.description, text)
        const comment = yield* send("POST", `/api/tasks/${task.id}/comments`, { body: "line one\nline two" })
        assert.strictEqual(comment.status, 201)
        assert.strictEqual(named(yield* send("POST", "/api/tasks", { title: "two\nlines" })), "title")
      })
    )
  })
})
