import { JobSchedule } from "@taskdesk/core"
import { Context, Either, Layer, LogLevel, Option, ParseResult, Schema } from "effect"
import { isAddressOrCidr } from "./auth/ClientAddress.js"

/** A number given as a number (YAML) or as text (environment). */
const Numeric = Schema.Union(Schema.Number, Schema.NumberFromString)
const int = (min: number, max: number) => Numeric.pipe(Schema.compose(Schema.Int.pipe(Schema.between(min, max))))
const positive = (max: number) =>
  Numeric.pipe(Schema.compose(Schema.Number.pipe(Schema.positive(), Schema.lessThanOrEqualTo(max))))

/** The log levels by the names the settings accept. */
export const levels: Record<string, LogLevel.LogLevel> = {
  all: LogLevel.All,
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  critical: LogLevel.Fatal,
  fatal: LogLevel.Fatal,
  none: LogLevel.None,
  off: LogLevel.None
}

/** A log level by the names the seeds use (DEBUG, INFO, WARNING, ERROR, CRITICAL), any case. */
const Level = Schema.String.pipe(
  Schema.transformOrFail(Schema.String, {
    strict: true,
    decode: (s, _, ast) =>
      levels[s.trim().toLowerCase()] !== undefined
        ? ParseResult.succeed(s.trim().toLowerCase())
        : ParseResult.fail(new ParseResult.Type(ast, s, `one of ${Object.keys(levels).join(", ")}`)),
    encode: ParseResult.succeed
  })
)

const Origin = Schema.String.pipe(
  Schema.filter((s) => s === "*" || /^https?:\/\/[^/\s]+$/.test(s), {
    message: () => "an origin such as https://kanban.example.com (scheme, host and port, no path)"
  })
)

const AddressOrCidr = Schema.String.pipe(
  Schema.filter(isAddressOrCidr, { message: () => "an IP address or a CIDR block such as 10.0.0.0/8" })
)

const DatabaseUrl = Schema.String.pipe(
  Schema.filter(
    (s) => /^(postgres(ql)?:\/\/|(mysql|mariadb):\/\/|sqlite:|file:|memory:?$)/.test(s) || s.endsWith(".db"),
    {
      message: () => "postgres://…, mysql://…, sqlite:<file>, a path ending in .db, or memory"
    }
  )
)

/** A boolean given as a boolean (YAML) or as `true`/`false` (environment). */
const Flag = Schema.Union(
  Schema.Boolean,
  Schema.Literal("true", "false").pipe(Schema.compose(Schema.BooleanFromString))
)

const TimeZone = Schema.String.pipe(
  Schema.filter((s) => Option.isSome(JobSchedule.zoneNamed(s)), {
    message: () => "an IANA time zone such as Europe/Moscow"
  })
)

const HttpUrl = Schema.String.pipe(
  Schema.filter((s) => /^https?:\/\/[^\s/]+(\/\S*)?$/.test(s), { message: () => "an http(s) URL" })
)

/** A secret of the characters Telegram allows in `secret_token`. */
const WebhookSecret = Schema.Redacted(
  Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,256}$/, { message: () => "1–256 of A-Z a-z 0-9 _ -" }))
)

const Secret = Schema.Redacted(Schema.String.pipe(Schema.minLength(1)))

const key = <S extends Schema.Schema.All>(name: string, schema: S) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(name))
const optionalKey = <S extends Schema.Schema.Any>(name: string, schema: S) =>
  Schema.optional(schema).pipe(Schema.fromKey(name))

const strict = { parseOptions: { onExcessProperty: "error" } } as const

