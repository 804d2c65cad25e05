import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Option, TestClock } from "effect"
import { AuditLog } from "../src/AuditLog.js"
import { UserId } from "../src/Ids.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Templates, templateSubject } from "../src/Templates.js"
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

describe("At least one active administrator", () => {
  const activeAdmins = Effect.flatMap(Users, (users) => users.list({ role: "admin", active: true })).pipe(
    asSystem,
    Effect.map((admins) => admins.map((u) => u.id))
  )

  it.effect("the only active administrator cannot demote, deactivate or delete themself", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const users = yield* Users
      const { admin } = people
      const attempts = [
        users.update(admin.id, { role: "manager" }),
        users.update(admin.id, { active: false }),
        users.update(admin.id, { role: "worker", active: false }),
        users.deactivate(admin.id)
      ]
      for (const attempt of attempts) {
        const error = yield* attempt.pipe(as(admin), Effect.flip)
        assert.strictEqual(error._tag, "RuleViolation")
        if (error._tag !== "RuleViolation") continue
        assert.strictEqual(error.rule, "user.last_admin")
        assert.include(error.message, admin.username)
      }
      // Nor may anyone else (the system included) do it to them.
      const bySystem = yield* users.deactivate(admin.id).pipe(asSystem, Effect.flip)
      assert.strictEqual(bySystem._tag, "RuleViolation")
      assert.deepStrictEqual(yield* activeAdmins, [admin.id])
      const history = yield* asSystem(Effect.flatMap(AuditLog, (audit) => audit.history(userSubject(admin.id))))
      assert.deepStrictEqual(
        history.map((e) => e.type),
        ["user.created"]
      )
      // Other changes to the last admin stay possible.
      assert.strictEqual((yield* users.update(admin.id, { name: "Root" }).pipe(as(admin))).name, "Root")
      // With a second administrator, the first may step down; then the second is the last one.
      const second = yield* users.create({ name: "Second", username: "second", role: "admin" }).pipe(as(admin))
      assert.strictEqual((yield* users.update(admin.id, { role: "manager" }).pipe(as(admin))).role, "manager")
      const last = yield* users.deactivate(second.id).pipe(as(second), Effect.flip)
      assert.strictEqual(last._tag, "RuleViolation")
      // A deactivated admin coming back counts again.
      const third = yield* users.create({ name: "Third", username: "third", role: "admin" }).pipe(as(second))
      yield* users.deactivate(third.id).pipe(as(second))
      yield* users.update(third.id, { active: true }).pipe(as(second))
      assert.isFalse((yield* users.deactivate(second.id).pipe(as(third))).active)
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("two administrators demoting each other at once leave one of them an administrator", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const users = yield* Users
      const other = yield* users
        .create({ name: "Other", username: "other_admin", role: "admin" })
        .pipe(as(people.admin))
      const results = yield* Effect.all(
        [
          users.update(other.id, { role: "worker" }).pipe(as(people.admin), Effect.either),
          users.update(people.admin.id, { role: "worker" }).pipe(as(other), Effect.either)
        ],
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter((r) => r._tag === "Right").length, 1)
      assert.strictEqual(results.filter((r) => r._tag === "Left" && r.left._tag === "RuleViolation").length, 1)
      assert.strictEqual((yield* activeAdmins).length, 1)
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
      const history = yield* asSystem(Effect.flatMap(AuditLog, (audit) => audit.history(templateSubject(t.id))))
      assert.deepStrictEqual(history.at(-1)?.payload, {
        _tag: "template.updated",
        fields: ["title", "estimatedMinutes"],
        changes: [
          { field: "title", from: "Замена ТЭНа", to: "Замена ТЭНа (бойлер)" },
          { field: "estimatedMinutes", from: 45, to: null }
        ]
      })
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
