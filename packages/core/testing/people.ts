import { Effect } from "effect"
import { asSystem } from "../src/Actor.js"
import type { Role } from "../src/Role.js"
import { Users } from "../src/Users.js"
import { uniqueId } from "./fixtures.js"

export { as, asSystem } from "../src/Actor.js"

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
