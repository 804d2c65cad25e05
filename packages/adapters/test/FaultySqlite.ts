import Database from "../src/sql/SqliteEngine.js"

/**
 * better-sqlite3 connections whose statements can be made to throw: the driver opens them through
 * `SqliteDriverConfig.open`, and a fault is thrown by the statement's `run`/`all`/`get`, where
 * better-sqlite3 raises SQLite's own errors (an `SqliteError` with the code given).
 */
export interface Faults {
  /** The next `times` (default 1) runs of a statement whose SQL equals `sql` (or matches it) throw. */
  readonly fail: (sql: string | RegExp, options?: { readonly times?: number; readonly code?: string }) => void
  /** What was injected and not yet thrown is dropped. */
  readonly clear: () => void
  /** How many faults were thrown so far. */
  readonly thrown: () => number
  readonly open: (filename: string, options: Database.Options) => Database.Database
}

interface Rule {
  readonly sql: string | RegExp
  readonly code: string
  remaining: number
}

export const make = (): Faults => {
  let rules: Array<Rule> = []
  let thrown = 0
  const check = (sql: string) => {
    const rule = rules.find(
      (r) => r.remaining > 0 && (typeof r.sql === "string" ? r.sql === sql.trim() : r.sql.test(sql))
    )
    if (rule === undefined) return
    rule.remaining--
    thrown++
    throw new Database.SqliteError(`injected fault on ${sql}`, rule.code)
  }
  const running = new Set<PropertyKey>(["run", "all", "get", "iterate"])
  const statement = (target: Database.Statement, sql: string): Database.Statement =>
    new Proxy(target, {
      get: (t, key) => {
        const value = Reflect.get(t, key, t)
        if (typeof value !== "function") return value
        if (!running.has(key)) return value.bind(t)
        return (...args: Array<unknown>) => {
          check(sql)
          return value.apply(t, args)
        }
      }
    })
  const connection = (target: Database.Database): Database.Database =>
    new Proxy(target, {
      get: (t, key) => {
        if (key === "prepare") return (sql: string) => statement(t.prepare(sql), sql)
        const value = Reflect.get(t, key, t)
        return typeof value === "function" ? value.bind(t) : value
      }
    })
  return {
    fail: (sql, options) => {
      rules.push({ sql, code: options?.code ?? "SQLITE_IOERR", remaining: options?.times ?? 1 })
    },
    clear: () => {
      rules = []
    },
    thrown: () => thrown,
    open: (filename, options) => connection(new Database(filename, options))
  }
}
