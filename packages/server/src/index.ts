/**
 * @taskdesk/server: the executable taskdesk server. The `taskdesk` CLI, configuration (`taskdesk.yaml`,
 * `TASKDESK_*`, flags), storage chosen by URL, the demo seed, Argon2id, the notification channels, the
 * LLM provider, the built-in jobs, and the wiring of `@taskdesk/http`, `@taskdesk/bot`, the adapters and
 * the web pages.
 */

export * as Argon2 from "./Argon2.js"
export * as Cli from "./Cli.js"
export * as Config from "./Config.js"
export * as NotificationChannels from "./notifications/Channels.js"
export * as Seed from "./Seed.js"
export * as Server from "./Server.js"
export * as Storage from "./Storage.js"
export * as Jobs from "./scheduler/Jobs.js"