const ServerSection = Schema.Struct({
  host: Schema.String.pipe(Schema.minLength(1)),
  port: int(0, 65_535),
  corsOrigins: key("cors_origins", Schema.Array(Origin)),
  /** Proxies whose `X-Forwarded-For` names the client (addresses or CIDR blocks); none by default. */
  trustedProxies: key("trusted_proxies", Schema.Array(AddressOrCidr)),
  requestTimeoutSeconds: key("request_timeout", positive(3_600)),
  maxBodyKb: key("max_body_size_kb", int(1, 1_048_576)),
  /** On SIGTERM, how long requests in flight may still finish before their connections are cut. */
  shutdownGraceSeconds: key(
    "shutdown_grace_seconds",
    Numeric.pipe(Schema.compose(Schema.Number.pipe(Schema.between(0, 3_600))))
  ),
  /** Live events (`/api/events/stream`, `/api/ws`): how often an idle connection is pinged (and a dead one reaped). */
  liveHeartbeatSeconds: key("live_heartbeat_seconds", positive(3_600)),
  /** Live events a connection may have waiting for a slow client before it is closed (it resumes). */
  liveBufferEvents: key("live_buffer_events", int(1, 100_000))
}).annotations(strict)

const SecuritySection = Schema.Struct({
  sessionTimeoutHours: key("session_timeout_hours", positive(24 * 365)),
  refreshTokenDays: key("refresh_token_days", positive(3_650)),
  rateLimiting: key(
    "rate_limiting",
    Schema.Struct({
      /** Per signed-in user; 0 turns it off. */
      requestsPerMinute: key("requests_per_minute", int(0, 10_000_000)),
      /** Per client address on the sign-in endpoints; 0 turns it off. */
      loginAttemptsPerMinute: key("login_attempts_per_minute", int(0, 10_000_000)),
      /** Failed sign-ins per account from one client address; 0 turns it off. */
      loginFailuresPerMinute: key("login_failures_per_minute", int(0, 10_000_000)),
      /** Failed sign-ins per account from all addresses together; 0 turns it off. */
      accountFailuresPerMinute: key("account_failures_per_minute", int(0, 10_000_000))
    })
      .annotations(strict)
      .pipe(
        // Otherwise one address could use up an account's allowance and lock its owner out.
        Schema.filter(
          (r) =>
            r.accountFailuresPerMinute === 0 ||
            (r.loginFailuresPerMinute > 0 && r.accountFailuresPerMinute > r.loginFailuresPerMinute) || {
              path: ["account_failures_per_minute"],
              message: "must be above login_failures_per_minute (and that on), or 0"
            }
        )
      )
  ),
  telegramBotToken: optionalKey("telegram_bot_token", Schema.Redacted(Schema.String.pipe(Schema.minLength(1)))),
  telegramAuthMaxAgeSeconds: key("telegram_auth_max_age_seconds", int(1, 30 * 86_400))
}).annotations(strict)

const LoggingSection = Schema.Struct({
  level: Level,
  format: Schema.Literal("json", "pretty"),
  requests: Flag
}).annotations(strict)

const SchedulerSection = Schema.Struct({
  /** Whether this instance runs scheduled jobs (several instances on one PostgreSQL may all run it). */
  enabled: Flag,
  /** The zone of the built-in jobs when they are first defined. */
  timeZone: key("time_zone", TimeZone),
  /** How often the job store is read for changes made elsewhere (another instance, the CLI). */
  pollSeconds: key("poll_seconds", positive(3_600)),
  /** Finished runs older than this are deleted by the `cleanup` job. */
  runHistoryDays: key("run_history_days", int(0, 3_650))
}).annotations(strict)

const BackupSection = Schema.Struct({
  /** Where backups go; `<data_dir>/backups` when absent. */
  directory: optionalKey("directory", Schema.String.pipe(Schema.minLength(1))),
  keepDaily: key("keep_daily", int(0, 1_000)),
  keepWeekly: key("keep_weekly", int(0, 1_000)),
  keepMonthly: key("keep_monthly", int(0, 1_000))
}).annotations(strict)

