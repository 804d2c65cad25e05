import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import Database from "@taskdesk/adapters/sqlite-engine"
import * as Taskdesk from "./fixtures/taskdeskProcess.js"

const count = (file: string, table: string): number => {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get())
  } finally {
    db.close()
  }
}

const hasTable = (file: string, table: string): boolean => {
  if (!Fs.existsSync(file)) return false
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      return db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(table) !== undefined
    } finally {
      db.close()
    }
  } catch {
    return false
  }
}

describe("taskdesk serve as a process", () => {
  it("a first `serve --demo` stopped while seeding leaves nothing half-made: the next start seeds it all", {
    timeout: 120_000
  }, async () => {
    const dir = Taskdesk.tempDir("seed")
    const env = { TASKDESK_DATA_DIR: Path.join(dir, "data"), TASKDESK_LOG_LEVEL: "error" }
    const file = Path.join(dir, "data", "taskdesk.db")
    const first = Taskdesk.start(["serve", "--demo", "--port", "0"], env)
    // The server's own tables are the last migration: seeding starts right after.
    while (!hasTable(file, "http_passwords") && first.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    // Seeding (password hashes, some forty changes) takes a while: stop it in the middle.
    await new Promise((resolve) => setTimeout(resolve, 250))
    await Taskdesk.stop(first)
    const users = count(file, "users")
    // Either nothing was committed, or all of it (the kill came late).
    assert.include([0, 6], users, `users after the stop: ${users}`)

    const second = await Taskdesk.serve(["--demo"], env)
    try {
      const printed = first.stdout() + second.process.stdout()
      assert.match(printed, /Demo data created\. Sign in with/)
      assert.strictEqual(count(file, "users"), 6)
      assert.isAbove(count(file, "tasks"), 0)
      assert.isAbove(count(file, "repair_requests"), 0)
    } finally {
      await Taskdesk.stop(second.process)
    }
  })
})

/** A raw keep-alive connection: what the server wrote so far, and whether it closed the connection. */
const connect = (url: string) =>
  new Promise<{ socket: Net.Socket; received: () => string; closed: Promise<void> }>((resolve, reject) => {
    const { hostname, port } = new URL(url)
    const socket = Net.connect(Number(port), hostname, () => resolve({ socket, received: () => data, closed }))
    let data = ""
    socket.on("data", (chunk) => {
      data += chunk.toString()
    })
    socket.on("error", reject)
    const closed = new Promise<void>((done) => socket.on("close", () => done()))
  })

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe("taskdesk serve stopping with SIGTERM", () => {
  const body = JSON.stringify({ username: "nobody", password: "not the password" })
  const slowLogin = `POST /api/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`

  it("answers the request in flight with Connection: close, answers no more on the socket, and exits", {
    timeout: 90_000
  }, async () => {
    const dir = Taskdesk.tempDir("stop")
    const server = await Taskdesk.serve([], {
      TASKDESK_DATA_DIR: Path.join(dir, "data"),
      TASKDESK_LOG_LEVEL: "error",
      TASKDESK_SHUTDOWN_GRACE_SECONDS: "30"
    })
    const connection = await connect(server.url)
    connection.socket.write("GET /api/health HTTP/1.1\r\nHost: test\r\n\r\n")
    await until(() => /\r\n\r\n\{.*\}$/s.test(connection.received()))
    assert.match(connection.received(), /^HTTP\/1\.1 200 /)
    assert.notMatch(connection.received(), /connection: close/i)
    // A request whose body is still coming is in flight when the signal arrives.
    const before = connection.received().length
    connection.socket.write(slowLogin + body.slice(0, 10))
    await new Promise((resolve) => setTimeout(resolve, 500))
    server.process.child.kill("SIGTERM")
    await new Promise((resolve) => setTimeout(resolve, 500))
    connection.socket.write(`${body.slice(10)}GET /api/health HTTP/1.1\r\nHost: test\r\n\r\n`)
    await connection.closed
    const answer = connection.received().slice(before)
    assert.match(answer, /^HTTP\/1\.1 401 /)
    assert.match(answer, /\r\nconnection: close\r\n/i)
    // The second request on the socket is not answered: the connection ended with the first.
    assert.strictEqual(answer.match(/HTTP\/1\.1 /g)?.length, 1)
    // Ended by itself (0, or re-raising the signal as Node programs do), not killed after the wait.
    assert.include([0, "SIGTERM"], await Taskdesk.stop(server.process, "SIGTERM", 20_000))
  })

  it("cuts a request still running after the grace time, says so, and exits", { timeout: 90_000 }, async () => {
    const dir = Taskdesk.tempDir("stop")
    const server = await Taskdesk.serve([], {
      TASKDESK_DATA_DIR: Path.join(dir, "data"),
      TASKDESK_LOG_LEVEL: "warning",
      TASKDESK_SHUTDOWN_GRACE_SECONDS: "1"
    })
    const connection = await connect(server.url)
    connection.socket.write(slowLogin + body.slice(0, 10))
    await new Promise((resolve) => setTimeout(resolve, 500))
    const code = await Taskdesk.stop(server.process, "SIGTERM", 20_000)
    await connection.closed
    assert.include([0, "SIGTERM"], code)
    assert.match(
      server.process.stdout(),
      /shutdown: cut 1 request\(s\) still running after 1 s: POST \/api\/auth\/login/
    )
  })
})

describe("taskdesk failing to start", () => {
  it("says why in one line on stderr naming the setting, and exits 1", { timeout: 400_000 }, async () => {
    const dir = Taskdesk.tempDir("fail")
    const notADatabase = Path.join(dir, "notes.db")
    Fs.writeFileSync(notADatabase, "these are notes, long enough to fill a header page of something else entirely")
    const taken = Net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    const port = String((taken.address() as Net.AddressInfo).port)
    const data = Path.join(dir, "data")
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, Record<string, string>, RegExp]> = [
      [
        ["serve"],
        { TASKDESK_DATA_DIR: data, TASKDESK_PORT: port },
        new RegExp(`^taskdesk: server\\.port \\(TASKDESK_PORT, --port\\) ${port} on 127\\.0\\.0\\.1: .*EADDRINUSE`)
      ],
      [
        ["serve", "--port", "0"],
        { TASKDESK_DATA_DIR: data, TASKDESK_HOST: "no-such-host.invalid" },
        /^taskdesk: server\.host \(TASKDESK_HOST, --host\) no-such-host\.invalid: .*ENOTFOUND/
      ],
      [
        ["serve", "--port", "0"],
        { TASKDESK_DATABASE_URL: "postgres://postgres@127.0.0.1:1/test" },
        /^taskdesk: database_url \(TASKDESK_DATABASE_URL\): PostgreSQL: .*ECONNREFUSED/
      ],
      [
        ["serve", "--port", "0"],
        { TASKDESK_DATABASE_URL: notADatabase },
        /^taskdesk: database_url \(TASKDESK_DATABASE_URL\): SQLite .*notes\.db: file is not a database \(SQLITE_NOTADB\)$/
      ],
      [
        ["serve", "--port", "0"],
        { TASKDESK_DATA_DIR: Path.join(notADatabase, "data") },
        /^taskdesk: data_dir \(TASKDESK_DATA_DIR\): SQLite .*: .*ENOTDIR/
      ],
      [
        ["serve", "--port", "0"],
        { TASKDESK_DATA_DIR: data, TASKDESK_PORT: "" },
        /^taskdesk: invalid configuration: TASKDESK_PORT \(server\.port\): is empty$/
      ],
      [
        ["restore", Path.join(dir, "missing.sqlite")],
        { TASKDESK_DATA_DIR: data },
        /^Path '.*missing\.sqlite' must exist$/
      ]
    ]
    try {
      const results = await Promise.all(cases.map(([args, env]) => Taskdesk.run(args, env)))
      results.forEach((result, i) => {
        const [args, env, expected] = cases[i]!
        const what = `${args.join(" ")} ${JSON.stringify(env)}: ${result.stderr}`
        assert.strictEqual(result.code, 1, what)
        assert.strictEqual(result.stderr.trim().split("\n").length, 1, what)
        assert.match(result.stderr.trim(), expected, what)
        // No error log line with an empty message and a stack, as before (informational lines may precede).
        assert.notMatch(result.stdout + result.stderr, /"logLevel":"(ERROR|FATAL)"|"message":\[\]/, what)
        assert.notMatch(result.stdout + result.stderr, /\n\s+at /, what)
      })
    } finally {
      taken.close()
    }
  })
})

