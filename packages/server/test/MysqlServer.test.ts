import { assert, it } from "@effect/vitest"
import { describeMysql, mysqlUrl, queryIn } from "@taskdesk/adapters/testing/mysql"
import { Effect } from "effect"
import * as Taskdesk from "./fixtures/taskdeskProcess.js"

const password = "mysql-admin-password"

/** The fields of the answers this test reads. */
interface Answer {
  readonly id?: string
  readonly token?: string
  readonly accessToken?: string
  readonly refreshToken?: string
  readonly storage?: unknown
  readonly items?: ReadonlyArray<{ readonly id: string; readonly title: string }>
}

const call = async (
  url: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; key?: string }
) => {
  const headers: Record<string, string> = { "content-type": "application/json" }
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
  if (init.key !== undefined) headers["idempotency-key"] = init.key
  const response = await fetch(`${url}/api${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
  })
  const text = await response.text()
  return { status: response.status, body: text === "" ? undefined : (JSON.parse(text) as Answer) }
}

const login = (url: string) => call(url, "/auth/login", { body: { username: "admin", password } })

/** Rows of `table` in `database`, read past the server. */
const count = async (database: string, table: string) =>
  Number((await queryIn(database, `SELECT COUNT(*) AS n FROM ${table}`))[0]!.n)

describeMysql("MySQL", () => {
  it.live(
    "taskdesk serve with a mysql:// URL creates the database, serves the API, its accounts included, and keeps it across a restart",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          // A database that does not exist yet: the server creates it.
          const database = `taskdesk_test_server_${process.pid}_${Date.now().toString(36)}`
          yield* Effect.addFinalizer(() => Effect.promise(() => queryIn("test", `DROP DATABASE IF EXISTS ${database}`)))
          const env = {
            TASKDESK_DATABASE_URL: mysqlUrl(database),
            TASKDESK_ADMIN_PASSWORD: password,
            TASKDESK_DATA_DIR: Taskdesk.tempDir("mysql"),
            TASKDESK_LOG_LEVEL: "error"
          }
          const first = yield* Effect.acquireRelease(
            Effect.promise(() => Taskdesk.serve(["--demo"], env)),
            (s) => Effect.promise(() => Taskdesk.stop(s.process))
          )
          yield* Effect.promise(async () => {
            const { url } = first
            assert.deepStrictEqual((await call(url, "/health", {})).body?.storage, { kind: "mysql", reachable: true })
            const session = await login(url)
            assert.strictEqual(session.status, 200)
            const token = session.body!.accessToken!

            // A task, created once under an idempotency key and answered again for the retry.
            const create = () => call(url, "/tasks", { token, key: "mysql-task-1", body: { title: "На MariaDB 数据" } })
            const created = await create()
            assert.strictEqual(created.status, 201)
            const again = await create()
            assert.strictEqual(again.body?.id, created.body?.id)
            const listed = await call(url, "/tasks?limit=100", { token })
            assert.include(
              listed.body!.items!.map((t) => t.id),
              created.body?.id
            )

            // An API token acts as its owner; revoked, it is refused.
            const apiToken = await call(url, "/tokens", { token, body: { name: "integration" } })
            assert.strictEqual(apiToken.status, 201)
            assert.strictEqual((await call(url, "/auth/me", { token: apiToken.body!.token! })).status, 200)
            const revoked = await call(url, `/tokens/${apiToken.body!.id}`, { token, method: "DELETE" })
            assert.strictEqual(revoked.status, 204)
            assert.strictEqual((await call(url, "/auth/me", { token: apiToken.body!.token! })).status, 401)

            // Refresh tokens rotate: each is good once.
            const refresh = session.body!.refreshToken!
            assert.strictEqual((await call(url, "/auth/refresh", { body: { refreshToken: refresh } })).status, 200)
            assert.strictEqual((await call(url, "/auth/refresh", { body: { refreshToken: refresh } })).status, 401)

            // A Telegram link code, in the database.
            assert.strictEqual(
              (await call(url, "/me/telegram-link", { token: (await login(url)).body!.accessToken!, body: {} })).status,
              201
            )
          })
          assert.isAbove(yield* Effect.promise(() => count(database, "tasks")), 1)
          assert.strictEqual(yield* Effect.promise(() => count(database, "telegram_links")), 1)
          assert.isAbove(yield* Effect.promise(() => count(database, "http_tokens")), 2)
          assert.strictEqual(yield* Effect.promise(() => count(database, "http_idempotency")), 1)

          yield* Effect.promise(() => Taskdesk.stop(first.process))
          // The backup job names the database's own tools instead of writing a file.
          const backup = yield* Effect.promise(() => Taskdesk.run(["jobs", "run", "backup"], env))
          assert.include(`${backup.stdout}${backup.stderr}`, "mysqldump")
          const second = yield* Effect.acquireRelease(
            Effect.promise(() => Taskdesk.serve([], env)),
            (s) => Effect.promise(() => Taskdesk.stop(s.process))
          )
          yield* Effect.promise(async () => {
            const session = await login(second.url)
            assert.strictEqual(session.status, 200)
            const listed = await call(second.url, "/tasks?limit=100", { token: session.body!.accessToken! })
            assert.include(
              listed.body!.items!.map((t) => t.title),
              "На MariaDB 数据"
            )
          })
        })
      ),
    180_000
  )
})
