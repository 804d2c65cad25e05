import { SqlClient } from "@effect/sql"
import { Ids, TelegramLinks } from "@taskdesk/core"
import { Clock, DateTime, Effect, Layer, Option, Schema } from "effect"
import { newCode } from "../notify/TelegramLinkCodes.js"
import { column, EpochMillis } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { orDie } from "./SqlErrors.js"

const RedeemedRow = Schema.Struct({
  userId: column("user_id", Ids.UserId),
  expiresAt: column("expires_at", EpochMillis)
})

/** The SQL version of `TelegramLinks` with codes from `code`, so every instance of a server shares them. */
export const make = (
  code: Effect.Effect<string>
): Layer.Layer<TelegramLinks.TelegramLinks, never, SqlClient.SqlClient | Dialect> =>
  Layer.effect(
    TelegramLinks.TelegramLinks,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const dialect = yield* Dialect
      const decodeAll = Schema.decodeUnknown(Schema.Array(RedeemedRow))

      return {
        issue: (userId, expiresAt) =>
          Effect.gen(function* () {
            const fresh = yield* code
            const row = {
              code: fresh,
              user_id: userId,
              expires_at: DateTime.toEpochMillis(expiresAt),
              created_at: yield* Clock.currentTimeMillis
            }
            // One statement, so two issues racing for one user still leave a single code (the unique index).
            const { proposed } = dialect
            yield* dialect.query(
              sql`INSERT INTO telegram_links ${sql.insert(row)} ${dialect.onConflictUpdate(
                ["user_id"],
                sql`code = ${proposed("code")}, expires_at = ${proposed("expires_at")}, created_at = ${proposed("created_at")}`
              )}`
            )
            return fresh
          }).pipe(orDie),
        redeem: (linkCode, now) =>
          // Deleting is what makes a code single-use: of two redeemers only one gets the row back.
          dialect
            .deleteReturning({
              table: "telegram_links",
              key: "code",
              where: sql`code = ${linkCode}`,
              returning: sql`user_id, expires_at`
            })
            .pipe(
              Effect.flatMap(decodeAll),
              Effect.map((rows) =>
                Option.fromNullable(rows[0]).pipe(
                  Option.filter((row) => DateTime.lessThan(now, row.expiresAt)),
                  Option.map((row) => row.userId)
                )
              ),
              orDie
            )
      }
    })
  )

/** The SQL version of `TelegramLinks`, with 128-bit codes from `node:crypto`. */
export const layer: Layer.Layer<TelegramLinks.TelegramLinks, never, SqlClient.SqlClient | Dialect> = make(newCode)
