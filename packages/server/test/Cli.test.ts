import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it, vi } from "@effect/vitest"
import { Effect } from "effect"
import * as Cli from "../src/Cli.js"

const bin = Path.join(import.meta.dirname, "..", "bin", "taskdesk.mjs")

interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the `taskdesk` CLI to its end. */
const taskdesk = (args: ReadonlyArray<string>, env: Record<string, string> = {}, cwd = Os.tmpdir()) =>
  Effect.async<Finished>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
  })

/** Starts `taskdesk serve`, waits for its address, and stops it when the scope ends. */
const serve = (args: ReadonlyArray<string>, env: Record<string, string>, cwd: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly stdout: string; readonly stop: () => void }>((resume) => {
      const child = spawn(process.execPath, [bin, "serve", ...args], { cwd, env: { ...process.env, ...env } })
      let stdout = ""
      child.stdout.on("data", (d) => {
        stdout += d
        const match = /listening on (http:\/\/\S+)/.exec(stdout)
        if (match) resume(Effect.succeed({ url: match[1]!, stdout, stop: () => child.kill("SIGTERM") }))
      })
      child.stderr.on("data", (d) => (stdout += d))
      child.on("close", (code) => resume(Effect.die(new Error(`serve exited with ${code}: ${stdout}`))))
    }),
    (server) => Effect.sync(server.stop)
  )

const call = (url: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url + path, {
      method: init.method ?? "GET",
      headers: {
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {})
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {})
    })
    const text = await response.text()
    // biome-ignore lint/suspicious/noExplicitAny: the walkthrough probes bodies freely
    return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as any }
  })

const loginsOf = (stdout: string) =>
  Object.fromEntries(
    [...stdout.matchAll(/^ {2}(\S+)\s+(\S+)\s+(\S+)$/gm)].map((m) => [m[1]!, m[3]!] as const)
  ) as Record<string, string>

