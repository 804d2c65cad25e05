/**
 * @taskdesk/http: taskdesk's HTTP API as layers a host mounts. The API definition (`Api`) imports only
 * the core's models and `@effect/platform`, so clients get a typed `HttpApiClient` without the server;
 * `App` mounts the handlers in a host's Effect router or behind a Node handler. The executable server
 * (CLI, configuration file, storage by URL, the bot) is `@taskdesk/server`.
 */

export * as Api from "./Api.js"
export * as App from "./App.js"
export * as Authentication from "./Authentication.js"
export * as Accounts from "./auth/Accounts.js"
export * as AuthApi from "./auth/Api.js"
export * as AuthStore from "./auth/AuthStore.js"
export * as PasswordHasher from "./auth/PasswordHasher.js"
export * as PasswordPolicy from "./auth/PasswordPolicy.js"
export * as SqlAuthStore from "./auth/SqlAuthStore.js"
export * as Telegram from "./auth/Telegram.js"
export * as Config from "./Config.js"
export * as Etag from "./Etag.js"
export * as HealthProbe from "./health/HealthProbe.js"
export * as Readiness from "./health/Readiness.js"
export * as Middleware from "./Middleware.js"
export * as Problem from "./Problem.js"
export * as RateLimiter from "./RateLimiter.js"
export * as NodeServe from "./serve/NodeServe.js"
export * as TimeSlicedScheduler from "./serve/TimeSlicedScheduler.js"
export * as WebUi from "./WebUi.js"
