import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
import { Instant, Text, User } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { ReturnsSecret } from "../ReturnsSecret.js"
import { strict } from "../Schemas.js"

const Secret = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1_024))
const Token = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(512))

/** What `login`, `refresh` and `telegram` answer: a bearer access token and the refresh token that renews it. */
export class Session extends Schema.Class<Session>("Session")({
  accessToken: Schema.String,
  refreshToken: Schema.String,
  tokenType: Schema.Literal("Bearer"),
  /** Seconds until the access token expires. */
  expiresIn: Schema.Number,
  /** Seconds until the refresh token expires. */
  refreshExpiresIn: Schema.Number,
  user: User.User,
  /** Present when a cookie session was asked for: echo it in `X-CSRF-Token` on writes. */
  csrfToken: Schema.optional(Schema.String)
}) {}

export const Login = strict(
  Schema.Struct({
    username: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64)),
    password: Secret,
    /** Also set the session cookie, for browsers. */
    cookie: Schema.optional(Schema.Boolean)
  })
)

export const Refresh = strict(Schema.Struct({ refreshToken: Token }))

/**
 * The fields the Telegram Login Widget hands the page, verbatim. Fields Telegram adds later are
 * accepted, since the signature covers every field it sends.
 */
export const TelegramLogin = Schema.Struct(
  {
    id: Schema.Int.pipe(Schema.positive()),
    auth_date: Schema.Int.pipe(Schema.nonNegative()),
    hash: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
    first_name: Schema.optional(Schema.String.pipe(Schema.maxLength(256))),
    last_name: Schema.optional(Schema.String.pipe(Schema.maxLength(256))),
    username: Schema.optional(Schema.String.pipe(Schema.maxLength(256))),
    photo_url: Schema.optional(Schema.String.pipe(Schema.maxLength(2_048)))
  },
  Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number) })
)
export type TelegramLogin = typeof TelegramLogin.Type

/** `?session=cookie`: also set the session cookie, for browsers (the body is Telegram's, all of it signed). */
export const TelegramSessionQuery = Schema.Struct({ session: Schema.optional(Schema.Literal("cookie")) })

/** The ways to sign in this server offers, for the sign-in page. */
export class Providers extends Schema.Class<Providers>("Providers")({
  password: Schema.Literal(true),
  /** The bot for the Telegram Login Widget: set only when both the bot token and its username are configured. */
  telegramBot: Schema.NullOr(Schema.String)
}) {}

export const ChangePassword = strict(
  Schema.Struct({
    currentPassword: Secret,
    newPassword: Secret
  })
)

/** Signing in and renewing sessions; no authentication needed. */
export class AuthApi extends HttpApiGroup.make("auth")
  .add(HttpApiEndpoint.post("login", "/login").setPayload(Login).addSuccess(Session).annotate(ReturnsSecret, true))
  .add(
    HttpApiEndpoint.post("refresh", "/refresh").setPayload(Refresh).addSuccess(Session).annotate(ReturnsSecret, true)
  )
  .add(
    HttpApiEndpoint.post("telegram", "/telegram")
      .setPayload(TelegramLogin)
      .setUrlParams(TelegramSessionQuery)
      .addSuccess(Session)
      .annotate(ReturnsSecret, true)
  )
  .add(HttpApiEndpoint.get("providers", "/providers").addSuccess(Providers))
  .prefix("/api/auth") {}

/** The signed-in person's own session. */
export class AccountApi extends HttpApiGroup.make("account")
  .add(HttpApiEndpoint.get("me", "/me").addSuccess(User.User))
  .add(HttpApiEndpoint.post("logout", "/logout").addSuccess(HttpApiSchema.NoContent))
  .add(
    HttpApiEndpoint.post("changePassword", "/password").setPayload(ChangePassword).addSuccess(HttpApiSchema.NoContent)
  )
  .middleware(Authentication)
  .prefix("/api/auth") {}

/** An API token as listed: the secret itself is shown only once, at creation. */
export class ApiToken extends Schema.Class<ApiToken>("ApiToken")({
  id: Schema.String,
  name: Schema.String,
  createdAt: Schema.DateTimeUtc,
  expiresAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  lastUsedAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" })
}) {}

/** A freshly made API token, with its secret. */
export class CreatedApiToken extends Schema.Class<CreatedApiToken>("CreatedApiToken")({
  ...ApiToken.fields,
  token: Schema.String
}) {}

export const CreateApiToken = strict(
  Schema.Struct({
    name: Text.singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(100))),
    /** Days until it expires (or give `expiresAt`); never when neither is given. */
    expiresInDays: Schema.optional(Schema.Int.pipe(Schema.between(1, 3_650))),
    /** When it expires: a time in the next 3650 days (or give `expiresInDays`). */
    expiresAt: Schema.optional(Instant.Instant)
  })
)

/** API tokens for integrations: they act as the person who made them. */
export class TokensApi extends HttpApiGroup.make("tokens")
  .add(
    HttpApiEndpoint.post("create", "/tokens")
      .setPayload(CreateApiToken)
      .addSuccess(CreatedApiToken, { status: 201 })
      .annotate(ReturnsSecret, true)
  )
  .add(HttpApiEndpoint.get("list", "/tokens").addSuccess(Schema.Array(ApiToken)))
  .add(
    HttpApiEndpoint.del("revoke", "/tokens/:id")
      .setPath(Schema.Struct({ id: Schema.String.pipe(Schema.maxLength(64)) }))
      .addSuccess(HttpApiSchema.NoContent)
  )
  .middleware(Authentication)
  .prefix("/api") {}
