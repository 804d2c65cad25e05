import * as Path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Taskdesk from "./fixtures/taskdeskProcess.js"

const adminPassword = "restore-test-password"

const signIn = async (url: string) => {
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: adminPassword })
  })
  return ((await response.json()) as { accessToken: string }).accessToken
}

const createTask = (url: string, token: string, title: string) =>
  fetch(`${url}/api/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ title })
  }).then((r) => r.status)

const taskCount = async (url: string, token: string) => {
  let count = 0
  let cursor: string | undefined
  do {
    const query = cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`
    const response = await fetch(`${url}/api/tasks?limit=100${query}`, {
      headers: { authorization: `Bearer ${token}` }
    })
    const page = (await response.json()) as { items: ReadonlyArray<unknown>; nextCursor?: string }
    count += page.items.length
    cursor = page.nextCursor
  } while (cursor !== undefined)
  return count
}

describe("taskdesk restore against a real server", () => {
  it("refuses while a server holds the SQLite database, changing nothing; restores once it stopped", {
    timeout: 120_000
  }, async () => {
    const dir = Taskdesk.tempDir("restore")
    const env = {
      TASKDESK_DATA_DIR: Path.join(dir, "data"),
      TASKDESK_ADMIN_PASSWORD: adminPassword,
      TASKDESK_LOG_LEVEL: "error",
      TASKDESK_RATE_LIMIT: "0"
    }
    const first = await Taskdesk.serve([], env)
    try {
      const token = await signIn(first.url)
      for (const n of [1, 2]) assert.strictEqual(await createTask(first.url, token, `In the backup ${n}`), 201)
      const backup = await fetch(`${first.url}/api/scheduler/jobs/backup/run?wait=true`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` }
      })
      assert.strictEqual(backup.status, 200)
      const run = (await backup.json()) as { status: string; summary: string }
      assert.strictEqual(run.status, "succeeded", JSON.stringify(run))
      const file = /(\S+\.sqlite)/.exec(run.summary)?.[1]
      assert.isDefined(file, run.summary)
      const backupPath = Path.isAbsolute(file!) ? file! : Path.join(dir, "data", "backups", Path.basename(file!))

      // Four clients write while the restore is attempted.
      let writing = true
      const clients = Array.from({ length: 4 }, async (_, c) => {
        let made = 0
        while (writing) {
          if ((await createTask(first.url, token, `Client ${c} task ${made}`)) === 201) made++
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        return made
      })
      const refused = await Taskdesk.run(["restore", backupPath], env)
      writing = false
      const made = (await Promise.all(clients)).reduce((a, b) => a + b, 0)
      assert.notStrictEqual(refused.code, 0)
      assert.match(refused.stderr, /^taskdesk: cannot restore: .*in use by a server \(pid \d+/)
      assert.notMatch(refused.stdout, /restored/)
      assert.strictEqual(await taskCount(first.url, token), 2 + made)
    } finally {
      await Taskdesk.stop(first.process)
    }

    const backups = Path.join(dir, "data", "backups")
    const [backupName] = (await import("node:fs")).readdirSync(backups).filter((n) => n.endsWith(".sqlite"))
    const restored = await Taskdesk.run(["restore", Path.join(backups, backupName!)], env)
    assert.strictEqual(restored.code, 0, restored.stderr)
    assert.match(restored.stdout, /restored .* tasks 2\b.*; start the server again to use it/)

    const second = await Taskdesk.serve([], env)
    try {
      assert.strictEqual(await taskCount(second.url, await signIn(second.url)), 2)
    } finally {
      await Taskdesk.stop(second.process)
    }
  })
})