const NotificationsSection = Schema.Struct({
  /** How often pending notifications are delivered. */
  dispatchIntervalSeconds: key("dispatch_interval_seconds", positive(3_600)),
  /** `all`: every channel that reaches the person; `first`: the first that does, falling back on failure. */
  mode: Schema.Literal("all", "first"),
  dingtalk: optionalKey(
    "dingtalk",
    Schema.Struct({
      appKey: key("app_key", Schema.String.pipe(Schema.minLength(1))),
      appSecret: key("app_secret", Secret),
      robotCode: key("robot_code", Schema.String.pipe(Schema.minLength(1))),
      apiUrl: optionalKey("api_url", HttpUrl)
    }).annotations(strict)
  ),
  dingtalkRobot: optionalKey("dingtalk_robot", Schema.Struct({ webhook: Secret, secret: Secret }).annotations(strict)),
  smtp: optionalKey(
    "smtp",
    Schema.Struct({
      host: Schema.String.pipe(Schema.minLength(1)),
      port: int(1, 65_535),
      from: Schema.String.pipe(Schema.minLength(3)),
      secure: Schema.optional(Flag),
      user: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
      password: Schema.optional(Secret)
    }).annotations(strict)
  ),
  webhook: optionalKey("webhook", Schema.Struct({ url: HttpUrl, secret: Secret }).annotations(strict))
}).annotations(strict)

const TelegramSection = Schema.Struct({
  /**
   * The bot's username (without @), for `https://t.me/<bot>?start=<code>` links; with
   * `security.telegram_bot_token`, the sign-in page also offers the Telegram Login Widget.
   */
  botUsername: optionalKey("bot_username", Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_]{3,64}$/))),
  /** Checked on every webhook call (`X-Telegram-Bot-Api-Secret-Token`); the webhook is off without it. */
  webhookSecret: optionalKey("webhook_secret", WebhookSecret),
  /** The Bot API's base URL (a local Bot API server, or a fake in tests). */
  apiUrl: optionalKey("api_url", HttpUrl),
  /** Point Telegram at `<public_url>/telegram/webhook` at start. */
  setWebhook: key("set_webhook", Flag),
  /** Long polling instead of the webhook (development; one instance only). */
  polling: Flag
}).annotations(strict)

/** Task analysis by a language model over an OpenAI-compatible API (off without a key). */
const LlmSection = Schema.Struct({
  /** Off even with a key when false. */
  enabled: Flag,
  /** Only OpenAI-compatible APIs (OpenAI, Ollama, vLLM, …): `base_url` picks which. */
  provider: optionalKey("provider", Schema.Literal("openai")),
  /** The API's base URL, ending in `/v1`; OpenAI's when absent. */
  baseUrl: optionalKey("base_url", HttpUrl),
  model: Schema.String.pipe(Schema.minLength(1)),
  /** `TASKDESK_LLM_API_KEY`, else this, else `OPENAI_API_KEY`. */
  apiKey: optionalKey("api_key", Secret),
  /** Analyses sent to the provider per person per UTC day. */
  dailyLimit: key("daily_limit", int(1, 1_000_000)),
  /** How long an answer for a version of a task is reused; 0: never. */
  cacheMinutes: key("cache_minutes", int(0, 525_600)),
  /** How long one attempt may take. */
  timeoutSeconds: key("timeout_seconds", positive(3_600)),
  /** Further attempts after a 429 or a 5xx answer, with exponential back-off from 1 s. */
  maxRetries: key("max_retries", int(0, 10)),
  maxTokens: optionalKey("max_tokens", int(1, 1_000_000))
}).annotations(strict)

/** CSV import and export limits. */
const CsvSection = Schema.Struct({
  /** The largest CSV file an import takes (`POST /api/import/…`, the CLI), in KiB; larger ones answer 413. */
  importMaxBodyKb: key("import_max_body_kb", int(1, 4_194_304)),
  /** The most data rows an import takes; more answer 413. */
  importMaxRows: key("import_max_rows", int(1, 100_000_000)),
  /** The most rows an export writes before it stops (the file then ends early); 0: no limit. */
  exportMaxRows: key("export_max_rows", int(0, 1_000_000_000))
}).annotations(strict)

