import * as Fs from "node:fs"
import * as Path from "node:path"
import { assert, describe, layer } from "@effect/vitest"
import { Actor, Tasks, Users } from "@taskdesk/core"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import { person, raw, serverLayer, uniqueName } from "./support.js"

const fixture = (name: string) => Fs.readFileSync(Path.join(import.meta.dirname, "fixtures", "csv", name), "utf8")

/** A raw request whose JSON answer (a problem, an import's report) is `json`; exports are read as `text`. */
const fetchText = (
  path: string,
  init: { token?: string; method?: string; body?: string | FormData; type?: string } = {}
) =>
  Effect.map(
    raw(path, {
      ...(init.method !== undefined ? { method: init.method } : {}),
      ...(init.token ? { token: init.token } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      headers: init.type ? { "content-type": init.type } : {}
    }),
    // biome-ignore lint/suspicious/noExplicitAny: tests probe bodies freely
    (response) => ({ ...response, json: (typeof response.body === "string" ? undefined : response.body) as any })
  )

const rowsOf = (text: string): Array<Record<string, string>> => parse(text, { bom: true, columns: true })

/** Posts a CSV file as `text/csv`. */
const upload = (what: "users" | "tasks", token: string, csv: string, query = "") =>
  fetchText(`/api/import/${what}${query}`, { method: "POST", token, body: csv, type: "text/csv; charset=utf-8" })

describe("CSV export", () => {
  layer(serverLayer(), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("quotes commas, quotes and line breaks, neutralises formulas, and keeps Cyrillic and Chinese", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        const tag = uniqueName("q")
        const titles = [
          "Comma, inside",
          'He said "hi"',
          "=1+2",
          "+cmd",
          "-2 degrees",
          "@SUM(A1)",
          "Починить кран",
          "修理空调"
        ]
        for (const title of titles) {
          yield* manager.api.tasks.create({
            payload: { title, tags: [tag], description: "line one\r\nline two, \t=x" }
          })
        }
        const response = yield* fetchText(`/api/tasks/export.csv?tag=${tag}&sort=created&order=asc&bom=1`, {
          token: manager.token
        })
        assert.strictEqual(response.status, 200)
        assert.strictEqual(response.headers.get("content-type"), "text/csv; charset=utf-8")
        assert.match(
          response.headers.get("content-disposition") ?? "",
          /^attachment; filename="tasks-\d{4}-\d{2}-\d{2}\.csv"$/
        )
        assert.deepStrictEqual([...response.bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte-order mark")
        const text = response.text.slice(1)
        assert.isTrue(
          text.startsWith(
            "id,title,description,status,priority,assigned_to,created_by,due_date,created_at,updated_at,completed_at,tags,project_id\r\n"
          )
        )
        assert.include(text, '"Comma, inside"')
        assert.include(text, '"He said ""hi"""')
        assert.include(text, '"line one\r\nline two, \t=x"', "a cell with a line break is quoted")
        const rows = rowsOf(text)
        assert.deepStrictEqual(
          rows.map((r) => r.title),
          ["Comma, inside", 'He said "hi"', "'=1+2", "'+cmd", "'-2 degrees", "'@SUM(A1)", "Починить кран", "修理空调"]
        )
        assert.strictEqual(rows[0]!.created_by, manager.user.username)
        assert.match(rows[0]!.created_at!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
        assert.strictEqual(rows[0]!.status, "todo")
        // Without ?bom=1 there is none.
        const plain = yield* fetchText(`/api/tasks/export.csv?tag=${tag}`, { token: manager.token })
        assert.strictEqual(plain.bytes[0], "i".charCodeAt(0))
      })
    )

    it.effect("a worker's export holds exactly the tasks the worker may see, as the list does", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        const worker = yield* person("worker")
        const tag = uniqueName("vis")
        const mine = yield* manager.api.tasks.create({
          payload: { title: "for the worker", tags: [tag], assigneeIds: [worker.user.id] }
        })
        yield* manager.api.tasks.create({ payload: { title: "not for the worker", tags: [tag] } })
        const exported = rowsOf((yield* fetchText(`/api/tasks/export.csv?tag=${tag}`, { token: worker.token })).text)
        assert.deepStrictEqual(
          exported.map((r) => r.id),
          [mine.id]
        )
        // Workers may not read people: they are named by id, as the JSON list names them.
        assert.strictEqual(exported[0]!.assigned_to, worker.user.id)
        const all = rowsOf((yield* fetchText(`/api/tasks/export.csv?tag=${tag}`, { token: manager.token })).text)
        assert.strictEqual(all.length, 2)
        assert.strictEqual(all.find((r) => r.id === mine.id)!.assigned_to, worker.user.username)
      })
    )

    it.effect("filters and sort match the list endpoint's, across many pages", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        const tag = uniqueName("flt")
        const tasks = yield* Tasks.Tasks
        yield* Effect.forEach(
          Array.from({ length: 450 }, (_, i) => i),
          (i) =>
            tasks.create({ title: `task ${i}`, tags: [tag], priority: (["low", "normal", "high"] as const)[i % 3]! }),
          { discard: true }
        ).pipe(Actor.as(manager.user))
        const query = `tag=${tag}&priority=high&priority=low&sort=priority&order=asc`
        const listed: Array<string> = []
        let cursor: string | undefined
        do {
          const page = yield* raw(`/api/tasks?${query}&limit=200${cursor ? `&cursor=${cursor}` : ""}`, {
            token: manager.token
          })
          listed.push(...page.body.items.map((t: { id: string }) => t.id))
          cursor = page.body.nextCursor
        } while (cursor !== undefined)
        const exported = rowsOf((yield* fetchText(`/api/tasks/export.csv?${query}`, { token: manager.token })).text)
        assert.strictEqual(listed.length, 300)
        assert.deepStrictEqual(
          exported.map((r) => r.id),
          listed
        )
        const bad = yield* fetchText(`/api/tasks/export.csv?priority=soon`, { token: manager.token })
        assert.strictEqual(bad.status, 400)
        assert.strictEqual(bad.headers.get("content-type"), "application/problem+json")
      })
    )

    it.effect("repair requests and their statistics export as the caller may see them", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        const client = yield* person("client")
        const other = yield* person("client")
        const deviceType = uniqueName("fridge")
        const mine = yield* client.api.repairs.create({
          payload: { deviceType, deviceModel: "Атлант, 2", problemDescription: "=cmd|' /C calc'!A0" }
        })
        yield* other.api.repairs.create({ payload: { deviceType, deviceModel: "LG", problemDescription: "noise" } })
        const seen = rowsOf(
          (yield* fetchText(`/api/repair-requests/export.csv?deviceType=${deviceType}`, { token: client.token })).text
        )
        assert.deepStrictEqual(
          seen.map((r) => [r.id, r.device_model, r.problem_description]),
          [[mine.id, "Атлант, 2", "'=cmd|' /C calc'!A0"]]
        )
        assert.match(seen[0]!.number!, /^R-\d{6}$/)
        const all = yield* fetchText(`/api/repair-requests/export.csv?deviceType=${deviceType}`, {
          token: manager.token
        })
        assert.strictEqual(rowsOf(all.text).length, 2)
        const stats = yield* fetchText("/api/statistics/repairs/export.csv", { token: manager.token })
        assert.strictEqual(stats.status, 200)
        const statRows = rowsOf(stats.text)
        assert.deepStrictEqual(Object.keys(statRows[0]!), ["section", "key", "metric", "value"])
        const device = statRows.find((r) => r.section === "device_type" && r.key === deviceType)
        assert.strictEqual(device?.value, "2")
        assert.strictEqual(
          (yield* fetchText("/api/statistics/repairs/export.csv", { token: client.token })).status,
          403
        )
      })
    )
  })
})

