import { SqlClient, SqlSchema } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { Fragment } from "@effect/sql/Statement"
import { Errors, Ids, User, UserRepo } from "@taskdesk/core"
import { Effect, Layer, type ParseResult, Schema } from "effect"
import { column, columnNames, EpochMillis, modelRow, nullable, orNull, rowDecoder, SqlBoolean } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { onViolation, orDie } from "./SqlErrors.js"
import { findByIds, insertIfNew } from "./SqlRows.js"

const UserColumns = Schema.Struct({
  ...User.User.fields,
  email: Schema.OptionFromNullOr(Schema.String),
  telegramId: nullable("telegram_id", Schema.Number),
  dingtalkId: nullable("dingtalk_id", Schema.String),
  active: SqlBoolean,
  createdAt: column("created_at", EpochMillis),
  updatedAt: column("updated_at", EpochMillis)
})

/** A `users` row as the model it stores. */
export const UserRow = modelRow(User.User, UserColumns)

/** The case-insensitive username key, the same as the in-memory store's. */
const usernameKey = (username: string) => username.toLowerCase()

interface KeyRow {
  readonly id: string
  readonly username_key: string
  readonly telegram_id: number | string | null
  readonly dingtalk_id: string | null
}

/** The SQL version of `UserRepo`. */
export const layer: Layer.Layer<UserRepo.UserRepo, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  UserRepo.UserRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    const columns = sql.literal(columnNames(UserColumns).join(", "))
    const encode = Schema.encode(UserRow)
    const decode = rowDecoder(UserRow)

    const findOneWhere = (condition: Fragment) =>
      orDie(
        SqlSchema.findOne({
          Request: Schema.Void,
          Result: UserRow,
          execute: () => query(sql`SELECT ${columns} FROM users WHERE ${condition}`)
        })(undefined)
      )

    /**
     * Which unique key of `user` another row holds, checked in the in-memory store's order:
     * id (inserts only), username, Telegram id, DingTalk id.
     */
    const clash = (user: User.User, checkId: boolean) =>
      Effect.gen(function* () {
        const key = usernameKey(user.username)
        const telegramId = orNull(user.telegramId)
        const dingtalkId = orNull(user.dingtalkId)
        const rows = yield* query(sql<KeyRow>`SELECT id, username_key, telegram_id, dingtalk_id FROM users
          WHERE id = ${user.id} OR username_key = ${key} OR telegram_id = ${telegramId} OR dingtalk_id = ${dingtalkId}`)
        const others = rows.filter((r) => r.id !== user.id)
        if (checkId && rows.some((r) => r.id === user.id)) {
          return new Errors.DuplicateKey({ entity: "User", field: "id", value: user.id })
        }
        if (others.some((r) => r.username_key === key)) {
          return new Errors.DuplicateKey({ entity: "User", field: "username", value: key })
        }
        if (telegramId !== null && others.some((r) => Number(r.telegram_id) === telegramId)) {
          return new Errors.DuplicateKey({ entity: "User", field: "telegramId", value: String(telegramId) })
        }
        if (dingtalkId !== null && others.some((r) => r.dingtalk_id === dingtalkId)) {
          return new Errors.DuplicateKey({ entity: "User", field: "dingtalkId", value: dingtalkId })
        }
        return undefined
      })

    /** A unique violation that slipped past the checks (a concurrent writer), as `DuplicateKey`. */
    const uniqueViolation = (user: User.User) =>
      onViolation(dialect.violation, (v) => {
        if (v._tag !== "Unique") return undefined
        const field = v.columns.includes("telegram_id")
          ? "telegramId"
          : v.columns.includes("dingtalk_id")
            ? "dingtalkId"
            : v.columns.includes("username_key")
              ? "username"
              : "id"
        const value = {
          id: user.id,
          username: usernameKey(user.username),
          telegramId: String(orNull(user.telegramId)),
          dingtalkId: String(orNull(user.dingtalkId))
        }[field]
        return new Errors.DuplicateKey({ entity: "User", field, value })
      })

    const row = (user: User.User) =>
      Effect.map(encode(user), (encoded) => ({ ...encoded, username_key: usernameKey(user.username) }))

    const update = (
      user: User.User,
      attempts: number
    ): Effect.Effect<void, Errors.DuplicateKey | Errors.NotFound | SqlError | ParseResult.ParseError> =>
      Effect.gen(function* () {
        const { id, ...changes } = yield* row(user)
        const telegramId = orNull(user.telegramId)
        const dingtalkId = orNull(user.dingtalkId)
        // The clash check sits in the UPDATE itself, so a PostgreSQL transaction stays usable after one.
        // The clashing rows are a derived table: MySQL refuses a subquery on the table an UPDATE writes.
        const updated = yield* dialect.rowCount(sql`UPDATE users SET ${sql.update(changes)} WHERE id = ${id}
          AND NOT EXISTS (SELECT 1 FROM (SELECT o.id FROM users o WHERE o.id <> ${id}
            AND (o.username_key = ${changes.username_key} OR o.telegram_id = ${telegramId}
              OR o.dingtalk_id = ${dingtalkId})) clash)`)
        if (updated > 0) return
        const exists = yield* query(sql`SELECT 1 FROM users WHERE id = ${id}`)
        if (exists.length === 0) return yield* new Errors.NotFound({ entity: "User", id })
        const error = yield* clash(user, false)
        if (error !== undefined) return yield* error
        // The clashing row changed between the two statements: try again.
        if (attempts > 1) return yield* update(user, attempts - 1)
        return yield* Effect.die(new Error(`user ${id} keeps changing concurrently`))
      })

    return {
      findById: (id) => findOneWhere(sql`id = ${id}`),
      findByIds: (ids) => orDie(findByIds(sql, query, "users", columns, decode, ids)),
      findByUsername: (username) => findOneWhere(sql`username_key = ${usernameKey(username)}`),
      findByTelegramId: (telegramId) => findOneWhere(sql`telegram_id = ${telegramId}`),
      findByDingtalkId: (dingtalkId) => findOneWhere(sql`dingtalk_id = ${dingtalkId}`),
      insert: (user) =>
        orDie(
          Effect.gen(function* () {
            if (yield* insertIfNew(dialect, "users", yield* row(user))) return
            const error = yield* clash(user, true)
            return yield* error ?? new Errors.DuplicateKey({ entity: "User", field: "id", value: user.id })
          }).pipe(uniqueViolation(user))
        ),
      update: (user) => orDie(update(user, 3).pipe(uniqueViolation(user))),
      lockActive: (role) =>
        orDie(
          Effect.map(
            query(
              sql<{ readonly id: string }>`SELECT id FROM users WHERE role = ${role} AND active = ${1}
                ORDER BY id ${dialect.forUpdate}`
            ),
            (rows) => rows.map((r) => Ids.UserId.make(r.id))
          )
        ),
      list: (request) => {
        const where: Array<Fragment> = []
        if (request.role !== undefined) where.push(sql`role = ${request.role}`)
        if (request.active !== undefined) where.push(sql`active = ${request.active ? 1 : 0}`)
        return orDie(
          Effect.flatMap(query(sql`SELECT ${columns} FROM users WHERE ${sql.and(where)} ORDER BY name, id`), decode.all)
        )
      }
    }
  })
)