/** Every setting of the server, after defaults, `taskdesk.yaml` and `TASKDESK_*` variables. */
export const Settings = Schema.Struct({
  server: ServerSection,
  security: SecuritySection,
  logging: LoggingSection,
  scheduler: SchedulerSection,
  backup: BackupSection,
  notifications: NotificationsSection,
  telegram: TelegramSection,
  llm: LlmSection,
  csv: CsvSection,
  /** Where people reach the server's web UI: links in notifications, the Telegram webhook. */
  publicUrl: optionalKey("public_url", HttpUrl),
  dataDir: key("data_dir", Schema.String.pipe(Schema.minLength(1))),
  databaseUrl: optionalKey("database_url", DatabaseUrl),
  adminPassword: optionalKey("admin_password", Schema.Redacted(Schema.String.pipe(Schema.minLength(1))))
}).annotations(strict)
export type Settings = typeof Settings.Type

/** The defaults, in the file's own words (the seeds' names and values). */
export const defaults = {
  server: {
    host: "127.0.0.1",
    port: 5000,
    cors_origins: [],
    trusted_proxies: [],
    request_timeout: 30,
    max_body_size_kb: 1024,
    shutdown_grace_seconds: 10,
    live_heartbeat_seconds: 15,
    live_buffer_events: 1024
  },
  security: {
    session_timeout_hours: 1,
    refresh_token_days: 7,
    rate_limiting: {
      requests_per_minute: 100,
      login_attempts_per_minute: 20,
      login_failures_per_minute: 5,
      account_failures_per_minute: 30
    },
    telegram_auth_max_age_seconds: 86_400
  },
  logging: { level: "info", format: "json", requests: true },
  scheduler: { enabled: true, time_zone: "Europe/Moscow", poll_seconds: 15, run_history_days: 30 },
  backup: { keep_daily: 7, keep_weekly: 4, keep_monthly: 12 },
  notifications: { dispatch_interval_seconds: 5, mode: "all" },
  telegram: { set_webhook: false, polling: false },
  llm: { enabled: true, model: "gpt-4o-mini", daily_limit: 50, cache_minutes: 60, timeout_seconds: 60, max_retries: 3 },
  csv: { import_max_body_kb: 10_240, import_max_rows: 100_000, export_max_rows: 0 },
  data_dir: "./data"
}