describe("taskdesk --help", () => {
  it("prints no colour codes into a pipe, nor with NO_COLOR", { timeout: 120_000 }, async () => {
    const [piped, noColor] = await Promise.all([
      Taskdesk.run(["--help"]),
      Taskdesk.run(["serve", "--help"], { NO_COLOR: "1" })
    ])
    for (const result of [piped, noColor]) {
      assert.strictEqual(result.code, 0, result.stderr)
      assert.include(result.stdout, "USAGE")
      assert.notInclude(result.stdout, "\u001b[")
    }
  })
})

describe("pnpm start", () => {
  it("runs the compiled server under plain node (no tsx to relay signals), which stops on SIGTERM", {
    timeout: 300_000
  }, async () => {
    const root = Path.join(import.meta.dirname, "..", "..", "..")
    const scripts = JSON.parse(Fs.readFileSync(Path.join(root, "package.json"), "utf8")).scripts
    assert.notInclude(scripts.start, "tsx")
    const dir = Taskdesk.tempDir("compiled")
    const server = await Taskdesk.serve([], { TASKDESK_DATA_DIR: Path.join(dir, "data") }, Taskdesk.compiledEntry)
    // It built the bundle when missing or stale, and serves from it.
    const bundle = Path.join(root, "packages", "server", "dist", "taskdesk.mjs")
    assert.isAtLeast(
      Fs.statSync(bundle).mtimeMs,
      Fs.statSync(Path.join(root, "packages", "server", "src", "main.ts")).mtimeMs
    )
    assert.strictEqual((await fetch(`${server.url}/api/ready`)).status, 200)
    assert.include([0, "SIGTERM"], await Taskdesk.stop(server.process, "SIGTERM", 30_000))
  })
})
