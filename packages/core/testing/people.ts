import { Effect } from "effect"
import { Actor, CurrentActor, system } from "../src/Actor.js"
import type { Role } from "../src/Role.js"
import type { User } from "../src/User.js"
import { Users } from "../src/Users.js"
import { uniqueId } from "./fixtures.js"

/** Runs an effect as the given user. */
export const as =
  (user: User) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, CurrentActor>> =>
    Effect.provideService(effect, CurrentActor, new Actor({ id: user.id, role: user.role }))

/** Runs an effect as the system actor (an administrator that is nobody). */
export const asSystem = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, CurrentActor>> =>
  Effect.provideService(effect, CurrentActor, system)

/** Creates a user with a fresh username through the Users service, as the system. */
export const createUser = (role: Role, name = `${role} ${uniqueId("n")}`) =>
  Effect.flatMap(Users, (users) =>
    asSystem(users.create({ name, username: uniqueId(role).replace(/-/g, "_"), role })).pipe(Effect.orDie)
  )

/** One person of every role, plus a second worker and client, for authorization tests. */
export const createPeople = Effect.gen(function* () {
  return {
    admin: yield* createUser("admin"),
    manager: yield* createUser("manager"),
    worker: yield* createUser("worker"),
    worker2: yield* createUser("worker"),
    client: yield* createUser("client"),
    client2: yield* createUser("client"),
    supervisor: yield* createUser("supervisor"),
    partner: yield* createUser("partner")
  }
})
