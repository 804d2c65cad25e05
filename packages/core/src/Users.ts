import { DateTime, Effect, Option } from "effect"
import { CurrentActor } from "./Actor.js"
import { Subject } from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import { orNotFound, RuleViolation } from "./Errors.js"
import { IdGenerator } from "./IdGenerator.js"
import { UserId } from "./Ids.js"
import { traced } from "./Operation.js"
import { authorize, ensure, Policy, type Relation } from "./Policy.js"
import type { Role } from "./Role.js"
import { CreateUser, UpdateUser, User } from "./User.js"
import { UserRepo } from "./UserRepo.js"
import { validate } from "./Validation.js"

/** The event-log subject of a person. */
export const userSubject = (id: UserId): Subject => new Subject({ kind: "user", id })

/** People: administrators create and change them; everyone may read those the policy lets them. */
export class Users extends Effect.Service<Users>()("@taskdesk/core/Users", {
  effect: Effect.gen(function* () {
    const repo = yield* UserRepo
    const policy = yield* Policy
    const audit = yield* AuditLog
    const ids = yield* IdGenerator

    const relations = (actorId: UserId, id: UserId): ReadonlySet<Relation> =>
      new Set(actorId === id ? (["self"] as const) : [])

    const loadFor = (id: UserId, action: "user.read" | "user.manage") =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        const user = yield* repo.findById(id).pipe(orNotFound("User", id))
        yield* authorize(policy, actor, {
          entity: "User",
          id,
          read: "user.read",
          action,
          relations: relations(actor.id, id)
        })
        return user
      })

    /**
     * Refuses a change that would leave no active administrator, since nobody could then manage people.
     * Runs inside the change's transaction: `lockActive` holds the admins it read until commit, so two
     * admins demoting each other at once cannot both pass (the second sees the first's change).
     */
    const keepAnAdmin = (before: User, after: User) =>
      Effect.gen(function* () {
        const wasAdmin = before.role === "admin" && before.active
        if (!wasAdmin || (after.role === "admin" && after.active)) return
        const admins = yield* repo.lockActive("admin")
        if (admins.some((id) => id !== before.id)) return
        return yield* new RuleViolation({
          rule: "user.last_admin",
          message: `${before.username} is the only active administrator; make someone else an administrator first`
        })
      })

    const create = traced("Users.create")(function* (input: CreateUser) {
      yield* ensure(policy, yield* CurrentActor, "user.manage")
      const valid = yield* validate(CreateUser.fields)(input)
      const now = yield* DateTime.now
      const user = new User({
        id: UserId.make(yield* ids.next),
        name: valid.name,
        username: valid.username,
        email: Option.fromNullable(valid.email),
        telegramId: Option.fromNullable(valid.telegramId),
        dingtalkId: Option.fromNullable(valid.dingtalkId),
        role: valid.role,
        language: valid.language ?? "en",
        active: true,
        createdAt: now,
        updatedAt: now
      })
      return yield* audit.transaction(
        Effect.gen(function* () {
          yield* repo.insert(user)
          yield* audit.record(userSubject(user.id), { _tag: "user.created", username: user.username, role: user.role })
          return user
        })
      )
    })

    const get = traced("Users.get")(function* (id: UserId) {
      return yield* loadFor(id, "user.read")
    })

    /** Everyone the actor may read; roles that may read only themselves get themselves. */
    const list = traced("Users.list")(function* (query: { readonly role?: Role; readonly active?: boolean } = {}) {
      const actor = yield* CurrentActor
      const grants = policy.grants(actor, "user.read")
      if (grants.has("any")) return yield* repo.list(query)
      if (!grants.has("self")) return []
      const self = yield* repo.findById(actor.id)
      return Option.toArray(self).filter(
        (u) =>
          (query.role === undefined || u.role === query.role) &&
          (query.active === undefined || u.active === query.active)
      )
    })

    const update = traced("Users.update")(function* (id: UserId, patch: UpdateUser) {
      const valid = yield* validate(UpdateUser.fields)(patch)
      return yield* audit.transaction(
        Effect.gen(function* () {
          const user = yield* loadFor(id, "user.manage")
          const next = new User({
            ...user,
            ...(valid.name !== undefined ? { name: valid.name } : {}),
            ...(valid.email !== undefined ? { email: Option.fromNullable(valid.email) } : {}),
            ...(valid.telegramId !== undefined ? { telegramId: Option.fromNullable(valid.telegramId) } : {}),
            ...(valid.dingtalkId !== undefined ? { dingtalkId: Option.fromNullable(valid.dingtalkId) } : {}),
            ...(valid.role !== undefined ? { role: valid.role } : {}),
            ...(valid.language !== undefined ? { language: valid.language } : {}),
            ...(valid.active !== undefined ? { active: valid.active } : {}),
            updatedAt: yield* DateTime.now
          })
          yield* keepAnAdmin(user, next)
          yield* repo.update(next)
          const fields = Object.keys(valid).filter((k) => (valid as Record<string, unknown>)[k] !== undefined)
          yield* audit.record(userSubject(id), { _tag: "user.updated", fields })
          if (next.role !== user.role) {
            yield* audit.record(userSubject(id), { _tag: "user.role_changed", from: user.role, to: next.role })
          }
          return next
        })
      )
    })

    /** Deactivates a user: they keep their history but can no longer be assigned or sign in. */
    const deactivate = traced("Users.deactivate")(function* (id: UserId) {
      return yield* audit.transaction(
        Effect.gen(function* () {
          const user = yield* loadFor(id, "user.manage")
          const next = new User({ ...user, active: false, updatedAt: yield* DateTime.now })
          yield* keepAnAdmin(user, next)
          yield* repo.update(next)
          yield* audit.record(userSubject(id), { _tag: "user.deactivated" })
          return next
        })
      )
    })

    return { create, get, list, update, deactivate } as const
  })
}) {}
