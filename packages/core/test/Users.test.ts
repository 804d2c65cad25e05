import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Option, TestClock } from "effect"
import { AuditLog } from "../src/AuditLog.js"
import { UserId } from "../src/Ids.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Templates } from "../src/Templates.js"
import { Users, userSubject } from "../src/Users.js"
import { as, asSystem, createPeople } from "../testing/index.js"

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake("2026-03-02T09:00:00Z")))
  return yield* createPeople
})

describe("Users", () => {
  it.effect("administrators create, change and deactivate people; role changes are audited", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const users = yield* Users
      const anna = yield* users
        .create({
          name: "Анна",
          username: "anna",
          role: "worker",
          telegramId: 42,
          email: "anna@example.com",
          language: "ru"
        })
        .pipe(as(people.admin))
      assert.strictEqual(anna.active, true)
      assert.deepStrictEqual(anna.telegramId, Option.some(42))
      const taken = yield* users
        .create({ name: "Other", username: "ANNA", role: "worker" })
        .pipe(as(people.admin), Effect.flip)
      assert.strictEqual(taken._tag, "DuplicateKey")
      const promoted = yield* users.update(anna.id, { role: "manager", email: null }).pipe(as(people.admin))
      assert.strictEqual(promoted.role, "manager")
      assert.isTrue(Option.isNone(promoted.email))
      const gone = yield* users.deactivate(anna.id).pipe(as(people.admin))
      assert.isFalse(gone.active)
      const history = yield* asSystem(Effect.flatMap(AuditLog, (audit) => audit.history(userSubject(anna.id))))
      assert.deepStrictEqual(
        history.map((e) => e.type),
        ["user.created", "user.updated", "user.role_changed", "user.deactivated"]
      )
      assert.deepStrictEqual(
        (yield* users.list({ role: "manager", active: true }).pipe(as(people.admin))).map((u) => u.id),
        [people.manager.id]
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("only administrators manage people; others read what the policy allows", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const users = yield* Users
      const tag = (e: { readonly _tag: string }) => e._tag
      assert.strictEqual(
        tag(yield* users.create({ name: "X", username: "xxx", role: "admin" }).pipe(as(people.manager), Effect.flip)),
        "Forbidden"
      )
      assert.strictEqual(
        tag(yield* users.update(people.worker.id, { role: "admin" }).pipe(as(people.worker), Effect.flip)),
        "Forbidden"
      )
      assert.strictEqual(tag(yield* users.get(people.worker2.id).pipe(as(people.worker), Effect.flip)), "NotFound")
      assert.strictEqual((yield* users.get(people.worker.id).pipe(as(people.worker))).id, people.worker.id)
      assert.strictEqual((yield* users.get(people.worker.id).pipe(as(people.manager))).id, people.worker.id)
      assert.strictEqual(tag(yield* users.get(UserId.make("ghost")).pipe(as(people.admin), Effect.flip)), "NotFound")
      assert.deepStrictEqual(
        (yield* users.list().pipe(as(people.client))).map((u) => u.id),
        [people.client.id]
      )
      assert.strictEqual((yield* users.list().pipe(as(people.supervisor))).length, 8)
      const invalid = yield* users
        .create({ name: "Y", username: "a b", role: "worker" })
        .pipe(as(people.admin), Effect.flip)
      assert.strictEqual(invalid._tag, "InvalidInput")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})

describe("Templates", () => {
  it.effect("managers keep the library; workers read it", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const templates = yield* Templates
      const t = yield* templates.create({ title: "Замена ТЭНа", estimatedMinutes: 45 }).pipe(as(people.manager))
      assert.deepStrictEqual(t.estimatedMinutes, Option.some(45))
      assert.strictEqual(
        (yield* templates.create({ title: "x" }).pipe(as(people.worker), Effect.flip))._tag,
        "Forbidden"
      )
      assert.strictEqual((yield* templates.get(t.id).pipe(as(people.worker))).title, "Замена ТЭНа")
      assert.strictEqual((yield* templates.get(t.id).pipe(as(people.client), Effect.flip))._tag, "NotFound")
      assert.strictEqual((yield* templates.list().pipe(as(people.client), Effect.flip))._tag, "Forbidden")
      const changed = yield* templates
        .update(t.id, { estimatedMinutes: null, title: "Замена ТЭНа (бойлер)" }, 1)
        .pipe(as(people.manager))
      assert.isTrue(Option.isNone(changed.estimatedMinutes))
      assert.strictEqual(
        (yield* templates.update(t.id, { title: "z" }, 1).pipe(as(people.manager), Effect.flip))._tag,
        "VersionConflict"
      )
      assert.deepStrictEqual(
        (yield* templates.list({ text: "бойлер" }).pipe(as(people.worker))).map((x) => x.id),
        [t.id]
      )
      yield* templates.delete(t.id).pipe(as(people.manager))
      assert.strictEqual((yield* templates.get(t.id).pipe(as(people.manager), Effect.flip))._tag, "NotFound")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})
