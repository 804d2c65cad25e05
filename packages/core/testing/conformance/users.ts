import { assert, describe, layer as withStorage } from "@effect/vitest"
import { Effect, Equal, type Layer, Option } from "effect"
import { UserId } from "../../src/Ids.js"
import { Project } from "../../src/Project.js"
import { ProjectRepo } from "../../src/ProjectRepo.js"
import type { Storage } from "../../src/Storage.js"
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
