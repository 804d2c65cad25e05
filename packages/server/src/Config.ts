import * as Fs from "node:fs"
import * as Path from "node:path"
import { Config as Settings_ } from "@taskdesk/http"
import { Either, LogLevel, Redacted } from "effect"
import * as Yaml from "yaml"

// The settings' schema, defaults, `ServerSettings` and `testSettings` are the HTTP package's (its
// handlers read them); this module adds what the executable does with them: the file, the storage.
export * from "@taskdesk/http/Config"

type Settings = Settings_.Settings
const { ConfigError, levels } = Settings_

/** Where the settings come from: an optional YAML file and the environment. */
export interface Sources {
  readonly env: Readonly<Record<string, string | undefined>>
  /**
   * The YAML file; `TASKDESK_CONFIG` or `./taskdesk.yaml` when absent, none when `false`. A missing
   * file is fine unless it was named explicitly.
   */
  readonly file?: string | false | undefined
  /** Settings that win over everything (tests, CLI flags), in the file's words. */
  readonly overrides?: Settings_.Tree | undefined
}

/** Reads and validates the settings: defaults, then the YAML file, then `TASKDESK_*`, then overrides. */
export const load = (sources: Sources): Either.Either<Settings, Settings_.ConfigError> => {
  const fail = (message: string) => Either.left(new ConfigError({ message }))
  const explicit = sources.file === false ? undefined : (sources.file ?? sources.env.TASKDESK_CONFIG)
  const file = explicit ?? "taskdesk.yaml"
  let parsed: { readonly name: string; readonly settings: unknown } | undefined
  if (sources.file === false) {
    // no file
  } else if (Fs.existsSync(file)) {
    try {
      parsed = { name: Path.basename(file), settings: Yaml.parse(Fs.readFileSync(file, "utf8")) }
    } catch (error) {
      return fail(`${file}: not valid YAML (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`)
    }
  } else if (explicit !== undefined) {
    return fail(`TASKDESK_CONFIG: no such file ${explicit}`)
  }
  return Settings_.resolve({ env: sources.env, file: parsed, overrides: sources.overrides })
}

/** The storage a database URL names. */
export type Database =
  | { readonly _tag: "memory" }
  | { readonly _tag: "sqlite"; readonly filename: string }
  | { readonly _tag: "postgres"; readonly url: Redacted.Redacted }
  | { readonly _tag: "mysql"; readonly url: Redacted.Redacted }

/** The storage of the settings: the database URL, or SQLite at `<data_dir>/taskdesk.db`. */
export const database = (settings: Settings): Database => {
  const url = settings.databaseUrl
  if (url === undefined) return { _tag: "sqlite", filename: Path.join(settings.dataDir, "taskdesk.db") }
  if (/^postgres(ql)?:\/\//.test(url)) return { _tag: "postgres", url: Redacted.make(url) }
  if (/^(mysql|mariadb):\/\//.test(url)) return { _tag: "mysql", url: Redacted.make(url) }
  if (url === "memory" || url === "memory:") return { _tag: "memory" }
  return { _tag: "sqlite", filename: url.replace(/^(sqlite|file):(\/\/)?/, "") }
}

/** Where backups go: `backup.directory`, or `<data_dir>/backups`. */
export const backupDirectory = (settings: Settings): string =>
  settings.backup.directory ?? Path.join(settings.dataDir, "backups")

/** The notification channels the settings turn on, by name. */
export const channelNames = (settings: Settings): ReadonlyArray<string> => {
  const n = settings.notifications
  return [
    ...(settings.security.telegramBotToken !== undefined ? ["telegram"] : []),
    ...(n.dingtalk !== undefined ? ["dingtalk"] : []),
    ...(n.dingtalkRobot !== undefined ? ["dingtalk robot"] : []),
    ...(n.smtp !== undefined ? ["email"] : []),
    ...(n.webhook !== undefined ? ["webhook"] : [])
  ]
}

/** The Effect log level of the settings. */
export const logLevel = (settings: Settings): LogLevel.LogLevel => levels[settings.logging.level] ?? LogLevel.Info

/** Whether task analysis is on: enabled and a key configured. */
export const llmEnabled = (settings: Settings): boolean => settings.llm.enabled && settings.llm.apiKey !== undefined

const llmDescription = (settings: Settings): string => {
  const llm = settings.llm
  if (!llmEnabled(settings)) return llm.enabled ? "off (no API key)" : "off"
  return `${llm.model} at ${llm.baseUrl ?? "api.openai.com"}, key set, ${llm.dailyLimit}/day per person, cached ${llm.cacheMinutes} min, timeout ${llm.timeoutSeconds} s`
}

/** Human-readable settings, secrets hidden: what `taskdesk config check` prints. */
export const describe = (settings: Settings): string => {
  const db = database(settings)
  return [
    `server        http://${settings.server.host}:${settings.server.port}`,
    `storage       ${db._tag === "sqlite" ? `sqlite ${db.filename}` : db._tag === "postgres" || db._tag === "mysql" ? `${db._tag} (url hidden)` : "memory"}`,
    `cors origins  ${settings.server.corsOrigins.join(", ") || "(none)"}`,
    `proxies       ${settings.server.trustedProxies.length === 0 ? "none trusted: clients are the peers" : `X-Forwarded-For read from ${settings.server.trustedProxies.join(", ")}`}`,
    `sessions      access ${settings.security.sessionTimeoutHours} h, refresh ${settings.security.refreshTokenDays} d`,
    `rate limits   ${settings.security.rateLimiting.requestsPerMinute}/min per user, ${settings.security.rateLimiting.loginAttemptsPerMinute}/min sign-ins per address, failed sign-ins ${settings.security.rateLimiting.loginFailuresPerMinute}/min per account and address, ${settings.security.rateLimiting.accountFailuresPerMinute}/min per account`,
    `telegram      ${
      settings.security.telegramBotToken === undefined
        ? "off"
        : `bot token set${settings.telegram.webhookSecret === undefined ? "" : ", webhook at /telegram/webhook"}${settings.telegram.polling ? ", long polling" : ""}`
    }`,
    `scheduler     ${settings.scheduler.enabled ? "on" : "off"}, built-in jobs in ${settings.scheduler.timeZone}, run history ${settings.scheduler.runHistoryDays} d`,
    `backups       ${backupDirectory(settings)}, keep ${settings.backup.keepDaily} daily, ${settings.backup.keepWeekly} weekly, ${settings.backup.keepMonthly} monthly`,
    `notifications ${channelNames(settings).join(", ") || "log only"}${settings.publicUrl === undefined ? "" : `, links to ${settings.publicUrl}`}`,
    `llm analysis  ${llmDescription(settings)}`,
    `csv           imports up to ${settings.csv.importMaxBodyKb} KiB and ${settings.csv.importMaxRows} rows, exports ${settings.csv.exportMaxRows === 0 ? "unlimited" : `up to ${settings.csv.exportMaxRows} rows`}`,
    `logging       ${settings.logging.level} as ${settings.logging.format}${settings.logging.requests ? ", every request" : ""}`,
    `admin pass    ${settings.adminPassword === undefined ? "random, printed at first start" : "from configuration"}`
  ].join("\n")
}