describe("CSV import", () => {
  layer(serverLayer(), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("seed 000's files import with one request each, dry run first, and again without duplicates", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const dry = yield* upload("users", admin.token, fixture("users.csv"), "?dryRun=1")
        assert.strictEqual(dry.status, 200)
        assert.deepInclude(dry.json, { entity: "users", dryRun: true, rows: 4, created: 4 })
        const users = yield* Users.Users
        assert.strictEqual(
          (yield* users.list({}).pipe(Actor.asSystem)).filter((u) => u.username === "ivan_w").length,
          0,
          "a dry run creates nobody"
        )
        const imported = yield* upload("users", admin.token, fixture("users.csv"))
        assert.deepInclude(imported.json, { dryRun: false, created: 4 })
        const tasks = yield* upload("tasks", admin.token, fixture("tasks.csv"))
        assert.strictEqual(tasks.status, 200, JSON.stringify(tasks.json))
        assert.deepInclude(tasks.json, { created: 4 })

        const listed = yield* admin.api.tasks.list({ urlParams: { text: "холодильник" } })
        assert.strictEqual(listed.items.length, 1)
        assert.strictEqual(listed.items[0]!.description, 'Компрессор шумит, "срочно"')
        assert.strictEqual(listed.items[0]!.priority, "high")

        const again = yield* upload("tasks", admin.token, fixture("tasks.csv"))
        assert.deepInclude(again.json, { created: 0, updated: 0, unchanged: 4 })
        const usersAgain = yield* upload("users", admin.token, fixture("users.csv"))
        assert.deepInclude(usersAgain.json, { created: 0, unchanged: 4 })

        const exported = yield* fetchText("/api/tasks/export.csv?sort=created&order=asc", {
          token: admin.token
        })
        const chinese = rowsOf(exported.text).find((r) => r.title === "修理洗衣机")
        assert.strictEqual(chinese?.description, "第一行\r\n第二行")
        assert.strictEqual(chinese?.assigned_to, "ivan_w; li_wei")
        assert.strictEqual(chinese?.status, "in_progress")
      })
    )

    it.effect("a multipart upload is read from its file part", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const form = new FormData()
        form.append("note", "ignored")
        form.append("file", new Blob([fixture("users.csv")], { type: "text/csv" }), "users.csv")
        const response = yield* fetchText("/api/import/users?dryRun=1", {
          method: "POST",
          token: admin.token,
          body: form
        })
        assert.strictEqual(response.status, 200, response.text)
        assert.deepInclude(response.json, { rows: 4, dryRun: true })
      })
    )

    it.effect("one bad row refuses the file: nothing applied, every bad row listed as problem+json", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        yield* upload("users", admin.token, fixture("users.csv"))
        const before = (yield* admin.api.tasks.list({ urlParams: { limit: 200 } })).items.length
        const response = yield* upload("tasks", admin.token, fixture("tasks-bad.csv"))
        assert.strictEqual(response.status, 422)
        assert.strictEqual(response.headers.get("content-type"), "application/problem+json")
        assert.strictEqual(response.json.type, "urn:taskdesk:problem:import-rejected")
        assert.deepStrictEqual(
          response.json.errors.map((e: { line: number; column: string }) => [e.line, e.column]),
          [
            [3, "status"],
            [4, "due_date"],
            [5, "assigned_to"],
            [6, "(row)"],
            [7, "priority"]
          ]
        )
        assert.include(response.json.errors[0].reason, "someday")
        assert.include(response.json.errors[4].reason, "whenever")
        assert.strictEqual((yield* admin.api.tasks.list({ urlParams: { limit: 200 } })).items.length, before)

        const headerless = yield* upload("users", admin.token, "login,role\r\nx,admin\r\n")
        assert.strictEqual(headerless.status, 422)
        assert.deepStrictEqual(
          headerless.json.errors.map((e: { column: string }) => e.column),
          ["username"]
        )
        const unclosed = yield* upload("users", admin.token, 'username,role\r\n"x,admin\r\n')
        assert.strictEqual(unclosed.status, 422)
        assert.include(unclosed.json.errors[0].reason, "not readable as CSV")
      })
    )

    it.effect("only administrators import, and only CSV or multipart bodies", () =>
      Effect.gen(function* () {
        const manager = yield* person("manager")
        const admin = yield* person("admin")
        assert.strictEqual((yield* upload("users", manager.token, fixture("users.csv"))).status, 403)
        const json = yield* fetchText("/api/import/users", {
          method: "POST",
          token: admin.token,
          body: "{}",
          type: "application/json"
        })
        assert.strictEqual(json.status, 415)
        assert.include(json.json.detail, "text/csv or multipart/form-data")
      })
    )

    it.effect("an export imported into an empty server exports as the same file", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        yield* upload("users", admin.token, fixture("users.csv"))
        yield* upload("tasks", admin.token, fixture("tasks.csv"))
        const query = "/api/tasks/export.csv?sort=created&order=asc&bom=1"
        const first = (yield* fetchText(query, { token: admin.token })).text
        const importedRows = rowsOf(first).filter((r) => ["ivan_w", "li_wei", "olga_boss"].includes(r.created_by!))
        assert.strictEqual(importedRows.length, 4)
        const second = yield* Effect.gen(function* () {
          const fresh = yield* person("admin")
          assert.strictEqual((yield* upload("users", fresh.token, fixture("users.csv"))).status, 200)
          const again = yield* upload("tasks", fresh.token, first)
          assert.strictEqual(again.status, 200, again.text)
          return (yield* fetchText(query, { token: fresh.token })).text
        }).pipe(Effect.provide(serverLayer()))
        // The first server holds other tests' tasks too; the imported ones come out identical.
        const lines = (text: string) => text.split("\r\n").filter((l) => /ivan_w|li_wei|olga_boss/.test(l))
        assert.deepStrictEqual(lines(second), lines(first))
        assert.isTrue(second.startsWith("\uFEFFid,title,"))
      })
    )
  })
})

describe("CSV import limits", () => {
  layer(serverLayer({ csv: { import_max_body_kb: 1, import_max_rows: 3 } }), {
    excludeTestServices: true,
    timeout: "60 seconds"
  })((it) => {
    it.effect("a body over the size limit or a file over the row limit answers 413 naming the limit", () =>
      Effect.gen(function* () {
        const admin = yield* person("admin")
        const big = `username,role\r\n${"a".repeat(1100)},admin\r\n`
        const tooBig = yield* upload("users", admin.token, big)
        assert.strictEqual(tooBig.status, 413)
        assert.strictEqual(tooBig.json.limitBytes, 1024)
        assert.include(tooBig.json.detail, "1024 bytes")
        const tooMany = yield* upload("users", admin.token, fixture("users.csv"))
        assert.strictEqual(tooMany.status, 413)
        assert.deepInclude(tooMany.json, { type: "urn:taskdesk:problem:too-many-rows", limitRows: 3, rows: 4 })
        assert.include(tooMany.json.detail, "csv.import_max_rows")
        // JSON endpoints keep their own limit.
        const small = yield* upload("users", admin.token, "username,role\r\nsmall_one,worker\r\n", "?dryRun=1")
        assert.strictEqual(small.status, 200)
      })
    )
  })
})
