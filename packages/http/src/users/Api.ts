import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Ids, Role, User } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { BooleanParam, exact, IfMatch, strict } from "../Schemas.js"

export const UserPath = Schema.Struct({ id: Ids.UserId })

/** A new person; with `password` they can sign in at once. */
export const CreateUser = strict(
  Schema.Struct({
    ...User.CreateUser.fields,
    password: Schema.optional(Schema.String.pipe(Schema.maxLength(1_024)))
  })
)

export const UpdateUser = strict(Schema.Struct(User.UpdateUser.fields))

export const UserQuery = strict(
  Schema.Struct({
    role: exact(Role.Role),
    active: exact(BooleanParam)
  })
)

/** People: administrators manage them; others see whom the policy lets them. */
export class UsersApi extends HttpApiGroup.make("users")
  .add(HttpApiEndpoint.get("list", "/users").setUrlParams(UserQuery).addSuccess(Schema.Array(User.User)))
  .add(HttpApiEndpoint.post("create", "/users").setPayload(CreateUser).addSuccess(User.User, { status: 201 }))
  .add(HttpApiEndpoint.get("get", "/users/:id").setPath(UserPath).addSuccess(User.User))
  .add(
    HttpApiEndpoint.patch("update", "/users/:id")
      .setPath(UserPath)
      .setHeaders(IfMatch)
      .setPayload(UpdateUser)
      .addSuccess(User.User)
  )
  .add(HttpApiEndpoint.del("deactivate", "/users/:id").setPath(UserPath).addSuccess(User.User))
  .middleware(Authentication)
  .prefix("/api") {}
