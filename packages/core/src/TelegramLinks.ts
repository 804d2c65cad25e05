import { Context, type DateTime, type Effect, type Option } from "effect"
import type { UserId } from "./Ids.js"

/**
 * One-time codes that link a Telegram account to a person: the signed-in person asks for one and
 * sends `/start <code>` to the bot. A port; codes must be unguessable (at least 128 bits from a
 * cryptographic random source) and fit Telegram's `start` parameter (`[A-Za-z0-9_-]`, up to 64).
 */
export class TelegramLinks extends Context.Tag("@taskdesk/core/TelegramLinks")<
  TelegramLinks,
  {
    /** A fresh code for the user, valid until `expiresAt`; it replaces any earlier code of theirs. */
    readonly issue: (userId: UserId, expiresAt: DateTime.Utc) => Effect.Effect<string>
    /** Uses up the code: the user it was issued to, if it is known and still valid at `now`; once only. */
    readonly redeem: (code: string, now: DateTime.Utc) => Effect.Effect<Option.Option<UserId>>
  }
>() {}
