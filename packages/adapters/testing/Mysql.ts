/**
 * MySQL or MariaDB for test suites: the local server (or `TASKDESK_TEST_MYSQL_URL`), a database per
 * run, and the rule that under `CI=true` an unreachable server fails the run instead of skipping it.
 */
import { describe, it } from "@effect/vitest"
import type { Storage } from "@taskdesk/core"
import { Effect, Layer } from "effect"
import Mysql from "mysql2/promise"
import * as SqlStorage from "../src/sql/SqlStorage.js"

/** The server the tests use: `TASKDESK_TEST_MYSQL_URL`, or the local MariaDB (root, no password). */
export const mysqlServerUrl = process.env.TASKDESK_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test"

/** The URL of `database` on the test server. */
export const mysqlUrl = (database: string): string => {
  const url = new URL(mysqlServerUrl)
  url.pathname = `/${database}`
  return url.toString()
}

const query = async (text: string) => {
  const connection = await Mysql.createConnection({ uri: mysqlServerUrl, connectTimeout: 3000 })
  try {
    await connection.query(text)
  } finally {
    await connection.end()
  }
}

/**
 * A connection to `database` kept open while the scope lasts, and a query on it: for tests that poll
 * (a connection per query would widen the gap between what they saw and what they do next).
 */
export const connectionTo = (database: string) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() => Mysql.createConnection({ uri: mysqlUrl(database), connectTimeout: 3000 })),
      (connection) => Effect.promise(() => connection.end())
    ),
    (connection) =>
      <A>(text: string): Effect.Effect<ReadonlyArray<A>> =>
        Effect.promise(() => connection.query(text)).pipe(
          Effect.map(([rows]) => (Array.isArray(rows) ? (rows as unknown as ReadonlyArray<A>) : []))
        )
  )

/** Runs `text` in `database` on its own connection, past any pool: the rows it answers. */
export const queryIn = async (database: string, text: string): Promise<ReadonlyArray<Record<string, unknown>>> => {
  const connection = await Mysql.createConnection({ uri: mysqlUrl(database), connectTimeout: 3000 })
  try {
    const [rows] = await connection.query(text)
    return Array.isArray(rows) ? (rows as ReadonlyArray<Record<string, unknown>>) : []
  } finally {
    await connection.end()
  }
}

/** Whether the server answers; checked once per test file. */
export const mysqlReachable: boolean = await query("SELECT 1").then(
  () => true,
  () => false
)

let required = false

/**
 * Under `CI=true` an unreachable server is a failure, not a skip: registers a failing test (once per file).
 * Returns whether the MySQL suites should run.
 */
export const requireMysql = (): boolean => {
  if (!mysqlReachable && process.env.CI === "true" && !required) {
    required = true
    it("MySQL is reachable (required under CI=true)", () => {
      throw new Error(`MySQL at ${mysqlServerUrl} is unreachable`)
    })
  }
  return mysqlReachable
}

/**
 * A suite that needs MySQL or MariaDB. When it is unreachable the suite's tests are collected and
 * reported as skipped, and under `CI=true` the run fails (`requireMysql`).
 */
export const describeMysql = (name: string, body: () => void): void => {
  describe.skipIf(!requireMysql())(name, body)
}

let databases = 0

/** A database created for this test run and dropped after it; its name. */
export const freshDatabase = (prefix: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const name = `taskdesk_test_${prefix}_${process.pid}_${Date.now().toString(36)}_${++databases}`
      await query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
      return name
    }),
    (name) => Effect.promise(() => query(`DROP DATABASE IF EXISTS ${name}`))
  )

/** MySQL storage in a fresh database, dropped when the layer is released. */
export const layerMysqlFresh = (
  prefix: string,
  options: Omit<SqlStorage.MysqlConfig, "url"> = {}
): Layer.Layer<Storage.Storage, SqlStorage.StartError> =>
  Layer.unwrapScoped(
    Effect.map(freshDatabase(prefix), (name) => SqlStorage.layerMysql({ url: mysqlUrl(name), ...options }))
  )
