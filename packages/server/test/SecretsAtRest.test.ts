import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { TaskdeskApi } from "@taskdesk/http/Api.js"
import { ReturnsSecret, secretRoutes } from "@taskdesk/http/ReturnsSecret.js"
import { Effect } from "effect"
import { password, person, raw, serverLayer } from "./support.js"

/** Every file under a directory, recursively: the database, its -wal and -shm, backups, anything else. */
const filesUnder = (dir: string): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = Path.join(dir, entry.name)
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : []
  })

/** The secrets found in the clear in any file under `dir`, with where. */
const leaks = (dir: string, secrets: Record<string, string>): Array<string> =>
  filesUnder(dir).flatMap((file) => {
    const bytes = Fs.readFileSync(file)
    return Object.entries(secrets)
      .filter(([, secret]) => bytes.includes(Buffer.from(secret, "utf8")))
      .map(([name]) => `${name} in ${Path.relative(dir, file)}`)
  })

describe("secrets at rest", () => {
  it("the endpoints that answer secrets are marked in the API definition", () => {
    const marked = secretRoutes(TaskdeskApi)
    assert.isTrue(marked("POST", "/api/auth/login"))
    assert.isTrue(marked("POST", "/api/auth/refresh"))
    assert.isTrue(marked("POST", "/api/auth/telegram"))
    assert.isTrue(marked("POST", "/api/tokens"))
    assert.isTrue(marked("POST", "/api/me/telegram-link"))
    assert.isFalse(marked("POST", "/api/tasks"))
    assert.isFalse(marked("GET", "/api/tokens"))
    assert.strictEqual(ReturnsSecret.key, "@taskdesk/http/ReturnsSecret")
  })

  it.live(
    "tokens made, signed in and refreshed with an Idempotency-Key are in no file of the data directory, backups included; retries are refused, not replayed",
    () =>
      Effect.gen(function* () {
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-secrets-"))
        const secrets: Record<string, string> = {}
        yield* Effect.gen(function* () {
          const admin = yield* person("admin")
          const user = admin.user.username
          const post = (path: string, body: unknown, key: string, token?: string) =>
            raw(path, {
              method: "POST",
              body: JSON.stringify(body),
              headers: { "idempotency-key": key },
              ...(token === undefined ? {} : { token })
            })

          const login = yield* post("/api/auth/login", { username: user, password, cookie: true }, "login-1")
          assert.strictEqual(login.status, 200)
          secrets.loginAccess = login.body.accessToken
          secrets.loginRefresh = login.body.refreshToken
          secrets.loginCsrf = login.body.csrfToken
          const refreshed = yield* post("/api/auth/refresh", { refreshToken: login.body.refreshToken }, "refresh-1")
          assert.strictEqual(refreshed.status, 200)
          secrets.refreshedAccess = refreshed.body.accessToken
          secrets.refreshedRefresh = refreshed.body.refreshToken
          const made = yield* post("/api/tokens", { name: "integration" }, "token-1", admin.token)
          assert.strictEqual(made.status, 201)
          secrets.apiToken = made.body.token

          // A retry with the same key and body: refused, naming the first answer's status, with no secret.
          for (const [path, body, key, token, status] of [
            ["/api/auth/login", { username: user, password, cookie: true }, "login-1", undefined, 200],
            ["/api/auth/refresh", { refreshToken: login.body.refreshToken }, "refresh-1", undefined, 200],
            ["/api/tokens", { name: "integration" }, "token-1", admin.token, 201]
          ] as const) {
            const again = yield* post(path, body, key, token)
            assert.strictEqual(again.status, 409, path)
            assert.strictEqual(again.body.type, "urn:taskdesk:problem:secret-not-replayed")
            assert.strictEqual(again.body.originalStatus, status)
            assert.strictEqual(again.headers.get("idempotent-replayed"), "true")
            for (const secret of Object.values(secrets)) assert.notInclude(JSON.stringify(again.body), secret)
          }
          // The first answers were real: the refreshed session and the API token work.
          assert.strictEqual((yield* raw("/api/auth/me", { token: secrets.refreshedAccess! })).status, 200)
          assert.strictEqual((yield* raw("/api/auth/me", { token: secrets.apiToken! })).status, 200)
          // An answer without a secret is still replayed as before.
          const task = yield* post("/api/tasks", { title: "kept" }, "task-1", admin.token)
          const replayed = yield* post("/api/tasks", { title: "kept" }, "task-1", admin.token)
          assert.strictEqual(replayed.status, 201)
          assert.strictEqual(replayed.body.id, task.body.id)

          const backup = yield* raw("/api/scheduler/jobs/backup/run?wait=true", { method: "POST", token: admin.token })
          assert.strictEqual(backup.status, 200)
          assert.strictEqual(backup.body.status, "succeeded")
          assert.isNotEmpty(Fs.readdirSync(Path.join(dir, "backups")))
          assert.isTrue(filesUnder(dir).some((file) => file.endsWith("-wal")))
          // No fast digest of a request that carried a password either, which could be guessed offline.
          const loginBody = JSON.stringify({ username: user, password, cookie: true })
          secrets.loginRequestDigest = Crypto.createHash("sha256")
            .update(`POST /api/auth/login\n${loginBody}`)
            .digest("base64url")
          // While the server runs: the database, its WAL and the backup.
          assert.deepStrictEqual(leaks(dir, secrets), [])
        }).pipe(Effect.provide(serverLayer({ database_url: undefined, data_dir: dir })))
        assert.lengthOf(Object.keys(secrets), 7)
        // And once it has stopped and checkpointed.
        assert.deepStrictEqual(leaks(dir, secrets), [])
        Fs.rmSync(dir, { recursive: true, force: true })
      }),
    60_000
  )
})
