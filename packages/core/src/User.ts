import { Schema } from "effect"
import { UserId } from "./Ids.js"
import { Role } from "./Role.js"
import { singleLine } from "./Text.js"

/** The name a person signs in with: 3–64 letters, digits, `_`, `.` or `-`; unique. */
export const Username = Schema.Trim.pipe(
  Schema.minLength(3),
  Schema.maxLength(64),
  Schema.pattern(/^[A-Za-z0-9_.-]+$/, { message: () => "letters, digits, '_', '.' and '-' only" })
)

/** An email address, for notices by email. */
export const Email = singleLine(
  Schema.Trim.pipe(
    Schema.maxLength(254),
    Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "an email address" })
  )
)

/** Telegram user ids fit in 52 bits, so a JS number holds them exactly. */
export const TelegramId = Schema.Int.pipe(Schema.positive())

/** The language notices and the bot speak to a person in. */
export const Language = Schema.Literal("en", "ru", "zh")
export type Language = typeof Language.Type

/** A person's full name: one line, 1–200 characters. */
export const PersonName = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(200)))

/** A DingTalk user id (`userid`). */
export const DingtalkId = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(64)))

/** A person who uses taskdesk. Credentials live with the server, not here. */
export class User extends Schema.Class<User>("User")({
  id: UserId,
  name: PersonName,
  username: Username,
  email: Schema.optionalWith(Email, { as: "Option" }),
  telegramId: Schema.optionalWith(TelegramId, { as: "Option" }),
  dingtalkId: Schema.optionalWith(DingtalkId, { as: "Option" }),
  role: Role,
  language: Language,
  active: Schema.Boolean,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc
}) {}

/** What an administrator supplies to create a user. */
export class CreateUser extends Schema.Class<CreateUser>("CreateUser")({
  name: PersonName,
  username: Username,
  email: Schema.optional(Email),
  telegramId: Schema.optional(TelegramId),
  dingtalkId: Schema.optional(DingtalkId),
  role: Role,
  language: Schema.optional(Language)
}) {}

/** A partial change to a user; `null` clears an optional field. */
export class UpdateUser extends Schema.Class<UpdateUser>("UpdateUser")({
  name: Schema.optional(PersonName),
  email: Schema.optional(Schema.NullOr(Email)),
  telegramId: Schema.optional(Schema.NullOr(TelegramId)),
  dingtalkId: Schema.optional(Schema.NullOr(DingtalkId)),
  role: Schema.optional(Role),
  language: Schema.optional(Language),
  active: Schema.optional(Schema.Boolean)
}) {}
