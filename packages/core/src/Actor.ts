import { Context, Schema } from "effect"
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
