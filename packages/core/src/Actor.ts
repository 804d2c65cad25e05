import { Context, Effect, Schema } from "effect"
import { UserId } from "./Ids.js"
import { Role } from "./Role.js"

/** Who is performing an operation. Every domain operation runs as one. */
export class Actor extends Schema.Class<Actor>("Actor")({
  id: UserId,
  role: Role
}) {}

/** The actor of the current operation; the HTTP server and the bot provide it per request. */
export class CurrentActor extends Context.Tag("@taskdesk/core/CurrentActor")<CurrentActor, Actor>() {}

/** The actor of the scheduler and of start-up tasks: an administrator that is nobody. */
export const system: Actor = new Actor({ id: UserId.make("system"), role: "admin" })

/** Runs an effect as the given person: `tasks.create(input).pipe(Actor.as(manager))`. */
export const as =
  (user: { readonly id: UserId; readonly role: Role }) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, CurrentActor>> =>
    Effect.provideService(effect, CurrentActor, new Actor({ id: user.id, role: user.role }))

/** Runs an effect as the system actor (start-up, scheduler). */
export const asSystem = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, CurrentActor>> =>
  Effect.provideService(effect, CurrentActor, system)
