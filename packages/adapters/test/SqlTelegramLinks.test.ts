import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it, layer as withLinks } from "@effect/vitest"
import { Ids, TelegramLinks } from "@taskdesk/core"
import { at, telegramLinksConformance, uniqueId } from "@taskdesk/core/testing"
import { DateTime, Effect, Layer, Option } from "effect"
import * as Migrations from "../src/sql/Migrations.js"
import * as SqlStorage from "../src/sql/SqlStorage.js"
import { describePg, freshSchema, pgUrl } from "../testing/Postgres.js"

const now = at("2026-03-02T09:00:00Z")
const later = DateTime.add(now, { minutes: 10 })

/** The redeemed user as a plain value: `assert.deepStrictEqual` does not tell one `Option` from another. */
const redeemed = (links: TelegramLinks.TelegramLinks["Type"], code: string, when: DateTime.Utc) =>
  Effect.map(links.redeem(code, when), Option.getOrNull)

/** The contract again, asserted on plain values. */
const strictChecks = <E>(name: string, layer: Layer.Layer<TelegramLinks.TelegramLinks, E>) =>
  describe(`SqlTelegramLinks: ${name}`, () => {
    withLinks(layer)((it) => {
      it.effect("single use, expiry at the instant, replacement per user, one winner of a race", () =>
        Effect.gen(function* () {
          const links = yield* TelegramLinks.TelegramLinks
          const user = Ids.UserId.make(uniqueId("user"))
          const other = Ids.UserId.make(uniqueId("user"))
          const code = yield* links.issue(user, later)
          assert.strictEqual(yield* redeemed(links, code, now), user)
          assert.strictEqual(yield* redeemed(links, code, now), null)

          const expiring = yield* links.issue(user, later)
          assert.strictEqual(yield* redeemed(links, expiring, DateTime.subtract(later, { millis: 1 })), user)
          const expired = yield* links.issue(user, later)
          assert.strictEqual(yield* redeemed(links, expired, later), null)
          assert.strictEqual(yield* redeemed(links, expired, now), null, "an expired code is gone for good")

          const first = yield* links.issue(user, later)
          const others = yield* links.issue(other, later)
          const second = yield* links.issue(user, later)
          assert.strictEqual(yield* redeemed(links, first, now), null)
          assert.strictEqual(yield* redeemed(links, others, now), other)
          assert.strictEqual(yield* redeemed(links, second, now), user)

          const raced = yield* links.issue(user, later)
          const results = yield* Effect.all(
            Array.from({ length: 8 }, () => redeemed(links, raced, now)),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(
            results.filter((r) => r !== null),
            [user]
          )
        })
      )
    })
  })

const migrated = Layer.effectDiscard(Migrations.run)

const sqlite = SqlStorage.telegramLinks.pipe(
  Layer.provide(migrated),
  Layer.provide(SqlStorage.clientSqlite({ filename: ":memory:" }))
)
telegramLinksConformance("SQLite :memory:", sqlite)
strictChecks("SQLite :memory:", sqlite)

describe("SqlTelegramLinks: a restart", () => {
  it.effect("a code issued before the server restarts is redeemed after it, once", () =>
    Effect.gen(function* () {
      const filename = join(tmpdir(), `taskdesk-links-${process.pid}-${Date.now()}.sqlite`)
      const opened = () =>
        SqlStorage.telegramLinks.pipe(Layer.provide(migrated), Layer.provide(SqlStorage.clientSqlite({ filename })))
      const user = Ids.UserId.make(uniqueId("user"))
      const code = yield* Effect.provide(
        Effect.flatMap(TelegramLinks.TelegramLinks, (links) => links.issue(user, later)),
        opened()
      )
      const redeem = Effect.flatMap(TelegramLinks.TelegramLinks, (links) => redeemed(links, code, now))
      assert.strictEqual(yield* Effect.provide(redeem, opened()), user)
      assert.strictEqual(yield* Effect.provide(redeem, opened()), null)
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${filename}${suffix}`, { force: true })
    })
  )
})

// Last in the file: `layer(...)` rebinds the module's `it.effect` to its layer (even in a skipped suite), so a
// top-level test after it would run on PostgreSQL's layer.
describePg("PostgreSQL", () => {
  const pg = Layer.unwrapScoped(
    Effect.map(freshSchema("telegram_links"), (schema) =>
      SqlStorage.telegramLinks.pipe(Layer.provide(migrated), Layer.provide(SqlStorage.clientPg({ url: pgUrl, schema })))
    )
  )
  telegramLinksConformance("PostgreSQL", pg)
  strictChecks("PostgreSQL", pg)
})
