import { Actor, Users } from "@taskdesk/core"
import { Effect, Redacted } from "effect"
import { TaskdeskApi } from "../Api.js"
import { Accounts, securityEvent } from "../auth/Accounts.js"
import * as PasswordPolicy from "../auth/PasswordPolicy.js"
import * as Etag from "../Etag.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** People. Deactivating someone also ends their sessions and API tokens; a role change reaches their live tokens. */
export const UsersLive = Dispatcher.group(TaskdeskApi, "users", (handlers) =>
  Effect.gen(function* () {
    const users = yield* Users.Users
    const accounts = yield* Accounts
    return handlers
      .handle("list", ({ urlParams }) => users.list(urlParams))
      .handle("create", ({ payload: { password, ...input } }) =>
        Effect.gen(function* () {
          // Checked first, so a refused password leaves no user behind.
          if (password !== undefined)
            yield* PasswordPolicy.check(password, { field: "password", username: input.username })
          const user = yield* users.create(input)
          if (password !== undefined) yield* accounts.setPassword(user, Redacted.make(password))
          yield* securityEvent("user.created", { by: (yield* Actor.CurrentActor).id, userId: user.id, role: user.role })
          return user
        })
      )
      .handle("get", ({ path }) => Etag.tagged(users.get(path.id)))
      .handle("update", ({ path, headers, payload }) =>
        Effect.gen(function* () {
          const before = yield* users.get(path.id)
          yield* Etag.check(headers["if-match"], before, { entity: "User", id: path.id })
          const after = yield* users.update(path.id, payload)
          if (after.role !== before.role) {
            yield* accounts.setRole(after.id, after.role)
            yield* securityEvent("user.role_changed", {
              by: (yield* Actor.CurrentActor).id,
              userId: after.id,
              from: before.role,
              to: after.role
            })
          }
          if (!after.active && before.active) yield* accounts.revokeUser(after.id)
          return after
        }).pipe(Etag.tagged)
      )
      .handle("deactivate", ({ path }) =>
        Effect.gen(function* () {
          const user = yield* users.deactivate(path.id)
          yield* accounts.revokeUser(user.id)
          yield* securityEvent("user.deactivated", { by: (yield* Actor.CurrentActor).id, userId: user.id })
          return user
        })
      )
  })
)
