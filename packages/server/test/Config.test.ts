import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Either, Redacted } from "effect"
import * as Config from "../src/Config.js"

const yaml = (text: string) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "taskdesk-config-"))
  const file = Path.join(dir, "taskdesk.yaml")
  Fs.writeFileSync(file, text)
  return file
}

const load = (sources: Config.Sources) => Config.load(sources)
const ok = (sources: Config.Sources) => Either.getOrThrowWith(load(sources), (e) => new Error(e.message))
const error = (sources: Config.Sources) =>
  Either.match(load(sources), { onLeft: (e) => e.message, onRight: () => "no error" })

describe("configuration", () => {
  it("defaults follow the seeds: 127.0.0.1:5000, 1 h sessions, 7 d refresh, 100 requests a minute, SQLite in ./data", () => {
    const settings = ok({ env: {}, file: false })
    assert.strictEqual(settings.server.host, "127.0.0.1")
    assert.strictEqual(settings.server.port, 5000)
    assert.strictEqual(settings.security.sessionTimeoutHours, 1)
    assert.strictEqual(settings.security.refreshTokenDays, 7)
    assert.strictEqual(settings.security.rateLimiting.requestsPerMinute, 100)
    assert.strictEqual(settings.server.requestTimeoutSeconds, 30)
    assert.deepStrictEqual(Config.database(settings), { _tag: "sqlite", filename: Path.join("data", "taskdesk.db") })
  })

  it("the YAML file overrides defaults and the environment overrides the file", () => {
    const file = yaml(`server:
  port: 6000
  cors_origins:
    - https://kanban.example.com
security:
  rate_limiting:
    requests_per_minute: 10
logging:
  level: WARNING
`)
    const fromFile = ok({ env: {}, file })
    assert.strictEqual(fromFile.server.port, 6000)
    assert.deepStrictEqual(fromFile.server.corsOrigins, ["https://kanban.example.com"])
    assert.strictEqual(fromFile.security.rateLimiting.requestsPerMinute, 10)
    assert.strictEqual(fromFile.logging.level, "warning")
    const fromEnv = ok({
      env: {
        TASKDESK_CONFIG: file,
        TASKDESK_PORT: "7000",
        TASKDESK_CORS_ORIGINS: "https://a.example.com, http://193.233.171.205:3000",
        TASKDESK_DATA_DIR: "/var/lib/taskdesk",
        TASKDESK_ADMIN_PASSWORD: "s3cret-admin-password",
        TASKDESK_LOG_LEVEL: "debug"
      }
    })
    assert.strictEqual(fromEnv.server.port, 7000)
    assert.deepStrictEqual(fromEnv.server.corsOrigins, ["https://a.example.com", "http://193.233.171.205:3000"])
    assert.strictEqual(fromEnv.security.rateLimiting.requestsPerMinute, 10)
    assert.strictEqual(Redacted.value(fromEnv.adminPassword!), "s3cret-admin-password")
    assert.deepStrictEqual(Config.database(fromEnv), {
      _tag: "sqlite",
      filename: Path.join("/var/lib/taskdesk", "taskdesk.db")
    })
  })

  it("a variable set to nothing is refused, not read as the default; the shutdown grace time has a default", () => {
    assert.strictEqual(
      error({ env: { TASKDESK_PORT: "" }, file: false }),
      "invalid configuration: TASKDESK_PORT (server.port): is empty"
    )
    assert.strictEqual(
      error({ env: { TASKDESK_DATA_DIR: "  " }, file: false }),
      "invalid configuration: TASKDESK_DATA_DIR (data_dir): is empty"
    )
    assert.strictEqual(ok({ env: {}, file: false }).server.shutdownGraceSeconds, 10)
    assert.strictEqual(
      ok({ env: { TASKDESK_SHUTDOWN_GRACE_SECONDS: "2.5" }, file: false }).server.shutdownGraceSeconds,
      2.5
    )
  })

  it("TASKDESK_DATABASE_URL picks PostgreSQL, MySQL, a SQLite file or memory", () => {
    const pg = Config.database(ok({ env: { TASKDESK_DATABASE_URL: "postgres://u:p@db:5432/taskdesk" }, file: false }))
    assert.strictEqual(pg._tag, "postgres")
    for (const url of ["mysql://root@127.0.0.1:3306/taskdesk", "mariadb://u:p@db/taskdesk"]) {
      assert.strictEqual(Config.database(ok({ env: { TASKDESK_DATABASE_URL: url }, file: false }))._tag, "mysql")
    }
    assert.deepStrictEqual(Config.database(ok({ env: { TASKDESK_DATABASE_URL: "sqlite:/tmp/x.db" }, file: false })), {
      _tag: "sqlite",
      filename: "/tmp/x.db"
    })
    assert.deepStrictEqual(Config.database(ok({ env: { TASKDESK_DATABASE_URL: "memory" }, file: false })), {
      _tag: "memory"
    })
  })

  it("a bad value stops with one line naming the key and where it came from", () => {
    const fromEnv = error({ env: { TASKDESK_PORT: "abc" }, file: false })
    assert.match(fromEnv, /^invalid configuration: TASKDESK_PORT \(server\.port\): /)
    assert.notInclude(fromEnv, "\n")
    assert.match(error({ env: { TASKDESK_PORT: "70000" }, file: false }), /TASKDESK_PORT/)
    assert.match(error({ env: { TASKDESK_LOG_LEVEL: "loud" }, file: false }), /TASKDESK_LOG_LEVEL \(logging\.level\)/)
    assert.match(error({ env: { TASKDESK_DATABASE_URL: "mongodb://x" }, file: false }), /TASKDESK_DATABASE_URL/)
    assert.match(
      error({ env: { TASKDESK_CORS_ORIGINS: "kanban.example.com/path" }, file: false }),
      /TASKDESK_CORS_ORIGINS/
    )
    const file = yaml("server:\n  port: -1\n")
    assert.match(error({ env: {}, file }), /server\.port in taskdesk\.yaml/)
    assert.match(
      error({ env: {}, file: yaml("server:\n  prot: 5000\n") }),
      /server\.prot in taskdesk\.yaml: is not a known setting/
    )
    assert.match(error({ env: {}, file: yaml("server: [") }), /not valid YAML/)
    assert.match(error({ env: { TASKDESK_CONFIG: "/nonexistent/taskdesk.yaml" } }), /TASKDESK_CONFIG: no such file/)
  })

  it("scheduler, backup, notification and bot settings: defaults, the environment, and refusals", () => {
    const defaults = ok({ env: {}, file: false })
    assert.deepStrictEqual(defaults.scheduler, {
      enabled: true,
      timeZone: "Europe/Moscow",
      pollSeconds: 15,
      runHistoryDays: 30
    })
    assert.strictEqual(Config.backupDirectory(defaults), Path.join("data", "backups"))
    assert.deepStrictEqual(Config.channelNames(defaults), [])
    const configured = ok({
      env: {
        TASKDESK_TIME_ZONE: "Asia/Shanghai",
        TASKDESK_BACKUP_DIR: "/srv/backups",
        TASKDESK_TELEGRAM_BOT_TOKEN: "123:abc",
        TASKDESK_TELEGRAM_WEBHOOK_SECRET: "s3cret_hook",
        TASKDESK_SMTP_HOST: "smtp.example.org",
        TASKDESK_SMTP_PORT: "587",
        TASKDESK_SMTP_FROM: "taskdesk <noreply@example.org>",
        TASKDESK_SMTP_PASSWORD: "mail-hunter4",
        TASKDESK_SMTP_USER: "taskdesk",
        TASKDESK_WEBHOOK_URL: "https://host.example.org/hooks",
        TASKDESK_WEBHOOK_SECRET: "hook-hunter5"
      },
      file: false
    })
    assert.strictEqual(configured.scheduler.timeZone, "Asia/Shanghai")
    assert.strictEqual(Config.backupDirectory(configured), "/srv/backups")
    assert.strictEqual(configured.notifications.smtp?.port, 587)
    assert.deepStrictEqual(Config.channelNames(configured), ["telegram", "email", "webhook"])
    const text = Config.describe(configured)
    for (const secret of ["s3cret_hook", "mail-hunter4", "hook-hunter5", "123:abc"]) assert.notInclude(text, secret)
    assert.include(text, "webhook at /telegram/webhook")
    assert.strictEqual(
      error({ env: { TASKDESK_SMTP_HOST: "smtp.example.org" }, file: false }),
      "invalid configuration: notifications.smtp.port: is missing"
    )
    assert.match(error({ env: { TASKDESK_TIME_ZONE: "Mars/Olympus" }, file: false }), /TASKDESK_TIME_ZONE/)
    assert.match(error({ env: { TASKDESK_TIME_ZONE: "+03:00" }, file: false }), /TASKDESK_TIME_ZONE/)
    assert.match(error({ env: { TASKDESK_TELEGRAM_WEBHOOK_SECRET: "no spaces" }, file: false }), /webhook_secret/)
    assert.match(error({ env: {}, file: yaml("notifications:\n  smtp:\n    hots: x\n") }), /notifications\.smtp\.hots/)
  })

  it("the printed summary hides secrets", () => {
    const settings = ok({
      env: { TASKDESK_DATABASE_URL: "postgres://user:hunter2@db/taskdesk", TASKDESK_ADMIN_PASSWORD: "hunter3-long" },
      file: false
    })
    const text = Config.describe(settings)
    assert.notInclude(text, "hunter2")
    assert.notInclude(text, "hunter3")
    assert.include(text, "postgres")
  })
})
