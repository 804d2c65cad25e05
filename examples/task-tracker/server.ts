// The reference server (`@taskdesk/server`), started in process. Every import of the server's wiring (Server,
// Config) is in this one file.
import { HttpServer } from "@effect/platform"
import { Config, Server } from "@taskdesk/server"
import { Effect, Either } from "effect"

/** What the example's server needs besides its defaults. */
export interface ServerConfig {
  /** Where SQLite keeps its file. */
  readonly dataDir: string
  /** The bot token Telegram logins are signed with. */
  readonly botToken: string
  /** The Telegram Bot API the server's notifications go to (a fake: nothing leaves the machine). */
  readonly telegramApiUrl: string
  /** An OpenAI-compatible endpoint ending in `/v1` (the fake). */
  readonly llmBaseUrl: string
  /** Runs once storage is ready and before the port opens: the example records its people here. */
  readonly prepare: Effect.Effect<void, never, Server.CoreServices>
}

/** The server on SQLite in `dataDir`, on a free port of 127.0.0.1, with Telegram login and the LLM configured. */
export const layer = (config: ServerConfig) => {
  const settings = Either.getOrThrowWith(
    Config.load({
      env: {},
      file: false,
      overrides: {
        data_dir: config.dataDir,
        server: { host: "127.0.0.1", port: 0 },
        security: { telegram_bot_token: config.botToken },
        telegram: { api_url: config.telegramApiUrl },
        llm: { enabled: true, provider: "openai", base_url: config.llmBaseUrl, api_key: "sk-example" },
        logging: { level: "warning", requests: false }
      }
    }),
    (error) => new Error(error.message)
  )
  return Server.layer(settings, { prepare: config.prepare })
}

/** The base URL of the running server. */
export const baseUrl = Effect.map(HttpServer.HttpServer, (server) => {
  const address = server.address
  if (address._tag !== "TcpAddress") throw new Error("the server listens on no TCP port")
  return `http://127.0.0.1:${address.port}`
})
