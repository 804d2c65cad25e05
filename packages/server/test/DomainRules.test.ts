import { assert, describe, layer } from "@effect/vitest"
import { freshSchema, pgUrl, requirePg } from "@taskdesk/adapters/testing/postgres"
import { Effect, Layer } from "effect"
import * as ServerStorage from "../src/Storage.js"
import { person, raw, serverLayer } from "./support.js"

const storages = [
  { name: "memory", database_url: "memory", storage: undefined },
  { name: "sqlite", database_url: "sqlite::memory:", storage: undefined },
  ...(requirePg()
    ? [
        {
          name: "postgres",
          database_url: "memory",
          storage: Layer.unwrapScoped(
            Effect.map(freshSchema("http_rules"), (schema) => ServerStorage.layerPg({ url: pgUrl, schema }))
          )
        }
      ]
    : [])
] as const

const fridge = { deviceType: "Холодильник", deviceModel: "Атлант ХМ-4021", problemDescription: "Не морозит" }

for (const storage of storages) {
  describe(`domain rules over HTTP on ${storage.name}`, () => {
    // A server of its own, so the administrator created first is the only one.
    layer(serverLayer({ database_url: storage.database_url }, { storage: storage.storage }), {
      excludeTestServices: true,
      timeout: "30 seconds"
    })((it) => {
      it.effect(
        "the only active administrator cannot demote or delete themself; two demoting each other leave one",
        () =>
          Effect.gen(function* () {
            const admin = yield* person("admin")
            const self = `/api/users/${admin.user.id}`
            for (const [method, body] of [
              ["PATCH", { role: "manager" }],
              ["PATCH", { active: false }],
              ["DELETE", undefined]
            ] as const) {
              const refused = yield* raw(self, {
                method,
                token: admin.token,
                ...(body === undefined ? {} : { body: JSON.stringify(body) })
              })
              assert.strictEqual(refused.status, 422, `${method} ${JSON.stringify(body)}`)
              assert.strictEqual(refused.body.type.endsWith("rule-violation"), true)
              assert.strictEqual(refused.body.rule, "user.last_admin")
              assert.include(refused.body.detail, admin.user.username)
            }
            const still = yield* raw(self, { token: admin.token })
            assert.deepStrictEqual([still.body.role, still.body.active], ["admin", true])

            const other = yield* person("admin")
            const [first, second] = yield* Effect.all(
              [
                raw(`/api/users/${other.user.id}`, {
                  method: "PATCH",
                  token: admin.token,
                  body: JSON.stringify({ role: "worker" })
                }),
                raw(self, { method: "PATCH", token: other.token, body: JSON.stringify({ role: "worker" }) })
              ],
              { concurrency: "unbounded" }
            )
            // The loser is refused by the rule (422), or, when the winner's change reached their token first,
            // as the worker they have become (404: a worker sees only themself). Never do both succeed.
            const statuses = [first.status, second.status].sort()
            assert.strictEqual(statuses[0], 200, JSON.stringify([first.body, second.body]))
            assert.include([404, 422], statuses[1], JSON.stringify([first.body, second.body]))
            const survivor = first.status === 200 ? admin : other
            const admins = yield* raw("/api/users?role=admin&active=true", { token: survivor.token })
            assert.deepStrictEqual(
              admins.body.map((u: { id: string }) => u.id),
              [survivor.user.id]
            )
          })
      )

      it.effect("a client is refused as an assignee and in a batch, named with their role", () =>
        Effect.gen(function* () {
          const manager = yield* person("manager")
          const client = yield* person("client")
          const task = yield* raw("/api/tasks", {
            method: "POST",
            token: manager.token,
            body: JSON.stringify({ title: "Кран", assigneeIds: [client.user.id] })
          })
          assert.strictEqual(task.status, 400)
          assert.include(task.body.detail, `assigneeIds.0: ${client.user.id} is a client`)
          const made = yield* raw("/api/tasks", {
            method: "POST",
            token: manager.token,
            body: JSON.stringify({ title: "Кран" })
          })
          assert.strictEqual(made.status, 201)
          const batch = yield* raw("/api/assignments", {
            method: "POST",
            token: manager.token,
            body: JSON.stringify({ items: [{ taskId: made.body.id, assigneeId: client.user.id }] })
          })
          assert.strictEqual(batch.status, 422)
          assert.include(batch.body.detail, `items.0.assigneeId: ${client.user.id} is a client`)
        })
      )

      it.effect("a client filing with a deadline is told the action it needs; the OpenAPI schema says so", () =>
        Effect.gen(function* () {
          const client = yield* person("client")
          const filed = yield* raw("/api/repair-requests", {
            method: "POST",
            token: client.token,
            body: JSON.stringify({ ...fridge, deadline: "2030-01-01T00:00:00Z" })
          })
          assert.strictEqual(filed.status, 403)
          assert.strictEqual(filed.body.action, "repair.setDeadline")
          assert.include(filed.body.detail, "repair.setDeadline")
          const ok = yield* raw("/api/repair-requests", {
            method: "POST",
            token: client.token,
            body: JSON.stringify(fridge)
          })
          assert.strictEqual(ok.status, 201)
          const openapi = yield* raw("/openapi.json")
          const create = openapi.body.paths["/api/repair-requests"].post.requestBody.content["application/json"].schema
          const schema =
            create.$ref === undefined ? create : openapi.body.components.schemas[create.$ref.split("/").pop()]
          assert.include(schema.properties.deadline.description, "repair.setDeadline")
        })
      )

      it.effect("a task's history shows the old and new value of each changed field", () =>
        Effect.gen(function* () {
          const manager = yield* person("manager")
          const made = yield* raw("/api/tasks", {
            method: "POST",
            token: manager.token,
            body: JSON.stringify({ title: "Кран течёт", priority: "low" })
          })
          const changed = yield* raw(`/api/tasks/${made.body.id}`, {
            method: "PATCH",
            token: manager.token,
            body: JSON.stringify({ title: "Кран на кухне течёт", priority: "low", dueAt: "2030-01-01T10:00:00Z" })
          })
          assert.strictEqual(changed.status, 200)
          const history = yield* raw(`/api/tasks/${made.body.id}/history`, { token: manager.token })
          assert.strictEqual(history.status, 200)
          assert.deepStrictEqual(history.body[1].payload, {
            _tag: "task.updated",
            fields: ["title", "priority", "dueAt"],
            changes: [
              { field: "title", from: "Кран течёт", to: "Кран на кухне течёт" },
              { field: "dueAt", from: null, to: "2030-01-01T10:00:00.000Z" }
            ]
          })
        })
      )
    })
  })
}
