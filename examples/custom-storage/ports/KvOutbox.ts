import { Errors, Notification, Outbox } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option } from "effect"
import { insertNew, KvStore } from "../KvStore.js"

const byCreation = (a: Notification.Notification, b: Notification.Notification) => {
  const byTime = DateTime.toEpochMillis(a.createdAt) - DateTime.toEpochMillis(b.createdAt)
  return byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** `Outbox` over the key-value store. */
export const layer: Layer.Layer<Outbox.Outbox, never, KvStore> = Layer.effect(
  Outbox.Outbox,
  Effect.gen(function* () {
    const store = yield* KvStore
    const notifications = store.table("notifications", Notification.Notification)
    return {
      insert: (batch) =>
        store.transaction(
          Effect.forEach(batch, (n) => insertNew(notifications, "Notification", n.id, n), { discard: true })
        ),
      findById: notifications.get,
      // Claims hold rows until `until`; the writer lock makes the read and the hold one step.
      claim: (now, until, limit) =>
        store.transaction(
          Effect.gen(function* () {
            const free = (yield* notifications.values)
              .filter(
                (n) =>
                  n.status === "pending" && !Option.exists(n.lockedUntil, (locked) => DateTime.greaterThan(locked, now))
              )
              .sort(byCreation)
              .slice(0, limit)
              .map((n) => new Notification.Notification({ ...n, lockedUntil: Option.some(until) }))
            yield* Effect.forEach(free, (n) => notifications.put(n.id, n), { discard: true })
            return free
          })
        ),
      record: (id, attempt) =>
        store.transaction(
          Effect.gen(function* () {
            const stored = yield* notifications.get(id)
            if (Option.isNone(stored)) return yield* new Errors.NotFound({ entity: "Notification", id })
            const n = stored.value
            const next =
              attempt._tag === "Sent"
                ? new Notification.Notification({
                    ...n,
                    status: "sent",
                    attempts: n.attempts + 1,
                    channel: Option.some(attempt.channel),
                    sentAt: Option.some(attempt.at),
                    lockedUntil: Option.none()
                  })
                : new Notification.Notification({
                    ...n,
                    status: Option.isSome(attempt.retryAt) ? "pending" : "failed",
                    attempts: n.attempts + 1,
                    lastError: Option.some(attempt.error),
                    lockedUntil: attempt.retryAt
                  })
            yield* notifications.put(id, next)
            return next
          })
        ),
      list: (query) =>
        Effect.map(notifications.values, (all) =>
          all
            .filter(
              (n) =>
                (query.recipientId === undefined || n.recipientId === query.recipientId) &&
                (query.kind === undefined || n.kind === query.kind) &&
                (query.status === undefined || n.status === query.status)
            )
            .sort((a, b) => byCreation(b, a))
            .slice(0, query.limit)
        ),
      prune: (before) =>
        store.transaction(
          Effect.gen(function* () {
            const old = (yield* notifications.values).filter(
              (n) => n.status !== "pending" && DateTime.lessThan(n.createdAt, before)
            )
            yield* Effect.forEach(old, (n) => notifications.remove(n.id), { discard: true })
            return old.length
          })
        )
    }
  })
)
