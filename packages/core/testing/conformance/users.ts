import { assert, describe, layer as withStorage } from "@effect/vitest"
import { Deferred, Effect, Equal, Fiber, type Layer, Option } from "effect"
import { UserId } from "../../src/Ids.js"
import { Project } from "../../src/Project.js"
import { ProjectRepo } from "../../src/ProjectRepo.js"
import type { Storage } from "../../src/Storage.js"
import { Transaction } from "../../src/Transaction.js"
import { User } from "../../src/User.js"
import { UserRepo } from "../../src/UserRepo.js"
import { makeProject, makeUser, uniqueId } from "../fixtures.js"
import { assertSameModel } from "./same.js"

/** The UserRepo and ProjectRepo contracts. */
export const userRepoSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("UserRepo and ProjectRepo", () => {
    withStorage(layer)((it) => {
      it.effect("stores users and finds them by every unique key", () =>
        Effect.gen(function* () {
          const repo = yield* UserRepo
          const telegramId = 1_000_000 + Math.floor(Math.random() * 1e9)
          const user = makeUser({
            name: "Иван Петров",
            telegramId: Option.some(telegramId),
            dingtalkId: Option.some(uniqueId("ding")),
            email: Option.some("ivan@example.com"),
            language: "ru",
            role: "manager"
          })
          yield* repo.insert(user)
          assert.isTrue(Equal.equals((yield* repo.findById(user.id)).pipe(Option.getOrThrow), user))
          assert.isTrue(Option.isSome(yield* repo.findByUsername(user.username.toUpperCase())))
          assert.isTrue(Option.isSome(yield* repo.findByTelegramId(telegramId)))
          assert.isTrue(Option.isSome(yield* repo.findByDingtalkId(Option.getOrThrow(user.dingtalkId))))
          assert.isTrue(Option.isNone(yield* repo.findByUsername("nobody-here")))
          const many = yield* repo.findByIds([user.id, UserId.make("missing")])
          assert.deepStrictEqual(
            many.map((u) => u.id),
            [user.id]
          )
        })
      )

      it.effect("lockActive reads a role's active users and holds them until its transaction ends", () =>
        Effect.gen(function* () {
          const repo = yield* UserRepo
          const tx = yield* Transaction
          const [a, b] = [makeUser({ role: "admin" }), makeUser({ role: "admin" })].sort((x, y) =>
            x.id < y.id ? -1 : 1
          )
          const inactive = makeUser({ role: "admin", active: false })
          const worker = makeUser({ role: "worker" })
          for (const user of [a!, b!, inactive, worker]) yield* repo.insert(user)
          const admins = yield* repo.lockActive("admin")
          assert.isTrue(admins.includes(a!.id) && admins.includes(b!.id))
          assert.isFalse(admins.includes(inactive.id) || admins.includes(worker.id))
          assert.deepStrictEqual(admins, [...admins].sort(), "in id order")
          assert.isTrue((yield* repo.lockActive("worker")).includes(worker.id))

          // One transaction reads the admins, then demotes `a`; another reads them meanwhile. The second
          // must see the demotion, or two admins demoting each other at once would both pass the rule.
          const locked = yield* Deferred.make<void>()
          const release = yield* Deferred.make<void>()
          const first = yield* tx
            .run(
              Effect.gen(function* () {
                const seen = yield* repo.lockActive("admin")
                yield* Deferred.succeed(locked, undefined)
                yield* Deferred.await(release)
                yield* repo.update(new User({ ...a!, role: "worker" }))
                return seen
              })
            )
            .pipe(Effect.fork)
          yield* Deferred.await(locked)
          const second = yield* tx.run(repo.lockActive("admin")).pipe(Effect.fork)
          // Give the second transaction time to read before the first commits, had it not to wait.
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
          yield* Deferred.succeed(release, undefined)
          const seenFirst = yield* Fiber.join(first)
          const seenSecond = yield* Fiber.join(second)
          assert.isTrue(seenFirst.includes(a!.id))
          assert.isFalse(
            seenSecond.includes(a!.id),
            "the second transaction read the admins before the first committed"
          )
          assert.isTrue(seenSecond.includes(b!.id))
        })
      )

      it.effect("refuses a taken username (in any case), Telegram id or DingTalk id", () =>
        Effect.gen(function* () {
          const repo = yield* UserRepo
          const user = makeUser({ telegramId: Option.some(2_000_000 + Math.floor(Math.random() * 1e9)) })
          yield* repo.insert(user)
          const sameName = yield* repo.insert(makeUser({ username: user.username.toUpperCase() })).pipe(Effect.flip)
          assert.strictEqual(sameName._tag, "DuplicateKey")
          assert.strictEqual(sameName.field, "username")
          const sameTelegram = yield* repo.insert(makeUser({ telegramId: user.telegramId })).pipe(Effect.flip)
          assert.strictEqual(sameTelegram.field, "telegramId")
          const other = makeUser()
          yield* repo.insert(other)
          const clash = yield* repo.update(makeUser({ ...other, username: user.username })).pipe(Effect.flip)
          assert.strictEqual(clash._tag, "DuplicateKey")
          const missing = yield* repo.update(makeUser()).pipe(Effect.flip)
          assert.strictEqual(missing._tag, "NotFound")
        })
      )

      it.effect("updates users and lists them by role and activity", () =>
        Effect.gen(function* () {
          const repo = yield* UserRepo
          const role = "supervisor" as const
          const a = makeUser({ name: `B ${uniqueId("n")}`, role })
          const b = makeUser({ name: `A ${uniqueId("n")}`, role })
          yield* repo.insert(a)
          yield* repo.insert(b)
          yield* repo.update(makeUser({ ...a, active: false }))
          const active = (yield* repo.list({ role, active: true })).map((u) => u.id)
          assert.isTrue(active.includes(b.id) && !active.includes(a.id))
          const all = (yield* repo.list({ role })).filter((u) => u.id === a.id || u.id === b.id)
          assert.deepStrictEqual(
            all.map((u) => u.id),
            [b.id, a.id]
          )
        })
      )

      it.effect("stores projects and lists those involving a user", () =>
        Effect.gen(function* () {
          const repo = yield* ProjectRepo
          const owner = UserId.make(uniqueId("owner"))
          const member = UserId.make(uniqueId("member"))
          const owned = makeProject({ name: "Б проект", ownerId: owner })
          const joined = makeProject({
            name: "А проект",
            ownerId: UserId.make(uniqueId("x")),
            memberIds: [owner, member]
          })
          yield* repo.insert(owned)
          yield* repo.insert(joined)
          assertSameModel(Project, (yield* repo.findById(owned.id)).pipe(Option.getOrThrow), owned)
          assert.deepStrictEqual(
            (yield* repo.list({ involving: owner })).map((p) => p.id),
            [joined.id, owned.id]
          )
          assert.deepStrictEqual(
            (yield* repo.list({ ownerId: owner })).map((p) => p.id),
            [owned.id]
          )
          assert.deepStrictEqual(
            (yield* repo.list({ involving: member })).map((p) => p.id),
            [joined.id]
          )
          const conflict = yield* repo
            .update(makeProject({ ...owned, archived: true, version: 2 }), 7)
            .pipe(Effect.flip)
          assert.strictEqual(conflict._tag, "VersionConflict")
          yield* repo.update(makeProject({ ...owned, archived: true, version: 2 }), 1)
          assert.deepStrictEqual(
            (yield* repo.list({ ownerId: owner, archived: false })).map((p) => p.id),
            []
          )
          assert.strictEqual((yield* repo.insert(owned).pipe(Effect.flip))._tag, "DuplicateKey")
        })
      )
    })
  })
