// A tour of the key-value adapter: taskdesk's domain runs on it unchanged, and the store holds plain JSON under
// `<table>/<id>` keys, which is what an embedder would see in Redis.
import { Actor, Assignments, TaskDesk, Tasks, Transaction, Users } from "@taskdesk/core"
import { Effect, Layer } from "effect"
import { KeyValue, layerMap } from "./KeyValue.js"
import * as KvStorage from "./KvStorage.js"

export const demo = Effect.gen(function* () {
  const users = yield* Users.Users
  const tasks = yield* Tasks.Tasks
  const assignments = yield* Assignments.Assignments
  const kv = yield* KeyValue

  const olga = yield* users.create({ name: "Ольга", username: "olga", role: "manager" }).pipe(Actor.asSystem)
  const ivan = yield* users.create({ name: "Иван", username: "ivan", role: "worker" }).pipe(Actor.asSystem)
  const task = yield* tasks.create({ title: "Repair the fridge", priority: "high" }).pipe(Actor.as(olga))
  const [offer] = yield* assignments.batch({ items: [{ taskId: task.id, assigneeId: ivan.id }] }).pipe(Actor.as(olga))
  yield* assignments.accept(offer!.id).pipe(Actor.as(ivan))
  const history = (yield* tasks.history(task.id).pipe(Actor.as(olga))).map((e) => `${e.sequence} ${e.type}`)

  // A transaction that fails leaves nothing behind: its writes never reached the key-value store.
  const transaction = yield* Transaction.Transaction
  const rolledBack = yield* transaction
    .run(
      Effect.zipRight(
        tasks.create({ title: "A task nobody will see", priority: "low" }).pipe(Actor.as(olga)),
        Effect.fail("changed my mind" as const)
      )
    )
    .pipe(Effect.flip)

  const entries = yield* kv.list("")
  const tables = new Map<string, number>()
  for (const [key] of entries) tables.set(key.split("/")[0]!, (tables.get(key.split("/")[0]!) ?? 0) + 1)
  const taskJson = entries.find(([key]) => key === `tasks/${task.id}`)?.[1] ?? ""
  return { history, rolledBack, keysByTable: Object.fromEntries([...tables].sort()), taskJson }
})

/** taskdesk's services on the key-value adapter, with the `KeyValue` itself kept in reach for the tour. */
export const layer = TaskDesk.layer.pipe(
  Layer.provideMerge(Layer.merge(KvStorage.layer, TaskDesk.layerDefaults)),
  Layer.provideMerge(layerMap)
)

export const run = () => Effect.runPromise(demo.pipe(Effect.provide(layer)))

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(({ history, rolledBack, keysByTable, taskJson }) => {
    console.log("The task's history, read back from the key-value store:")
    for (const line of history) console.log(`  ${line}`)
    console.log(`A failed transaction (${rolledBack}) left no keys behind.`)
    console.log("Keys per table:")
    for (const [table, count] of Object.entries(keysByTable)) console.log(`  ${table}/…  ${count}`)
    console.log("The task as stored:")
    console.log(`  ${taskJson}`)
  })
}
