import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Effect, type Scope } from "effect"
import { BackupError } from "./BackupError.js"

/**
 * Which processes hold a SQLite database: each writes a marker file beside it
 * (`.<name>.<role>-<host>-<pid>`) for as long as it runs. SQLite itself cannot say whether another
 * process has the file open (an idle WAL connection holds no lock), and a restore under a running
 * server is lost or torn, so the server and `restore` leave these marks and read each other's.
 */
export type Role = "serve" | "restore"

/** A process that holds the database. */
export interface Holder {
  readonly role: Role
  readonly host: string
  readonly pid: number
  readonly file: string
}

const host = Os.hostname().replace(/[^A-Za-z0-9.-]/g, "_")

const prefixOf = (database: string) => `.${Path.basename(database)}.`

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * The live holders of `database` other than this process. Marks left by processes of this host
 * that are gone (killed) are deleted; those of another host (a shared disk) count as live.
 */
export const holders = (database: string): ReadonlyArray<Holder> => {
  const directory = Path.dirname(database)
  const prefix = prefixOf(database)
  let names: ReadonlyArray<string>
  try {
    names = Fs.readdirSync(directory)
  } catch {
    return []
  }
  const out: Array<Holder> = []
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const m = /^(serve|restore)-(.+)-(\d+)$/.exec(name.slice(prefix.length))
    if (m === null) continue
    const holder: Holder = { role: m[1] as Role, host: m[2]!, pid: Number(m[3]), file: Path.join(directory, name) }
    if (holder.host === host && holder.pid === process.pid) continue
    if (holder.host === host && !alive(holder.pid)) {
      Fs.rmSync(holder.file, { force: true })
      continue
    }
    out.push(holder)
  }
  return out
}

/** One line naming a holder, for messages. */
export const describe = (holder: Holder): string =>
  `${holder.role === "serve" ? "a server" : "a restore"} (pid ${holder.pid} on ${holder.host}; mark ${holder.file})`

/**
 * Marks `database` as held by this process in `role` for the scope's life. Fails when a holder of a
 * role in `refuse` is alive, naming it. The mark is taken before the check, so of two processes
 * starting at once at least one sees the other.
 */
export const hold = (
  database: string,
  role: Role,
  refuse: ReadonlyArray<Role>
): Effect.Effect<void, BackupError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        Fs.mkdirSync(Path.dirname(database), { recursive: true })
        const file = Path.join(Path.dirname(database), `${prefixOf(database)}${role}-${host}-${process.pid}`)
        Fs.writeFileSync(file, `${new Date().toISOString()}\n`)
        const blocking = holders(database).filter((h) => refuse.includes(h.role))
        if (blocking.length > 0) {
          Fs.rmSync(file, { force: true })
          throw new BackupError({ message: `${database} is in use by ${blocking.map(describe).join(", ")}` })
        }
        return file
      },
      catch: (error) =>
        error instanceof BackupError
          ? error
          : new BackupError({
              message: `cannot mark ${database} as in use: ${error instanceof Error ? error.message : String(error)}`
            })
    }),
    (file) => Effect.sync(() => Fs.rmSync(file, { force: true }))
  ).pipe(Effect.asVoid)
