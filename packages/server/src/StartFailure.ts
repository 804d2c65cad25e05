import { Cause, Either, Option } from "effect"
import * as Config from "./Config.js"

/** What went wrong at the bottom of an error chain: the first error that has no further cause. */
interface Root {
  readonly message: string
  readonly code: string | undefined
  readonly chain: ReadonlyArray<unknown>
}

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined

const rootOf = (error: unknown): Root => {
  const chain: Array<unknown> = []
  let current: unknown = error
  while (current !== undefined && current !== null && !chain.includes(current)) {
    chain.push(current)
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0]
    else if (typeof current === "object" && "cause" in current && current.cause !== undefined) current = current.cause
    else break
  }
  const last = chain[chain.length - 1]
  // The message nearest the root that says something (a wrapper's "Failed to execute statement" does not).
  const messages = chain
    .map((e) =>
      e instanceof Error || (typeof e === "object" && e !== null && "message" in e) ? String((e as Error).message) : ""
    )
    .filter((m) => m !== "" && !/^(Failed to|An error occurred)/.test(m))
  const code =
    typeof last === "object" && last !== null && "code" in last && typeof last.code === "string" ? last.code : undefined
  return { message: messages[messages.length - 1] ?? String(last), code, chain }
}

const database = (settings: Config.Settings | undefined): string => {
  if (settings === undefined) return "the database"
  const db = Config.database(settings)
  const where =
    settings.databaseUrl === undefined ? "data_dir (TASKDESK_DATA_DIR)" : "database_url (TASKDESK_DATABASE_URL)"
  return db._tag === "sqlite"
    ? `${where}: SQLite ${db.filename}`
    : db._tag === "postgres"
      ? `${where}: PostgreSQL`
      : db._tag === "mysql"
        ? `${where}: MySQL`
        : where
}

/**
 * One line saying why the server could not start, naming the setting at fault and the reason
 * (`EADDRINUSE`, `ECONNREFUSED`, `EACCES`, …): what `taskdesk` prints instead of a log line with a
 * stack. `settings` are those of the environment, when they load.
 */
export const describe = (cause: Cause.Cause<unknown>, settings?: Config.Settings): string => {
  const error = Option.getOrElse(
    Option.orElse(Cause.failureOption(cause), () => Option.fromNullable(Cause.defects(cause).pipe((d) => [...d][0]))),
    () => undefined
  )
  const root = rootOf(error)
  const reason = `${root.message}${root.code !== undefined && !root.message.includes(root.code) ? ` (${root.code})` : ""}`
  const tags = root.chain.map(tagOf)
  if (tags.includes("ServeError")) {
    const node = root.chain[root.chain.length - 1] as { address?: string; port?: number; hostname?: string }
    const host = node.hostname ?? node.address ?? settings?.server.host
    const port = node.port ?? settings?.server.port
    const setting =
      root.code === "EADDRINUSE" || root.code === "EACCES"
        ? `server.port (TASKDESK_PORT, --port) ${port} on ${host}`
        : `server.host (TASKDESK_HOST, --host) ${host}`
    return `${setting}: ${reason}`
  }
  if (tags.includes("BackupError")) return `${database(settings)}: ${root.message}`
  return `${database(settings)}: ${reason}`
}

/** The settings of the environment, if they load (they did, or the command failed before starting). */
export const settingsOfEnvironment = (): Config.Settings | undefined =>
  Either.getOrUndefined(Config.load({ env: process.env }))
