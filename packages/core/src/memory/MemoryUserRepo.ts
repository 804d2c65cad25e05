import { Effect, Layer, Option } from "effect"
import { DuplicateKey, NotFound } from "../Errors.js"
import type { UserId } from "../Ids.js"
import type { User } from "../User.js"
import { UserRepo } from "../UserRepo.js"
import { MemoryStore } from "./MemoryStore.js"

/** The unique keys of a user other than its id, as (field, value) pairs. */
const uniqueKeys = (user: User): ReadonlyArray<readonly [string, string]> => [
  ["username", user.username.toLowerCase()],
  ...Option.match(user.telegramId, { onNone: () => [], onSome: (id) => [["telegramId", String(id)] as const] }),
  ...Option.match(user.dingtalkId, { onNone: () => [], onSome: (id) => [["dingtalkId", id] as const] })
]

export const layer: Layer.Layer<UserRepo, never, MemoryStore> = Layer.effect(
  UserRepo,
  Effect.gen(function* () {
    const store = yield* MemoryStore
    const users = store.table<UserId, User>("users")

    const findBy = (predicate: (user: User) => boolean) =>
      Effect.map(users.values, (all) => Option.fromNullable(all.find(predicate)))

    const ensureUnique = (user: User) =>
      Effect.flatMap(users.values, (all) => {
        for (const [field, value] of uniqueKeys(user)) {
          const clash = all.find(
            (other) => other.id !== user.id && uniqueKeys(other).some(([f, v]) => f === field && v === value)
          )
          if (clash) return Effect.fail(new DuplicateKey({ entity: "User", field, value }))
        }
        return Effect.void
      })

    return {
      findById: users.get,
      findByIds: (ids) =>
        Effect.map(Effect.forEach(ids, users.get), (found) =>
          found.flatMap((o) => (Option.isSome(o) ? [o.value] : []))
        ),
      findByUsername: (username) => findBy((user) => user.username.toLowerCase() === username.toLowerCase()),
      findByTelegramId: (telegramId) => findBy((user) => Option.contains(user.telegramId, telegramId)),
      findByDingtalkId: (dingtalkId) => findBy((user) => Option.contains(user.dingtalkId, dingtalkId)),
      insert: (user) =>
        store.transaction(
          Effect.gen(function* () {
            if (Option.isSome(yield* users.get(user.id))) {
              return yield* new DuplicateKey({ entity: "User", field: "id", value: user.id })
            }
            yield* ensureUnique(user)
            yield* users.put(user.id, user)
          })
        ),
      update: (user) =>
        store.transaction(
          Effect.gen(function* () {
            if (Option.isNone(yield* users.get(user.id))) return yield* new NotFound({ entity: "User", id: user.id })
            yield* ensureUnique(user)
            yield* users.put(user.id, user)
          })
        ),
      // Write transactions hold the store's one writer permit, so what this reads stays so until commit.
      lockActive: (role) =>
        Effect.map(users.values, (all) =>
          all
            .filter((u) => u.role === role && u.active)
            .map((u) => u.id)
            .sort()
        ),
      list: (query) =>
        Effect.map(users.values, (all) =>
          all
            .filter(
              (u) =>
                (query.role === undefined || u.role === query.role) &&
                (query.active === undefined || u.active === query.active)
            )
            .sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1))
        )
    }
  })
)
