import { DateTime, Duration, Effect, Option } from "effect"
import { as, CurrentActor } from "./Actor.js"
import { AuditLog } from "./AuditLog.js"
import { orNotFound } from "./Errors.js"
import { traced } from "./Operation.js"
import { authorize, Policy } from "./Policy.js"
import { TelegramLinks } from "./TelegramLinks.js"
import { TelegramId, User } from "./User.js"
import { UserRepo } from "./UserRepo.js"
import { userSubject } from "./Users.js"
import { invalidField, validate } from "./Validation.js"

/** How long a link code stays valid. */
export const codeLifetime = Duration.minutes(10)

/** A code to send the bot as `/start <code>`, and until when it works. */
export interface LinkCode {
  readonly code: string
  readonly expiresAt: DateTime.Utc
}

/**
 * Linking Telegram accounts: a person asks for a one-time code (as themselves) and the bot redeems
 * it for the Telegram account that sent it. The code is the proof; the link is recorded as done by
 * the person it links.
 */
export class TelegramLinking extends Effect.Service<TelegramLinking>()("@taskdesk/core/TelegramLinking", {
  effect: Effect.gen(function* () {
    const links = yield* TelegramLinks
    const users = yield* UserRepo
    const policy = yield* Policy
    const audit = yield* AuditLog

    /** Loads the actor's own user record; everyone may link only themselves. */
    const self = Effect.gen(function* () {
      const actor = yield* CurrentActor
      const user = yield* users.findById(actor.id).pipe(orNotFound("User", actor.id))
      yield* authorize(policy, actor, {
        entity: "User",
        id: actor.id,
        read: "user.read",
        action: "user.read",
        relations: new Set(["self"])
      })
      return user
    })

    /** A fresh code for the actor, valid for `codeLifetime`; an earlier one stops working. */
    const issue = traced("TelegramLinking.issue")(function* () {
      const user = yield* self
      if (!user.active) return yield* invalidField(["user"], "a deactivated user cannot link Telegram")
      const expiresAt = DateTime.addDuration(yield* DateTime.now, codeLifetime)
      return { code: yield* links.issue(user.id, expiresAt), expiresAt } as LinkCode
    })

    /** Sets the user's Telegram id in the current transaction, audited as done by them. */
    const setTelegramId = (user: User, telegramId: Option.Option<number>) =>
      Effect.gen(function* () {
        const next = new User({ ...user, telegramId, updatedAt: yield* DateTime.now })
        yield* users.update(next).pipe(Effect.orDie)
        yield* audit.record(userSubject(user.id), { _tag: "user.updated", fields: ["telegramId"] }).pipe(as(user))
        return next
      })

    /**
     * Links the Telegram account `telegramId` to whoever the code was issued to, and uses the code up.
     * An account linked to someone else before moves over: Telegram ids are unique.
     */
    const link = traced("TelegramLinking.link")(function* (code: string, telegramId: number) {
      const valid = yield* validate({ telegramId: TelegramId })({ telegramId })
      const unknown = invalidField(["code"], "unknown or expired code")
      return yield* audit.transaction(
        Effect.gen(function* () {
          const owner = yield* links.redeem(code, yield* DateTime.now)
          if (Option.isNone(owner)) return yield* unknown
          const user = yield* users.findById(owner.value)
          if (Option.isNone(user) || !user.value.active) return yield* unknown
          const previous = yield* users.findByTelegramId(valid.telegramId)
          if (Option.isSome(previous) && previous.value.id !== user.value.id) {
            yield* setTelegramId(previous.value, Option.none())
          }
          if (Option.contains(user.value.telegramId, valid.telegramId)) return user.value
          return yield* setTelegramId(user.value, Option.some(valid.telegramId))
        })
      )
    })

    /** Removes the actor's Telegram link, if any. */
    const unlink = traced("TelegramLinking.unlink")(function* () {
      return yield* audit.transaction(
        Effect.gen(function* () {
          const user = yield* self
          return Option.isNone(user.telegramId) ? user : yield* setTelegramId(user, Option.none())
        })
      )
    })

    return { issue, link, unlink } as const
  })
}) {}
