import { createRequire } from "node:module"
import type BetterSqlite3 from "better-sqlite3"

/**
 * The better-sqlite3 build this runtime loads. Every user of better-sqlite3 (the driver, backups,
 * benchmarks) imports it from here, never from "better-sqlite3" itself.
 *
 * No one release covers every Node taskdesk supports: 12.x aborts the process on Node 24 under load
 * (`Assertion failed: (env) != nullptr` in `Statement::~Statement`, from Node 24.19 on), and 13.x
 * needs Node 22 (on Node 20 it crashes). Both are installed, 13.x under the npm alias
 * `better-sqlite3-13`; the API taskdesk uses is the same in both. 13.x is a Node-API addon shipped
 * with its binaries, so it loads on any Node from 22 on without being compiled for it.
 */
export const packageFor = (nodeVersion: string): "better-sqlite3" | "better-sqlite3-13" =>
  Number(nodeVersion.split(".")[0]) >= 22 ? "better-sqlite3-13" : "better-sqlite3"

/** The package this process loads, by `process.versions.node`. */
export const engine = packageFor(process.versions.node)

const require = createRequire(import.meta.url)

/** The installed version of `engine` (from its package.json), for logs and `config check`. */
export const version: string = (require(`${engine}/package.json`) as { readonly version: string }).version

/** better-sqlite3's `Database` class, from the package chosen for this runtime. */
const Database: typeof BetterSqlite3 = require(engine)

// The types both majors share, as `import Database from "better-sqlite3"` gives them.
declare namespace Database {
  export type Database = BetterSqlite3.Database
  export type Statement<BindParameters extends unknown[] | {} = unknown[], Result = unknown> = BetterSqlite3.Statement<
    BindParameters,
    Result
  >
  export type Options = BetterSqlite3.Options
  export type BackupMetadata = BetterSqlite3.BackupMetadata
}

export default Database
