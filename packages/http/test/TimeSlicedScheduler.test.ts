import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Scheduler } from "effect"
import { TimeSlicedScheduler } from "../src/serve/TimeSlicedScheduler.js"

/** Synchronous work in many small effects: the shape of a fiber reading SQLite or checking a file. */
const busy = Effect.forEach(
  Array.from({ length: 300_000 }, (_, i) => i),
  (i) =>
    Effect.sync(() => {
      let x = i
      for (let k = 0; k < 20; k++) x = Math.sqrt(x + k)
      return x
    }),
  { discard: true }
)

/** How many turns of the event loop happened while `effect` ran. */
const turnsDuring = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    let turns = 0
    let done = false
    const count = () => {
      if (done) return
      turns++
      setImmediate(count)
    }
    setImmediate(count)
    yield* effect
    done = true
    return turns
  })

describe("TimeSlicedScheduler", () => {
  it.live("lets the event loop turn while a fiber works synchronously; Effect's default scheduler does not", () =>
    Effect.gen(function* () {
      const sliced = yield* turnsDuring(Effect.withScheduler(busy, new TimeSlicedScheduler(2)))
      const plain = yield* turnsDuring(Effect.withScheduler(busy, Scheduler.defaultScheduler))
      assert.isAtLeast(sliced, 3, "the loop turned between slices")
      assert.strictEqual(plain, 0, "the same work on the default scheduler holds the loop")
    })
  )

  it.live("runs fibers to their results and lets them be interrupted", () =>
    Effect.gen(function* () {
      const scheduler = new TimeSlicedScheduler(1)
      const results = yield* Effect.all(
        Array.from({ length: 20 }, (_, n) =>
          Effect.withScheduler(
            Effect.as(
              Effect.forEach(Array.from({ length: 5_000 }), () => Effect.yieldNow()),
              n
            ),
            scheduler
          )
        ),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        results,
        Array.from({ length: 20 }, (_, n) => n)
      )
      const forever = yield* Effect.fork(Effect.withScheduler(Effect.forever(Effect.yieldNow()), scheduler))
      yield* Effect.sleep(20)
      yield* Fiber.interrupt(forever)
      assert.isTrue((yield* Fiber.await(forever))._tag === "Failure")
    })
  )

  it.live("a task that throws does not strand the tasks after it", () =>
    Effect.gen(function* () {
      const errors: Array<unknown> = []
      const scheduler = new TimeSlicedScheduler(10, (error) => errors.push(error))
      const ran: Array<string> = []
      yield* Effect.async<void>((resume) => {
        scheduler.scheduleTask(() => ran.push("first"), 0)
        scheduler.scheduleTask(() => {
          throw new Error("a broken task")
        }, 0)
        scheduler.scheduleTask(() => ran.push("after it"), 0)
        scheduler.scheduleTask(() => resume(Effect.void), 0)
      })
      assert.deepStrictEqual(ran, ["first", "after it"])
      assert.strictEqual(errors.length, 1)
      // And the scheduler still runs what comes next.
      assert.strictEqual(yield* Effect.withScheduler(Effect.succeed("next"), scheduler), "next")
      yield* Effect.withScheduler(Effect.yieldNow(), scheduler)
    })
  )
})