/** Each environment variable and the setting it overrides; lists are comma-separated. */
export const environment: ReadonlyArray<{
  readonly name: string
  readonly path: ReadonlyArray<string>
  readonly list?: true
}> = [
  { name: "TASKDESK_HOST", path: ["server", "host"] },
  { name: "TASKDESK_PORT", path: ["server", "port"] },
  { name: "TASKDESK_CORS_ORIGINS", path: ["server", "cors_origins"], list: true },
  { name: "TASKDESK_TRUSTED_PROXIES", path: ["server", "trusted_proxies"], list: true },
  { name: "TASKDESK_REQUEST_TIMEOUT", path: ["server", "request_timeout"] },
  { name: "TASKDESK_MAX_BODY_KB", path: ["server", "max_body_size_kb"] },
  { name: "TASKDESK_SHUTDOWN_GRACE_SECONDS", path: ["server", "shutdown_grace_seconds"] },
  { name: "TASKDESK_LIVE_HEARTBEAT_SECONDS", path: ["server", "live_heartbeat_seconds"] },
  { name: "TASKDESK_LIVE_BUFFER_EVENTS", path: ["server", "live_buffer_events"] },
  { name: "TASKDESK_SESSION_HOURS", path: ["security", "session_timeout_hours"] },
  { name: "TASKDESK_REFRESH_DAYS", path: ["security", "refresh_token_days"] },
  { name: "TASKDESK_RATE_LIMIT", path: ["security", "rate_limiting", "requests_per_minute"] },
  { name: "TASKDESK_LOGIN_RATE_LIMIT", path: ["security", "rate_limiting", "login_attempts_per_minute"] },
  { name: "TASKDESK_LOGIN_FAILURE_LIMIT", path: ["security", "rate_limiting", "login_failures_per_minute"] },
  { name: "TASKDESK_ACCOUNT_FAILURE_LIMIT", path: ["security", "rate_limiting", "account_failures_per_minute"] },
  { name: "TASKDESK_TELEGRAM_BOT_TOKEN", path: ["security", "telegram_bot_token"] },
  { name: "TASKDESK_LOG_LEVEL", path: ["logging", "level"] },
  { name: "TASKDESK_LOG_FORMAT", path: ["logging", "format"] },
  { name: "TASKDESK_LOG_REQUESTS", path: ["logging", "requests"] },
  { name: "TASKDESK_TELEGRAM_BOT_USERNAME", path: ["telegram", "bot_username"] },
  { name: "TASKDESK_TELEGRAM_WEBHOOK_SECRET", path: ["telegram", "webhook_secret"] },
  { name: "TASKDESK_TELEGRAM_API_URL", path: ["telegram", "api_url"] },
  { name: "TASKDESK_TELEGRAM_SET_WEBHOOK", path: ["telegram", "set_webhook"] },
  { name: "TASKDESK_TELEGRAM_POLLING", path: ["telegram", "polling"] },
  { name: "TASKDESK_PUBLIC_URL", path: ["public_url"] },
  { name: "TASKDESK_SCHEDULER_ENABLED", path: ["scheduler", "enabled"] },
  { name: "TASKDESK_TIME_ZONE", path: ["scheduler", "time_zone"] },
  { name: "TASKDESK_SCHEDULER_POLL_SECONDS", path: ["scheduler", "poll_seconds"] },
  { name: "TASKDESK_RUN_HISTORY_DAYS", path: ["scheduler", "run_history_days"] },
  { name: "TASKDESK_BACKUP_DIR", path: ["backup", "directory"] },
  { name: "TASKDESK_BACKUP_KEEP_DAILY", path: ["backup", "keep_daily"] },
  { name: "TASKDESK_BACKUP_KEEP_WEEKLY", path: ["backup", "keep_weekly"] },
  { name: "TASKDESK_BACKUP_KEEP_MONTHLY", path: ["backup", "keep_monthly"] },
  { name: "TASKDESK_NOTIFY_INTERVAL", path: ["notifications", "dispatch_interval_seconds"] },
  { name: "TASKDESK_NOTIFY_MODE", path: ["notifications", "mode"] },
  { name: "TASKDESK_DINGTALK_APP_KEY", path: ["notifications", "dingtalk", "app_key"] },
  { name: "TASKDESK_DINGTALK_APP_SECRET", path: ["notifications", "dingtalk", "app_secret"] },
  { name: "TASKDESK_DINGTALK_ROBOT_CODE", path: ["notifications", "dingtalk", "robot_code"] },
  { name: "TASKDESK_DINGTALK_API_URL", path: ["notifications", "dingtalk", "api_url"] },
  { name: "TASKDESK_DINGTALK_ROBOT_WEBHOOK", path: ["notifications", "dingtalk_robot", "webhook"] },
  { name: "TASKDESK_DINGTALK_ROBOT_SECRET", path: ["notifications", "dingtalk_robot", "secret"] },
  { name: "TASKDESK_SMTP_HOST", path: ["notifications", "smtp", "host"] },
  { name: "TASKDESK_SMTP_PORT", path: ["notifications", "smtp", "port"] },
  { name: "TASKDESK_SMTP_FROM", path: ["notifications", "smtp", "from"] },
  { name: "TASKDESK_SMTP_SECURE", path: ["notifications", "smtp", "secure"] },
  { name: "TASKDESK_SMTP_USER", path: ["notifications", "smtp", "user"] },
  { name: "TASKDESK_SMTP_PASSWORD", path: ["notifications", "smtp", "password"] },
  { name: "TASKDESK_WEBHOOK_URL", path: ["notifications", "webhook", "url"] },
  { name: "TASKDESK_WEBHOOK_SECRET", path: ["notifications", "webhook", "secret"] },
  { name: "TASKDESK_LLM_ENABLED", path: ["llm", "enabled"] },
  { name: "TASKDESK_LLM_BASE_URL", path: ["llm", "base_url"] },
  { name: "TASKDESK_LLM_MODEL", path: ["llm", "model"] },
  { name: "TASKDESK_LLM_API_KEY", path: ["llm", "api_key"] },
  { name: "TASKDESK_LLM_DAILY_LIMIT", path: ["llm", "daily_limit"] },
  { name: "TASKDESK_LLM_CACHE_MINUTES", path: ["llm", "cache_minutes"] },
  { name: "TASKDESK_LLM_TIMEOUT_SECONDS", path: ["llm", "timeout_seconds"] },
  { name: "TASKDESK_LLM_MAX_RETRIES", path: ["llm", "max_retries"] },
  { name: "TASKDESK_LLM_MAX_TOKENS", path: ["llm", "max_tokens"] },
  { name: "TASKDESK_IMPORT_MAX_BODY_KB", path: ["csv", "import_max_body_kb"] },
  { name: "TASKDESK_IMPORT_MAX_ROWS", path: ["csv", "import_max_rows"] },
  { name: "TASKDESK_EXPORT_MAX_ROWS", path: ["csv", "export_max_rows"] },
  { name: "TASKDESK_DATA_DIR", path: ["data_dir"] },
  { name: "TASKDESK_DATABASE_URL", path: ["database_url"] },
  { name: "TASKDESK_ADMIN_PASSWORD", path: ["admin_password"] }
]

