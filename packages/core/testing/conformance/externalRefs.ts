import { assert, describe, layer as withStorage } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { ExternalRefs } from "../../src/ExternalRefs.js"
import type { Storage } from "../../src/Storage.js"
import { Transaction } from "../../src/Transaction.js"
import { uniqueId } from "../fixtures.js"

/** The ExternalRefs contract: per-namespace lookups, replacement, and transactions. */
export const externalRefsSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("ExternalRefs", () => {
    withStorage(layer)((it) => {
      it.effect("resolves the known ids of a namespace and leaves the others out", () =>
        Effect.gen(function* () {
          const refs = yield* ExternalRefs
          const users = uniqueId("csv:user")
          const tasks = uniqueId("csv:task")
          yield* refs.put(users, "1", "user-a")
          yield* refs.put(users, "2", "user-b")
          yield* refs.put(tasks, "1", "task-a")
          const found = yield* refs.resolve(users, ["1", "2", "3", "Иван", ""])
          assert.deepStrictEqual([...found].sort(), [
            ["1", "user-a"],
            ["2", "user-b"]
          ])
          assert.deepStrictEqual([...(yield* refs.resolve(tasks, ["1", "2"]))], [["1", "task-a"]])
          assert.deepStrictEqual([...(yield* refs.resolve(uniqueId("empty"), ["1"]))], [])
        })
      )

      it.effect("a second put for the same external id replaces the first", () =>
        Effect.gen(function* () {
          const refs = yield* ExternalRefs
          const ns = uniqueId("csv:user")
          yield* refs.put(ns, "seed-7", "old")
          yield* refs.put(ns, "seed-7", "new")
          assert.deepStrictEqual([...(yield* refs.resolve(ns, ["seed-7"]))], [["seed-7", "new"]])
        })
      )

      it.effect("external ids compare exactly: case, spaces and non-Latin text are kept", () =>
        Effect.gen(function* () {
          const refs = yield* ExternalRefs
          const ns = uniqueId("csv:user")
          yield* refs.put(ns, "Ab", "upper")
          yield* refs.put(ns, "ab", "lower")
          yield* refs.put(ns, "用户 1", "cjk")
          const found = yield* refs.resolve(ns, ["Ab", "ab", "AB", "用户 1"])
          assert.strictEqual(found.get("Ab"), "upper")
          assert.strictEqual(found.get("ab"), "lower")
          assert.strictEqual(found.get("用户 1"), "cjk")
          assert.isFalse(found.has("AB"))
        })
      )

      it.effect("resolves more ids than one statement may bind", () =>
        Effect.gen(function* () {
          const refs = yield* ExternalRefs
          const tx = yield* Transaction
          const ns = uniqueId("csv:task")
          const ids = Array.from({ length: 2_500 }, (_, i) => String(i + 1))
          yield* tx.run(Effect.forEach(ids, (id) => refs.put(ns, id, `t${id}`), { discard: true }))
          const found = yield* refs.resolve(ns, [...ids, "missing"])
          assert.strictEqual(found.size, ids.length)
          assert.strictEqual(found.get("2500"), "t2500")
        })
      )

      it.effect("putMany records many references at once; the last pair of an external id counts", () =>
        Effect.gen(function* () {
          const refs = yield* ExternalRefs
          const ns = uniqueId("csv:task")
          yield* refs.put(ns, "1", "old")
          const many = Array.from({ length: 1_200 }, (_, i) => [String(i + 10), `t${i + 10}`] as const)
          yield* refs.putMany(ns, [["1", "new"], ["2", "first"], ...many, ["2", "last"], ["用户 1", "cjk"]])
          yield* refs.putMany(ns, [])
          const found = yield* refs.resolve(ns, ["1", "2", "用户 1", ...many.map(([id]) => id)])
          assert.strictEqual(found.size, 3 + many.length)
          assert.strictEqual(found.get("1"), "new")
          assert.strictEqual(found.get("2"), "last")
          assert.strictEqual(found.get("用户 1"), "cjk")
          assert.strictEqual(found.get("1209"), "t1209")
          assert.deepStrictEqual([...(yield* refs.resolve(uniqueId("csv:task"), ["1"]))], [])
        })
      )

      it.effect("a failed transaction leaves none of putMany's references", () =>
        Effect.gen(function* () {
          const refs = yield* ExternalRefs
          const tx = yield* Transaction
          const ns = uniqueId("csv:user")
          yield* refs.put(ns, "kept", "k")
          const failed = yield* tx
            .run(
              Effect.zipRight(
                refs.putMany(ns, [
                  ["kept", "changed"],
                  ["dropped", "d"]
                ]),
                Effect.fail("stop" as const)
              )
            )
            .pipe(Effect.flip)
          assert.strictEqual(failed, "stop")
          assert.deepStrictEqual([...(yield* refs.resolve(ns, ["kept", "dropped"]))], [["kept", "k"]])
        })
      )

      it.effect("a failed transaction leaves no reference behind", () =>
        Effect.gen(function* () {
          const refs = yield* ExternalRefs
          const tx = yield* Transaction
          const ns = uniqueId("csv:user")
          yield* refs.put(ns, "kept", "k")
          const failed = yield* tx
            .run(
              Effect.zipRight(
                Effect.zipRight(refs.put(ns, "dropped", "d"), refs.put(ns, "kept", "changed")),
                Effect.fail("stop" as const)
              )
            )
            .pipe(Effect.flip)
          assert.strictEqual(failed, "stop")
          assert.deepStrictEqual([...(yield* refs.resolve(ns, ["kept", "dropped"]))], [["kept", "k"]])
        })
      )
    })
  })
