import { assert, describe, it } from "@effect/vitest"
import { Actor, Ids, type Page, Policy, Task, UserRepo } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, Stream } from "effect"
import * as Export from "../src/csv/Export.js"

const at = DateTime.unsafeMake(Date.UTC(2026, 2, 2, 9))
const task = (i: number) =>
  new Task.Task({
    id: Ids.TaskId.make(`t${String(i).padStart(5, "0")}`),
    title: `task ${i}`,
    description: "",
    status: "todo",
    priority: "normal",
    assigneeIds: [],
    createdBy: Ids.UserId.make("u1"),
    projectId: Option.none(),
    dueAt: Option.none(),
    tags: [],
    createdAt: at,
    updatedAt: at,
    completedAt: Option.none(),
    version: 1
  })

/** 20 pages of 10 tasks, counting the pages read. */
const pagedList = () => {
  const reads = { count: 0 }
  const list = (cursor: string | undefined): Effect.Effect<Page.Page<Task.Task>> =>
    Effect.sync(() => {
      reads.count++
      const n = cursor === undefined ? 0 : Number(cursor)
      const items = Array.from({ length: 10 }, (_, i) => task(n * 10 + i))
      return { items, nextCursor: n < 19 ? Option.some(String(n + 1)) : Option.none() }
    })
  return { reads, list }
}

const services = Layer.mergeAll(
  Layer.succeed(Actor.CurrentActor, Actor.system),
  Policy.Policy.layerDefault,
  Layer.succeed(UserRepo.UserRepo, {
    findByIds: () => Effect.succeed([])
  } as unknown as UserRepo.UserRepo["Type"])
)

describe("CSV export stream", () => {
  it.effect("reads pages only as the response takes them, so a client that leaves stops the reads", () =>
    Effect.gen(function* () {
      const { reads, list } = pagedList()
      const body = yield* Export.tasks(list, { bom: false, maxRows: 0 })
      assert.strictEqual(reads.count, 1, "the first page is read before the answer starts")
      // The client takes the header and two pages, then goes away (the response stream is interrupted).
      yield* Stream.runDrain(Stream.take(body, 3))
      assert.isAtMost(reads.count, 4, "at most one page read ahead of what was sent")
      const all = new TextDecoder().decode(
        Buffer.concat(Array.from(yield* Stream.runCollect(body)).map((b) => Buffer.from(b)))
      )
      assert.strictEqual(all.split("\r\n").length - 2, 200, "every row once a client reads to the end")
    }).pipe(Effect.provide(services))
  )

  it.effect("stops after the configured number of rows", () =>
    Effect.gen(function* () {
      const { reads, list } = pagedList()
      const body = yield* Export.tasks(list, { bom: false, maxRows: 25 })
      const text = new TextDecoder().decode(
        Buffer.concat(Array.from(yield* Stream.runCollect(body)).map((b) => Buffer.from(b)))
      )
      const lines = text.split("\r\n").filter((l) => l !== "")
      assert.strictEqual(lines.length, 26)
      assert.isTrue(lines[25]!.startsWith("t00024,"))
      assert.isAtMost(reads.count, 5)
    }).pipe(Effect.provide(services))
  )

  it.effect("lets the event loop turn between pages, so a long export does not hold up other requests", () =>
    Effect.gen(function* () {
      const { reads, list } = pagedList()
      const body = yield* Export.tasks(list, { bom: false, maxRows: 0 })
      // Queued before the export runs: it runs at the loop's next turn, which a stream of
      // synchronous pages never reaches until it ends unless it yields to the loop itself.
      let readsWhenTheLoopTurned: number | undefined
      setImmediate(() => {
        readsWhenTheLoopTurned = reads.count
      })
      yield* Stream.runDrain(body)
      assert.strictEqual(reads.count, 20)
      assert.isDefined(readsWhenTheLoopTurned)
      assert.isBelow(readsWhenTheLoopTurned!, 3, "the loop turned before the third page was read")
    }).pipe(Effect.provide(services))
  )
})