/** A configuration that cannot be used; `message` is one line naming the key and what is wrong. */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", { message: Schema.String }) {}

/** Settings in the file's words: nested mappings. */
export type Tree = { [key: string]: unknown }

const isTree = (value: unknown): value is Tree => typeof value === "object" && value !== null && !Array.isArray(value)

const merge = (base: Tree, over: Tree, source: string, sources: Map<string, string>, prefix: string): Tree => {
  const out: Tree = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const path = prefix === "" ? k : `${prefix}.${k}`
    if (isTree(v) && isTree(out[k])) out[k] = merge(out[k] as Tree, v, source, sources, path)
    else {
      out[k] = v
      sources.set(path, source)
    }
  }
  return out
}

const setPath = (tree: Tree, path: ReadonlyArray<string>, value: unknown): Tree => {
  const [head, ...rest] = path
  if (head === undefined) return tree
  if (rest.length === 0) return { ...tree, [head]: value }
  const child = isTree(tree[head]) ? (tree[head] as Tree) : {}
  return { ...tree, [head]: setPath(child, rest, value) }
}

/** Where the settings come from: a file's parsed settings and the environment. */
export interface Sources {
  readonly env: Readonly<Record<string, string | undefined>>
  /** A settings file's parsed contents, and its name for messages (`taskdesk.yaml`). */
  readonly file?: { readonly name: string; readonly settings: unknown } | undefined
  /** Settings that win over everything (tests, CLI flags), in the file's words. */
  readonly overrides?: Tree | undefined
}

/**
 * The LLM key: seed 000 writes `api_key: ${OPENAI_API_KEY}` in its file, which names the variable;
 * and with no key configured at all, `OPENAI_API_KEY` is the fallback (as the `openai` client's own).
 */
