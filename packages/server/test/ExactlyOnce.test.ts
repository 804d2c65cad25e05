import { type ChildProcess, spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { connectionTo, describeMysql, freshDatabase, mysqlUrl } from "@taskdesk/adapters/testing/mysql"
import { describePg, freshSchema, pgUrl } from "@taskdesk/adapters/testing/postgres"
import { Effect } from "effect"
import Pg from "pg"

// tsx's loader in the child itself: the `tsx` command would run the script in a grandchild that a
// SIGKILL of the child would not reach.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
const fixture = fileURLToPath(new URL("./fixtures/schedulerInstance.ts", import.meta.url))

/** Eight simulated hours a real second: a simulated day in three seconds. */
const factor = 8 * 3_600
const hour = 3_600_000

const pause = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

interface RunRow {
  readonly scheduled_at: number
  readonly instance_id: string
  readonly status: string
  readonly error: string | null
}

/** A scheduler instance in a child process, stopped (SIGKILL) when the scope ends if still alive. */
const instance = (url: string, schema: string, id: string, realStart: number, simStart: number) =>
  Effect.acquireRelease(
    Effect.async<ChildProcess>((resume) => {
      const child = spawn(
        process.execPath,
        ["--import", tsxLoader, fixture, url, schema, id, String(realStart), String(simStart), String(factor)],
        { stdio: ["ignore", "pipe", "pipe"] }
      )
      let output = ""
      child.stdout.on("data", (chunk) => {
        output += chunk
        if (output.includes("started")) resume(Effect.succeed(child))
      })
      child.stderr.on("data", (chunk) => (output += chunk))
      child.on("exit", (code, signal) => {
        if (!output.includes("started")) resume(Effect.die(new Error(`${id} exited (${code ?? signal}): ${output}`)))
      })
    }),
    (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

const exited = (child: ChildProcess) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
  })

/** A database for the scenario: its URL, the schema (PostgreSQL), and a query on it past the instances. */
interface Target {
  readonly url: string
  readonly schema: string
  readonly query: <A>(text: string) => Effect.Effect<ReadonlyArray<A>>
}

/**
 * Two instances over a simulated day; one is SIGKILLed mid-run. Every occurrence runs exactly once,
 * the killed one's run is recorded abandoned.
 */
const dayOfTicks = ({ query, schema, url }: Target) =>
  Effect.gen(function* () {
    yield* query("CREATE TABLE exec_log (scheduled_at bigint NOT NULL, instance_id text NOT NULL)")

    // Both share one simulated clock, from a quarter past midnight, 2 March 2026 (the first run
    // is the first whole hour after the slower of the two has started).
    const realStart = Date.now()
    const simStart = Date.UTC(2026, 2, 2, 0, 15)
    const [a, b] = yield* Effect.all(
      [
        instance(url, schema, "instance-a", realStart, simStart),
        instance(url, schema, "instance-b", realStart, simStart)
      ],
      { concurrency: 2 }
    )

    // Once A is in the middle of a run (and a few hours have passed), kill it without warning.
    let killedAt: number | undefined
    for (let i = 0; i < 2_000 && killedAt === undefined; i++) {
      // The count first: the kill should follow the read that saw the run as closely as it can.
      const done = yield* query<{ readonly n: number }>("SELECT count(*) AS n FROM job_runs")
      const running = yield* query<{ readonly scheduled_at: number }>(
        "SELECT scheduled_at FROM job_runs WHERE status = 'running' AND instance_id = 'instance-a'"
      )
      if (running.length > 0 && Number(done[0]!.n) >= 4) {
        a.kill("SIGKILL")
        killedAt = Number(running[0]!.scheduled_at)
      } else yield* pause(3)
    }
    assert.isDefined(killedAt, "instance A never ran")
    yield* exited(a)

    // B marks A's run abandoned once its timeout has passed, catches up, and goes on for hours.
    for (let i = 0; i < 1_000; i++) {
      const after = yield* query<{ readonly n: number }>(
        `SELECT count(*) AS n FROM job_runs WHERE status = 'succeeded' AND scheduled_at > ${killedAt! + 14 * hour}`
      )
      if (Number(after[0]!.n) >= 2) break
      yield* pause(10)
    }
    b.kill("SIGTERM")
    yield* exited(b)

    const runs = yield* query<RunRow>(
      "SELECT scheduled_at, instance_id, status, error FROM job_runs WHERE job_id = 'tick' ORDER BY scheduled_at"
    )
    const times = runs.map((r) => Number(r.scheduled_at))
    // Every hour from the first occurrence to the last, once: no gap, no repeat.
    assert.isAbove(times.length, 12)
    assert.strictEqual(times[0]! % hour, 0)
    assert.deepStrictEqual(
      times,
      times.map((_, i) => times[0]! + i * hour)
    )
    const killed = runs.find((r) => Number(r.scheduled_at) === killedAt)!
    assert.deepStrictEqual(
      [killed.instance_id, killed.status, killed.error],
      ["instance-a", "abandoned", "the instance running it stopped before it finished"]
    )
    // The last run may be B's own, cut by its orderly stop: interrupted (abandoned), or stopped between
    // its claim and its start (left running, for the next instance to mark abandoned). Every other
    // run succeeded.
    const last = runs.at(-1)!
    const others = runs.filter((r) => r !== killed && !(r === last && r.status !== "succeeded"))
    assert.deepStrictEqual(
      others.filter((r) => r.status !== "succeeded"),
      [],
      JSON.stringify(runs)
    )
    assert.isTrue(others.some((r) => r.instance_id === "instance-b" && Number(r.scheduled_at) > killedAt!))
    // Each succeeded run did its work exactly once, on the instance that claimed it.
    const log = yield* query<{ readonly scheduled_at: number; readonly instance_id: string }>(
      "SELECT scheduled_at, instance_id FROM exec_log ORDER BY scheduled_at"
    )
    for (const run of others) {
      assert.deepStrictEqual(
        log.filter((l) => Number(l.scheduled_at) === Number(run.scheduled_at)).map((l) => l.instance_id),
        [run.instance_id]
      )
    }
    assert.isAtMost(log.filter((l) => Number(l.scheduled_at) === killedAt).length, 1)
  })

describePg("PostgreSQL", () => {
  describe("two scheduler processes on one PostgreSQL", () => {
    it.live(
      "over a simulated day every occurrence runs exactly once, also when one instance is SIGKILLed mid-run; its run is recorded abandoned",
      () =>
        Effect.gen(function* () {
          const schema = yield* freshSchema("exactly_once")
          const db = new Pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` })
          yield* Effect.acquireRelease(
            Effect.promise(() => db.connect()),
            () => Effect.promise(() => db.end())
          )
          const query = <A>(text: string) =>
            Effect.promise(() => db.query(text)).pipe(Effect.map((r) => r.rows as ReadonlyArray<A>))
          yield* dayOfTicks({ url: pgUrl, schema, query })
        }).pipe(Effect.scoped),
      60_000
    )
  })
})

describeMysql("MySQL", () => {
  describe("two scheduler processes on one MySQL", () => {
    it.live(
      "over a simulated day every occurrence runs exactly once, also when one instance is SIGKILLed mid-run; its run is recorded abandoned",
      () =>
        Effect.gen(function* () {
          const database = yield* freshDatabase("exactly_once")
          const query = yield* connectionTo(database)
          yield* dayOfTicks({ url: mysqlUrl(database), schema: "", query })
        }).pipe(Effect.scoped),
      60_000
    )
  })
})
