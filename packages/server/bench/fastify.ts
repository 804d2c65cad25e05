/**
 * The yardstick: the same task endpoints written plainly with Fastify 5 and better-sqlite3 prepared
 * statements — bearer token lookup, one query per read, one transaction per write — and nothing else
 * (no validation library, no policy, no audit beyond one row). `pnpm bench` compares the real server
 * with this one in the same run.
 *
 * Run as a child process: `tsx bench/fastify.ts <port> <database file>`.
 */
import { createHash, randomBytes } from "node:crypto"
import Database from "@taskdesk/adapters/sqlite-engine"
import Fastify from "fastify"

const port = Number(process.argv[2] ?? 5100)
const file = process.argv[3] ?? ":memory:"

const db = new Database(file)
db.pragma("journal_mode = WAL")
db.pragma("synchronous = FULL")
db.pragma("foreign_keys = ON")
db.exec(`
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, role TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL, priority TEXT NOT NULL,
  assignee_ids TEXT NOT NULL, tags TEXT NOT NULL, created_by TEXT NOT NULL, project_id TEXT, due_at INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, completed_at INTEGER, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status, created_at, id);
CREATE TABLE IF NOT EXISTS task_tags (task_id TEXT NOT NULL REFERENCES tasks(id), tag TEXT NOT NULL, PRIMARY KEY (task_id, tag));
CREATE TABLE IF NOT EXISTS task_assignees (task_id TEXT NOT NULL REFERENCES tasks(id), user_id TEXT NOT NULL, PRIMARY KEY (task_id, user_id));
CREATE TABLE IF NOT EXISTS events (sequence INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id TEXT NOT NULL,
  subject_kind TEXT NOT NULL, subject_id TEXT NOT NULL, payload TEXT NOT NULL);
`)

const hash = (token: string) => createHash("sha256").update(token).digest("base64url")
const findToken = db.prepare<[string], { user_id: string; role: string; expires_at: number }>(
  "SELECT user_id, role, expires_at FROM tokens WHERE hash = ?"
)
const insertToken = db.prepare("INSERT INTO tokens (hash, user_id, role, expires_at) VALUES (?, ?, ?, ?)")
const getTask = db.prepare<[string], Record<string, unknown>>("SELECT * FROM tasks WHERE id = ?")
const listByStatus = db.prepare<[string, number], Record<string, unknown>>(
  "SELECT * FROM tasks WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?"
)
const insertTask = db.prepare(
  `INSERT INTO tasks (id, title, description, status, priority, assignee_ids, tags, created_by, project_id, due_at,
    created_at, updated_at, completed_at, version) VALUES (?, ?, ?, 'todo', ?, '[]', ?, ?, NULL, NULL, ?, ?, NULL, 1)`
)
const insertTag = db.prepare("INSERT INTO task_tags (task_id, tag) VALUES (?, ?)")
const insertEvent = db.prepare(
  "INSERT INTO events (at, actor_id, subject_kind, subject_id, payload) VALUES (?, ?, 'task', ?, ?)"
)

const toJson = (row: Record<string, unknown>) => ({
  id: row.id,
  title: row.title,
  description: row.description,
  status: row.status,
  priority: row.priority,
  assigneeIds: JSON.parse(row.assignee_ids as string),
  tags: JSON.parse(row.tags as string),
  createdBy: row.created_by,
  createdAt: new Date(row.created_at as number).toISOString(),
  updatedAt: new Date(row.updated_at as number).toISOString(),
  version: row.version
})

const create = db.transaction(
  (input: { title: string; priority: string; tags: ReadonlyArray<string> }, userId: string) => {
    const now = Date.now()
    const id = randomBytes(13).toString("hex")
    insertTask.run(id, input.title, "", input.priority, JSON.stringify(input.tags), userId, now, now)
    for (const tag of input.tags) insertTag.run(id, tag)
    insertEvent.run(now, userId, id, JSON.stringify({ _tag: "task.created", title: input.title }))
    return getTask.get(id)!
  }
)

const app = Fastify({ logger: false })

app.decorateRequest("userId", "")
app.addHook("onRequest", async (request, reply) => {
  if (request.url === "/api/auth/login") return
  const header = request.headers.authorization ?? ""
  const found = header.startsWith("Bearer ") ? findToken.get(hash(header.slice(7))) : undefined
  if (found === undefined || found.expires_at <= Date.now()) return reply.code(401).send({ error: "unauthorized" })
  ;(request as unknown as { userId: string }).userId = found.user_id
})

app.post("/api/auth/login", async () => {
  const token = `tda_${randomBytes(32).toString("base64url")}`
  insertToken.run(hash(token), "bench-user", "admin", Date.now() + 3_600_000)
  return { accessToken: token }
})

app.get<{ Params: { id: string } }>("/api/tasks/:id", async (request, reply) => {
  const row = getTask.get(request.params.id)
  if (row === undefined) return reply.code(404).send({ error: "not found" })
  return toJson(row)
})

app.get<{ Querystring: { status?: string; limit?: string } }>("/api/tasks", async (request) => {
  const limit = Math.min(Number(request.query.limit ?? 50), 200)
  const rows = listByStatus.all(request.query.status ?? "todo", limit + 1)
  return { items: rows.slice(0, limit).map(toJson), nextCursor: rows.length > limit ? "more" : undefined }
})

app.post<{ Body: { title: string; priority?: string; tags?: ReadonlyArray<string> } }>(
  "/api/tasks",
  async (request, reply) => {
    const body = request.body
    if (typeof body?.title !== "string" || body.title.trim() === "") return reply.code(400).send({ error: "title" })
    const row = create(
      { title: body.title.trim(), priority: body.priority ?? "normal", tags: body.tags ?? [] },
      (request as unknown as { userId: string }).userId
    )
    return reply.code(201).send(toJson(row))
  }
)

await app.listen({ port, host: "127.0.0.1" })
console.log(`listening on http://127.0.0.1:${port}`)
