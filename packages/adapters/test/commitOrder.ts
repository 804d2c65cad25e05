import { assert, type Vitest } from "@effect/vitest"
import { AuditEvent, EventLog, Ids, Transaction } from "@taskdesk/core"
import { at, uniqueId } from "@taskdesk/core/testing"
import { Deferred, Effect, Fiber, Option } from "effect"

/** Real time, for waiting on the database (the test clock does not move it). */
const pause = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

/**
 * For databases whose transactions run side by side: an append to the event log waits for an
 * earlier open transaction's commit, so a reader never resumes past an event that commits later.
 */
export const commitOrderTest = (it: Vitest.MethodsNonLive<Transaction.Transaction | EventLog.EventLog>) => {
  it.effect("hands out sequences in commit order: an append waits for an earlier transaction's commit", () =>
    Effect.gen(function* () {
      const tx = yield* Transaction.Transaction
      const log = yield* EventLog.EventLog
      const subject = new AuditEvent.Subject({ kind: "task", id: uniqueId("task") })
      const append = log.append({
        at: at("2026-03-01T00:00:00Z"),
        actorId: Ids.UserId.make("someone"),
        subject,
        parent: Option.none(),
        payload: { _tag: "task.deleted" }
      })
      const appended = yield* Deferred.make<AuditEvent.AuditEvent>()
      const release = yield* Deferred.make<void>()
      const first = yield* tx
        .run(Effect.tap(append, (e) => Effect.zipRight(Deferred.succeed(appended, e), Deferred.await(release))))
        .pipe(Effect.fork)
      const earlier = yield* Deferred.await(appended)
      const second = yield* tx.run(append).pipe(Effect.fork)
      yield* pause(300)
      // The later append cannot take a sequence while the earlier transaction is open...
      assert.isTrue(Option.isNone(yield* Fiber.poll(second)))
      // ...and a reader sees neither, so it can never resume past an event that commits later.
      assert.deepStrictEqual(yield* log.list({ after: Option.none(), about: Option.some(subject), limit: 10 }), [])
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(first)
      const later = yield* Fiber.join(second)
      assert.isTrue(earlier.sequence < later.sequence)
      const read = yield* log.list({ after: Option.none(), about: Option.some(subject), limit: 10 })
      assert.deepStrictEqual(
        read.map((e) => e.sequence),
        [earlier.sequence, later.sequence]
      )
    })
  )
}
