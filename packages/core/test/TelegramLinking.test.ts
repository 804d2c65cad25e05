import { assert, describe, it } from "@effect/vitest"
import { Array as Arr, DateTime, Effect, Layer, Option, Random, TestClock } from "effect"
import { AuditLog } from "../src/AuditLog.js"
import * as MemoryTelegramLinks from "../src/memory/MemoryTelegramLinks.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { TelegramLinking } from "../src/TelegramLinking.js"
import { UserRepo } from "../src/UserRepo.js"
import { Users, userSubject } from "../src/Users.js"
import { as, asSystem, at, createPeople, telegramLinksConformance } from "../testing/index.js"

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
// Effect's Random is not a cryptographic source: good enough for tests, never for production codes.
const testCode = Effect.map(Effect.all(Arr.makeBy(24, () => Random.nextIntBetween(0, alphabet.length))), (digits) =>
  digits.map((d) => alphabet[d]).join("")
)

const links = MemoryTelegramLinks.layer(testCode)
const layer = TelegramLinking.Default.pipe(Layer.provideMerge(Layer.merge(links, TaskDesk.layerMemory)))

telegramLinksConformance("memory", links)

const telegramIdOf = (id: Parameters<UserRepo["Type"]["findById"]>[0]) =>
  Effect.flatMap(UserRepo, (repo) => repo.findById(id)).pipe(Effect.map((u) => Option.flatMap(u, (x) => x.telegramId)))

describe("TelegramLinking", () => {
  it.effect("links the account that redeems a person's code, once, audited as that person", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-03-02T09:00:00Z")))
      const people = yield* createPeople
      const linking = yield* TelegramLinking
      const { code, expiresAt } = yield* linking.issue().pipe(as(people.worker))
      assert.strictEqual(DateTime.formatIso(expiresAt), "2026-03-02T09:10:00.000Z")
      const linked = yield* linking.link(code, 424242)
      assert.strictEqual(linked.id, people.worker.id)
      assert.deepStrictEqual(yield* telegramIdOf(people.worker.id), Option.some(424242))
      const again = yield* linking.link(code, 424242).pipe(Effect.flip)
      assert.strictEqual(again._tag, "InvalidInput")
      const history = yield* (yield* AuditLog).history(userSubject(people.worker.id))
      const last = history[history.length - 1]!
      assert.strictEqual(last.type, "user.updated")
      assert.strictEqual(last.actorId, people.worker.id)
    }).pipe(Effect.provide(layer))
  )

  it.effect("a code expires after ten minutes", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-03-02T09:00:00Z")))
      const people = yield* createPeople
      const linking = yield* TelegramLinking
      const { code } = yield* linking.issue().pipe(as(people.client))
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual((yield* linking.link(code, 777).pipe(Effect.flip))._tag, "InvalidInput")
      assert.deepStrictEqual(yield* telegramIdOf(people.client.id), Option.none())
    }).pipe(Effect.provide(layer))
  )

  it.effect("an account already linked to someone else moves to the new person; unlink removes it", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-03-02T09:00:00Z")))
      const people = yield* createPeople
      const linking = yield* TelegramLinking
      yield* linking.link((yield* linking.issue().pipe(as(people.worker))).code, 555)
      yield* linking.link((yield* linking.issue().pipe(as(people.worker2))).code, 555)
      assert.deepStrictEqual(yield* telegramIdOf(people.worker.id), Option.none())
      assert.deepStrictEqual(yield* telegramIdOf(people.worker2.id), Option.some(555))
      yield* linking.unlink().pipe(as(people.worker2))
      assert.deepStrictEqual(yield* telegramIdOf(people.worker2.id), Option.none())
    }).pipe(Effect.provide(layer))
  )

  it.effect("a deactivated person cannot link, and a bad Telegram id is refused", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-03-02T09:00:00Z")))
      const people = yield* createPeople
      const linking = yield* TelegramLinking
      const { code } = yield* linking.issue().pipe(as(people.worker))
      assert.strictEqual((yield* linking.link(code, -5).pipe(Effect.flip))._tag, "InvalidInput")
      yield* (yield* Users).deactivate(people.worker.id).pipe(asSystem)
      assert.strictEqual((yield* linking.link(code, 99).pipe(Effect.flip))._tag, "InvalidInput")
      assert.strictEqual((yield* linking.issue().pipe(as(people.worker), Effect.flip))._tag, "InvalidInput")
    }).pipe(Effect.provide(layer))
  )
})
