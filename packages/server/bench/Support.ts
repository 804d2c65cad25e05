/**
 * What the HTTP benchmarks share: servers pinned to core 0 and the load generator to core 1 (when
 * `taskset` exists and there are two cores), starting and stopping a server process, the reference
 * server's settings for a run, JSON posts, and reading a process's CPU time.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"

/** Whether servers and load can have a core each; this process (the load) then moves to core 1. */
export const canPin: boolean = (() => {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" })
    if (Os.availableParallelism() < 2) return false
    execFileSync("taskset", ["-pc", "1", String(process.pid)], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

/** Starts `node --import tsx <args>` (on core 0 when pinning) and waits for its "listening on <url>" line. */
export const startServer = (
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string | undefined; readonly env?: Record<string, string | undefined> | undefined } = {}
): Promise<{ readonly child: ChildProcess; readonly url: string }> =>
  new Promise((resolve, reject) => {
    const argv = [process.execPath, "--import", "tsx", ...args]
    const [command, rest] = canPin ? ["taskset", ["-c", "0", ...argv]] : [argv[0]!, argv.slice(1)]
    const child = spawn(command, rest, { cwd: options.cwd, env: { ...process.env, ...options.env } })
    let output = ""
    const onData = (data: Buffer) => {
      output += data
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)
      if (match) resolve({ child, url: match[1]! })
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.on("exit", (code) => reject(new Error(`server exited with ${code}: ${output}`)))
  })

/** Stops a server started by `startServer` and waits for it to exit. */
export const stopServer = (child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> =>
  new Promise((resolve) => {
    child.removeAllListeners("exit")
    child.on("exit", () => resolve())
    child.kill(signal)
  })

/**
 * A process's CPU seconds so far (user and system), from `/proc/<pid>/stat`; undefined off Linux.
 * Unlike requests per second, CPU time per request barely moves when a neighbour on a shared
 * machine takes the core for a while.
 */
export const cpuSeconds = (pid: number | undefined): number | undefined => {
  try {
    const fields = Fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    // utime and stime, in clock ticks of 1/100 s (USER_HZ on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

/** CPU microseconds a request between two `cpuSeconds` readings. */
export const cpuPerRequest = (
  before: number | undefined,
  after: number | undefined,
  requests: number
): number | undefined =>
  before === undefined || after === undefined || requests === 0
    ? undefined
    : Math.round(((after - before) * 1e6) / requests)

/** The admin password the reference server is started with in benchmarks. */
export const adminPassword = "bench-admin-password"

/** The reference server's environment for a benchmark: a fresh data directory, no rate limit, quiet logs. */
export const referenceServerEnv = (dataDirectory: string): Record<string, string> => ({
  TASKDESK_DATA_DIR: dataDirectory,
  TASKDESK_ADMIN_PASSWORD: adminPassword,
  TASKDESK_RATE_LIMIT: "0",
  TASKDESK_LOG_REQUESTS: "false",
  TASKDESK_LOG_LEVEL: "warning"
})

/** POSTs JSON (with a bearer token if given) and answers the JSON reply; fails on a non-2xx status. */
export const postJson = async (
  url: string,
  token: string | undefined,
  body: unknown
): Promise<Record<string, unknown>> => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body)
  })
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`)
  return (await response.json()) as Record<string, unknown>
}