const withLlmKey = (tree: Tree, env: Sources["env"], origin: Map<string, string>): Tree => {
  const llm = isTree(tree.llm) ? tree.llm : {}
  const configured = llm.api_key
  const named = typeof configured === "string" ? /^\$\{(\w+)\}$/.exec(configured.trim()) : null
  if (configured !== undefined && named === null) return tree
  const variable = named?.[1] ?? "OPENAI_API_KEY"
  const value = env[variable]
  const { api_key: _, ...rest } = llm
  if (value === undefined || value.trim() === "") return { ...tree, llm: rest }
  origin.set("llm.api_key", variable)
  return { ...tree, llm: { ...rest, api_key: value } }
}

/**
 * Validates the settings: defaults, then a file's settings (already parsed), then `TASKDESK_*`, then
 * overrides. Reads no file: the server's `Config.load` reads `taskdesk.yaml` and passes it here.
 */
export const resolve = (sources: Sources): Either.Either<Settings, ConfigError> => {
  const fail = (message: string) => Either.left(new ConfigError({ message }))
  const origin = new Map<string, string>()
  let tree: Tree = merge({}, defaults, "default", origin, "")
  if (sources.file !== undefined) {
    const parsed = sources.file.settings
    if (parsed !== null && parsed !== undefined) {
      if (!isTree(parsed)) return fail(`${sources.file.name}: the top level must be a mapping of settings`)
      tree = merge(tree, parsed, sources.file.name, origin, "")
    }
  }
  for (const variable of environment) {
    const raw = sources.env[variable.name]
    if (raw === undefined) continue
    // Set but empty is a mistake (a template left unfilled), not "the default": said, not guessed.
    if (raw.trim() === "") return fail(`invalid configuration: ${variable.name} (${variable.path.join(".")}): is empty`)
    const value = variable.list
      ? raw
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
      : raw
    tree = setPath(tree, variable.path, value)
    origin.set(variable.path.join("."), variable.name)
  }
  if (sources.overrides) tree = merge(tree, sources.overrides, "override", origin, "")
  tree = withLlmKey(tree, sources.env, origin)
  return Schema.decodeUnknownEither(Settings)(tree, { errors: "first", onExcessProperty: "error" }).pipe(
    Either.mapLeft((error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      const segments = (issue?.path ?? []).map(String)
      const path = segments.join(".")
      // A list element's value came from wherever the list did.
      let from: string | undefined
      for (let n = segments.length; n > 0 && from === undefined; n--) from = origin.get(segments.slice(0, n).join("."))
      const where =
        from === undefined || from === "default"
          ? path
          : from.startsWith("TASKDESK_")
            ? `${from} (${path})`
            : `${path} in ${from}`
      const message = issue?._tag === "Unexpected" ? "is not a known setting" : (issue?.message ?? "is invalid")
      return new ConfigError({ message: `invalid configuration: ${where || "(root)"}: ${message}` })
    })
  )
}

/** The bot of the Telegram Login Widget: its username, when both it and the bot token are configured. */
export const telegramBot = (settings: Settings): string | undefined =>
  settings.security.telegramBotToken === undefined ? undefined : settings.telegram.botUsername

/** The settings the server runs with. */
export class ServerSettings extends Context.Tag("@taskdesk/http/ServerSettings")<ServerSettings, Settings>() {
  static readonly layer = (settings: Settings): Layer.Layer<ServerSettings> => Layer.succeed(ServerSettings, settings)
}

/**
 * The defaults with the given overrides (in the file's words, e.g. `{ server: { request_timeout: 10 } }`),
 * no file, no environment: what a host that embeds the API passes. Throws on an invalid setting.
 */
export const make = (overrides: Tree = {}): Settings =>
  Either.getOrThrowWith(resolve({ env: {}, overrides }), (e) => new Error(e.message))

/** Settings for tests: defaults with the given overrides (in the file's words), no file, no environment. */
export const testSettings = make
