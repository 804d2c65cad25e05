/**
 * @taskdesk/http: taskdesk's reference HTTP server. The API definition (`Api`) imports only the
 * core's models and `@effect/platform`, so clients get a typed `HttpApiClient` without the server.
 */

export * as Api from "./Api.js"
export * as Authentication from "./Authentication.js"
export * as Accounts from "./auth/Accounts.js"
export * as AuthApi from "./auth/Api.js"
export * as AuthStore from "./auth/AuthStore.js"
export * as PasswordHasher from "./auth/PasswordHasher.js"
export * as PasswordPolicy from "./auth/PasswordPolicy.js"
export * as SqlAuthStore from "./auth/SqlAuthStore.js"
export * as Telegram from "./auth/Telegram.js"
export * as Cli from "./Cli.js"
export * as Config from "./Config.js"
export * as Etag from "./Etag.js"
export * as HealthProbe from "./health/HealthProbe.js"
export * as Middleware from "./Middleware.js"
export * as NotificationChannels from "./notifications/Channels.js"
export * as Problem from "./Problem.js"
export * as RateLimiter from "./RateLimiter.js"
export * as Seed from "./Seed.js"
export * as Server from "./Server.js"
export * as Storage from "./Storage.js"
export * as Jobs from "./scheduler/Jobs.js"
export * as TelegramWebhook from "./telegram/Webhook.js"
