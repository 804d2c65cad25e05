import * as Crypto from "node:crypto"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { vi } from "vitest"
import { password, person, raw, serverLayer } from "./support.js"

// The comparison is watched, not timed: timing assertions are no tests on a shared machine.
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>()
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) }
})

describe("CSRF token", () => {
  layer(serverLayer(), { excludeTestServices: true })((it) => {
    it.effect("is compared in constant time, as equal-length digests, whatever the length of what was sent", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        const login = yield* raw("/api/auth/login", {
          method: "POST",
          body: JSON.stringify({ username: manager.user.username, password, cookie: true })
        })
        const cookie = login.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; ")
        const csrf = login.body.csrfToken as string
        const body = JSON.stringify({ title: "From a browser" })
        const compare = vi.mocked(Crypto.timingSafeEqual)
        const attempts = [`${csrf.slice(0, -1)}${csrf.endsWith("A") ? "B" : "A"}`, "x", csrf.repeat(3), csrf]
        const statuses: Array<number> = []
        for (const given of attempts) {
          compare.mockClear()
          statuses.push(
            (yield* raw("/api/tasks", { method: "POST", body, headers: { cookie, "x-csrf-token": given } })).status
          )
          assert.strictEqual(compare.mock.calls.length, 1, `one constant-time comparison for ${given.slice(0, 8)}…`)
          const [a, b] = compare.mock.calls[0]! as unknown as [Uint8Array, Uint8Array]
          assert.strictEqual(a.length, 32)
          assert.strictEqual(b.length, 32)
        }
        assert.deepStrictEqual(statuses, [403, 403, 403, 201])
      })
    )
  })
})
