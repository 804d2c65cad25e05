import { Errors, User, UserRepo } from "@taskdesk/core"
import { Effect, Layer, Option } from "effect"
import { getMany, KvStore } from "../KvStore.js"

/** The unique keys of a user other than its id, as (field, value) pairs. */
const uniqueKeys = (user: User.User): ReadonlyArray<readonly [string, string]> => [
  ["username", user.username.toLowerCase()],
  ...Option.match(user.telegramId, { onNone: () => [], onSome: (id) => [["telegramId", String(id)] as const] }),
  ...Option.match(user.dingtalkId, { onNone: () => [], onSome: (id) => [["dingtalkId", id] as const] })
]

const byName = (a: User.User, b: User.User) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1)

/** `UserRepo` over the key-value store. */
export const layer: Layer.Layer<UserRepo.UserRepo, never, KvStore> = Layer.effect(
  UserRepo.UserRepo,
  Effect.gen(function* () {
    const store = yield* KvStore
    const users = store.table("users", User.User)

    const findBy = (predicate: (user: User.User) => boolean) =>
      Effect.map(users.values, (all) => Option.fromNullable(all.find(predicate)))

    const ensureUnique = (user: User.User) =>
      Effect.flatMap(users.values, (all) => {
        for (const [field, value] of uniqueKeys(user)) {
          const clash = all.find(
            (other) => other.id !== user.id && uniqueKeys(other).some(([f, v]) => f === field && v === value)
          )
          if (clash) return Effect.fail(new Errors.DuplicateKey({ entity: "User", field, value }))
        }
        return Effect.void
      })

    return {
      findById: users.get,
      findByIds: (ids) => getMany(users, ids),
      findByUsername: (username) => findBy((user) => user.username.toLowerCase() === username.toLowerCase()),
      findByTelegramId: (telegramId) => findBy((user) => Option.contains(user.telegramId, telegramId)),
      findByDingtalkId: (dingtalkId) => findBy((user) => Option.contains(user.dingtalkId, dingtalkId)),
      insert: (user) =>
        store.transaction(
          Effect.gen(function* () {
            if (Option.isSome(yield* users.get(user.id))) {
              return yield* new Errors.DuplicateKey({ entity: "User", field: "id", value: user.id })
            }
            yield* ensureUnique(user)
            yield* users.put(user.id, user)
          })
        ),
      update: (user) =>
        store.transaction(
          Effect.gen(function* () {
            if (Option.isNone(yield* users.get(user.id))) {
              return yield* new Errors.NotFound({ entity: "User", id: user.id })
            }
            yield* ensureUnique(user)
            yield* users.put(user.id, user)
          })
        ),
      // Write transactions hold the store's one writer lock, so what this reads stays so until commit.
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
            .sort(byName)
        )
    }
  })
)
