import { Context, type Effect, type Option } from "effect"
import type { DuplicateKey, NotFound } from "./Errors.js"
import type { UserId } from "./Ids.js"
import type { Role } from "./Role.js"
import type { User } from "./User.js"

/** Which people to list. */
export interface UserQuery {
  readonly role?: Role | undefined
  readonly active?: boolean | undefined
}

/** Storage port for people. Usernames, Telegram ids and DingTalk ids are unique. */
export class UserRepo extends Context.Tag("@taskdesk/core/UserRepo")<
  UserRepo,
  {
    readonly findById: (id: UserId) => Effect.Effect<Option.Option<User>>
    readonly findByIds: (ids: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyArray<User>>
    readonly findByUsername: (username: string) => Effect.Effect<Option.Option<User>>
    readonly findByTelegramId: (telegramId: number) => Effect.Effect<Option.Option<User>>
    readonly findByDingtalkId: (dingtalkId: string) => Effect.Effect<Option.Option<User>>
    readonly insert: (user: User) => Effect.Effect<void, DuplicateKey>
    readonly update: (user: User) => Effect.Effect<void, DuplicateKey | NotFound>
    /** Users ordered by name, then id. */
    readonly list: (query: UserQuery) => Effect.Effect<ReadonlyArray<User>>
    /**
     * The ids of the active users with this role, in id order, for a rule over all of them (at least one
     * active admin). Inside a transaction they stay as read until it ends: a concurrent transaction
     * changing one of them waits for it, then sees the change (PostgreSQL: `FOR UPDATE`; SQLite and the
     * in-memory store run write transactions one at a time).
     */
    readonly lockActive: (role: Role) => Effect.Effect<ReadonlyArray<UserId>>
  }
>() {}
