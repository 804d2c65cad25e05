/**
 * PostgreSQL for test suites: the local server (or `TASKDESK_TEST_PG_URL`), a schema per run, and the
 * rule that under `CI=true` an unreachable database fails the run instead of skipping it.
 */
import { describe, it } from "@effect/vitest"
import type { Storage } from "@taskdesk/core"
import { Effect, Layer } from "effect"
import Pg from "pg"
import * as SqlStorage from "../src/sql/SqlStorage.js"

/** The PostgreSQL the tests use: `TASKDESK_TEST_PG_URL`, or the local one with trust auth. */
export const pgUrl = process.env.TASKDESK_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const query = async (text: string) => {
  const client = new Pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** Whether PostgreSQL answers; checked once per test file. */
export const pgReachable: boolean = await query("SELECT 1").then(
  () => true,
  () => false
)

let required = false

/**
 * Under `CI=true` an unreachable PostgreSQL is a failure, not a skip: registers a failing test (once per file).
 * Returns whether the PostgreSQL suites should run.
 */
export const requirePg = (): boolean => {
  if (!pgReachable && process.env.CI === "true" && !required) {
    required = true
    it("PostgreSQL is reachable (required under CI=true)", () => {
      throw new Error(`PostgreSQL at ${pgUrl} is unreachable`)
    })
  }
  return pgReachable
}

/**
 * A suite that needs PostgreSQL. When it is unreachable the suite's tests are collected and reported as
 * skipped (not left out of the summary), and under `CI=true` the run fails (`requirePg`).
 */
export const describePg = (name: string, body: () => void): void => {
  describe.skipIf(!requirePg())(name, body)
}

let schemas = 0

/** A schema created for this test run and dropped after it. */
export const freshSchema = (prefix: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const schema = `${prefix}_${process.pid}_${Date.now().toString(36)}_${++schemas}`
      await query(`CREATE SCHEMA ${schema}`)
      return schema
    }),
    (schema) => Effect.promise(() => query(`DROP SCHEMA ${schema} CASCADE`))
  )

/** PostgreSQL storage in a fresh schema, dropped when the layer is released. */
export const layerPgFresh = (
  prefix: string,
  options: Omit<SqlStorage.PgConfig, "url" | "schema"> = {}
): Layer.Layer<Storage.Storage, SqlStorage.StartError> =>
  Layer.unwrapScoped(
    Effect.map(freshSchema(prefix), (schema) => SqlStorage.layerPg({ url: pgUrl, schema, ...options }))
  )
