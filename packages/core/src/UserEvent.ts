import { Schema } from "effect"
import { Role } from "./Role.js"

/** Changes to people, as the audit log records them. Role changes are security events. */
export const UserCreated = Schema.TaggedStruct("user.created", { username: Schema.String, role: Role })
/** A person's details changed; `fields` names what. */
export const UserUpdated = Schema.TaggedStruct("user.updated", { fields: Schema.Array(Schema.String) })
/** A person's role changed. */
export const UserRoleChanged = Schema.TaggedStruct("user.role_changed", { from: Role, to: Role })
/** A person can no longer sign in or receive work. */
export const UserDeactivated = Schema.TaggedStruct("user.deactivated", {})

/** Every event about a person. */
export const UserEvent = Schema.Union(UserCreated, UserUpdated, UserRoleChanged, UserDeactivated)
export type UserEvent = typeof UserEvent.Type