describe("taskdesk CLI", () => {
  it.effect(
    "a bad setting stops with one line on stderr and status 1",
    () =>
      Effect.gen(function* () {
        const result = yield* taskdesk(["config", "check"], { TASKDESK_PORT: "abc" })
        assert.strictEqual(result.code, 1)
        assert.match(result.stderr.trim(), /^taskdesk: invalid configuration: TASKDESK_PORT \(server\.port\): .+$/)
        const good = yield* taskdesk(["config", "check"], { TASKDESK_PORT: "6001" })
        assert.strictEqual(good.code, 0)
        assert.include(good.stdout, "http://127.0.0.1:6001")
      }),
    // Two processes from the TypeScript sources: tens of seconds each on a loaded two-core machine.
    120_000
  )

  it.effect("every command has --help", () =>
    Effect.gen(function* () {
      // In process: spawning the CLI once per command would cost seconds each.
      const printed: Array<string> = []
      const spy = vi.spyOn(console, "log").mockImplementation((...args) => void printed.push(args.join(" ")))
      const commands = [
        [],
        ["serve"],
        ["migrate"],
        ["seed"],
        ["user", "create"],
        ["user", "reset-password"],
        ["config", "check"],
        ["jobs", "list"],
        ["jobs", "show"],
        ["jobs", "set"],
        ["jobs", "run"],
        ["restore"]
      ]
      try {
        for (const command of commands) {
          printed.length = 0
          yield* Cli.run(["node", "taskdesk", ...command, "--help"]).pipe(Effect.provide(NodeContext.layer))
          assert.include(printed.join("\n"), "USAGE", command.join(" "))
        }
      } finally {
        spy.mockRestore()
      }
    })
  )

  it.effect(
    "the README walkthrough: serve --demo prints logins once; a worker accepts work; a client files a repair; users are managed offline",
    () =>
      Effect.gen(function* () {
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-cli-"))
        const env = { TASKDESK_LOG_LEVEL: "error", TASKDESK_DATA_DIR: Path.join(dir, "data") }
        yield* Effect.scoped(
          Effect.gen(function* () {
            const server = yield* serve(["--demo", "--port", "0"], env, dir)
            assert.include(server.stdout, "Demo data created")
            const logins = loginsOf(server.stdout)
            assert.sameMembers(Object.keys(logins), ["admin", "manager", "worker1", "worker2", "client1", "client2"])
            assert.isTrue(Fs.existsSync(Path.join(dir, "data", "taskdesk.db")))
            const worker = yield* call(server.url, "/api/auth/login", {
              method: "POST",
              body: { username: "worker1", password: logins.worker1 }
            })
            assert.strictEqual(worker.status, 200)
            const token = worker.body.accessToken as string
            const tasks = yield* call(server.url, "/api/tasks", { token })
            assert.strictEqual(tasks.status, 200)
            assert.isAbove(tasks.body.items.length, 0)
            const pending = yield* call(server.url, "/api/me/assignments?status=pending", { token })
            assert.isAbove(pending.body.length, 0)
            const accepted = yield* call(server.url, `/api/assignments/${pending.body[0].assignment.id}/accept`, {
              method: "POST",
              token
            })
            assert.strictEqual(accepted.body.status, "accepted")
            const client = yield* call(server.url, "/api/auth/login", {
              method: "POST",
              body: { username: "client1", password: logins.client1 }
            })
            const filed = yield* call(server.url, "/api/repair-requests", {
              method: "POST",
              token: client.body.accessToken,
              body: { deviceType: "Oven", deviceModel: "Gorenje B", problemDescription: "Door does not close" }
            })
            assert.strictEqual(filed.status, 201)
            const repairs = yield* call(server.url, "/api/repair-requests?limit=50", {
              token: (yield* call(server.url, "/api/auth/login", {
                method: "POST",
                body: { username: "manager", password: logins.manager }
              })).body.accessToken
            })
            assert.sameMembers(
              [...new Set(repairs.body.items.map((r: { status: string }) => r.status))],
              ["new", "in_progress", "on_hold", "completed", "cancelled"]
            )
            // A fresh server has the four built-in jobs, each with its next run; a run of the
            // daily report leaves the report in the outbox.
            const admin = (yield* call(server.url, "/api/auth/login", {
              method: "POST",
              body: { username: "admin", password: logins.admin }
            })).body.accessToken as string
            const jobs = yield* call(server.url, "/api/scheduler/jobs", { token: admin })
            assert.deepStrictEqual(
              jobs.body.map((v: { job: { id: string; nextRunAt?: string } }) => [v.job.id, typeof v.job.nextRunAt]),
              [
                ["backup", "string"],
                ["cleanup", "string"],
                ["daily-report", "string"],
                ["deadline-reminders", "string"]
              ]
            )
            const report = yield* call(server.url, "/api/scheduler/jobs/daily-report/run?wait=true", {
              method: "POST",
              token: admin
            })
            assert.strictEqual(report.body.status, "succeeded")
            const outbox = yield* call(server.url, "/api/notifications?all=true&kind=daily_report", { token: admin })
            assert.strictEqual(outbox.body.length, 1)
            assert.strictEqual(outbox.body[0].data.jobRunId, report.body.id)
          })
        )
        const created = yield* taskdesk(
          ["user", "create", "--role", "manager", "--username", "boss", "--name", "The Boss"],
          env,
          dir
        )
        assert.strictEqual(created.code, 0, created.stderr)
        const password = /password: (\S+)/.exec(created.stdout)![1]!
        const reset = yield* taskdesk(["user", "reset-password", "--username", "boss"], env, dir)
        assert.strictEqual(reset.code, 0, reset.stderr)
        const newPassword = /new password: (\S+)/.exec(reset.stdout)![1]!
        yield* Effect.scoped(
          Effect.gen(function* () {
            const server = yield* serve(["--demo", "--port", "0"], env, dir)
            assert.notInclude(server.stdout, "Sign in with")
            const old = yield* call(server.url, "/api/auth/login", {
              method: "POST",
              body: { username: "boss", password }
            })
            assert.strictEqual(old.status, 401)
            const fresh = yield* call(server.url, "/api/auth/login", {
              method: "POST",
              body: { username: "boss", password: newPassword }
            })
            assert.strictEqual(fresh.status, 200)
            assert.strictEqual(fresh.body.user.role, "manager")
          })
        )
      }),
    180_000
  )
})
