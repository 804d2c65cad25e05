import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, FastCheck, TestClock } from "effect"
import { AuditLog } from "../src/AuditLog.js"
import { ProjectId } from "../src/Ids.js"
import { Projects, projectSubject } from "../src/Projects.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Users } from "../src/Users.js"
import { as, asSystem, createPeople } from "../testing/index.js"

const monday = DateTime.unsafeMake("2026-03-02T09:00:00Z")

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(DateTime.toEpochMillis(monday))
  return { people: yield* createPeople, projects: yield* Projects }
})

describe("Projects", () => {
  it.effect("creates a project owned by the actor, reads, lists and audits it", () =>
    Effect.gen(function* () {
      const { people, projects } = yield* setup
      const created = yield* projects
        .create({ name: "Входящая корреспонденция", memberIds: [people.worker.id, people.worker.id] })
        .pipe(as(people.manager))
      assert.strictEqual(created.name, "Входящая корреспонденция")
      assert.strictEqual(created.ownerId, people.manager.id)
      assert.deepStrictEqual(created.memberIds, [people.worker.id])
      assert.strictEqual(created.description, "")
      assert.isFalse(created.archived)
      assert.strictEqual(created.version, 1)
      assert.strictEqual(DateTime.toEpochMillis(created.createdAt), DateTime.toEpochMillis(monday))
      assert.strictEqual((yield* projects.get(created.id).pipe(as(people.worker))).id, created.id)
      const history = yield* (yield* AuditLog).history(projectSubject(created.id))
      assert.deepStrictEqual(
        history.map((e) => e.payload),
        [{ _tag: "project.created", name: created.name, ownerId: people.manager.id }]
      )
      const other = yield* projects
        .create({ name: "Архив", description: "old letters", ownerId: people.partner.id })
        .pipe(as(people.admin))
      assert.strictEqual(other.ownerId, people.partner.id)
      assert.deepStrictEqual(
        (yield* projects.list().pipe(as(people.supervisor))).map((p) => p.id),
        [other.id, created.id]
      )
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("refuses bad input, unknown or inactive people, and roles that may not create", () =>
    Effect.gen(function* () {
      const { people, projects } = yield* setup
      const empty = yield* projects.create({ name: "   " }).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(empty._tag, "InvalidInput")
      assert.deepStrictEqual(empty._tag === "InvalidInput" ? empty.issues[0]!.path : [], ["name"])
      const nobody = yield* projects
        .create({ name: "X", ownerId: people.worker.id.replace(/.$/, "?") as typeof people.worker.id })
        .pipe(as(people.manager), Effect.flip)
      assert.deepStrictEqual(nobody._tag === "InvalidInput" ? nobody.issues[0]!.path : [], ["ownerId"])
      yield* (yield* Users).deactivate(people.worker2.id).pipe(asSystem)
      const inactive = yield* projects
        .create({ name: "X", memberIds: [people.worker.id, people.worker2.id] })
        .pipe(as(people.manager), Effect.flip)
      assert.deepStrictEqual(inactive._tag === "InvalidInput" ? inactive.issues[0]!.path : [], ["memberIds", 1])
      for (const who of [people.worker, people.client, people.supervisor]) {
        const error = yield* projects.create({ name: "X" }).pipe(as(who), Effect.flip)
        assert.strictEqual(error._tag, "Forbidden", who.role)
      }
      assert.deepStrictEqual(yield* projects.list().pipe(as(people.admin)), [])
      const missing = yield* projects.get(ProjectId.make("nope")).pipe(as(people.admin), Effect.flip)
      assert.strictEqual(missing._tag, "NotFound")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("a partner manages the projects they own and nothing else", () =>
    Effect.gen(function* () {
      const { people, projects } = yield* setup
      const own = yield* projects.create({ name: "Partner's" }).pipe(as(people.partner))
      assert.strictEqual(own.ownerId, people.partner.id)
      const forOther = yield* projects
        .create({ name: "For someone else", ownerId: people.manager.id })
        .pipe(as(people.partner), Effect.flip)
      assert.strictEqual(forOther._tag, "Forbidden")
      const theirs = yield* projects
        .create({ name: "Manager's", memberIds: [people.partner.id] })
        .pipe(as(people.manager))
      // Being a member is not enough: partners see what they own.
      assert.deepStrictEqual(
        (yield* projects.list().pipe(as(people.partner))).map((p) => p.id),
        [own.id]
      )
      for (const attempt of [projects.get(theirs.id), projects.update(theirs.id, { name: "Mine" })]) {
        assert.strictEqual((yield* attempt.pipe(as(people.partner), Effect.flip))._tag, "NotFound")
      }
      const renamed = yield* projects
        .update(own.id, { name: "Partner's, renamed", memberIds: [people.worker.id] })
        .pipe(as(people.partner))
      assert.strictEqual(renamed.version, 2)
      // Handing the project over would leave the partner managing someone else's project.
      const handOver = yield* projects
        .update(own.id, { ownerId: people.manager.id })
        .pipe(as(people.partner), Effect.flip)
      assert.strictEqual(handOver._tag, "Forbidden")
      assert.strictEqual((yield* projects.get(own.id).pipe(as(people.partner))).ownerId, people.partner.id)
      const archived = yield* projects.archive(own.id).pipe(as(people.partner))
      assert.isTrue(archived.archived)
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("workers see and cannot change the projects they belong to; supervisors see all", () =>
    Effect.gen(function* () {
      const { people, projects } = yield* setup
      const joined = yield* projects.create({ name: "B", memberIds: [people.worker.id] }).pipe(as(people.manager))
      const other = yield* projects.create({ name: "A" }).pipe(as(people.manager))
      assert.deepStrictEqual(
        (yield* projects.list().pipe(as(people.worker))).map((p) => p.id),
        [joined.id]
      )
      assert.strictEqual((yield* projects.get(other.id).pipe(as(people.worker), Effect.flip))._tag, "NotFound")
      assert.strictEqual(
        (yield* projects.update(joined.id, { name: "C" }).pipe(as(people.worker), Effect.flip))._tag,
        "Forbidden"
      )
      assert.strictEqual((yield* projects.archive(other.id).pipe(as(people.supervisor), Effect.flip))._tag, "Forbidden")
      assert.deepStrictEqual(yield* projects.list().pipe(as(people.client)), [])
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("updates at the expected version, archives and restores, audited", () =>
    Effect.gen(function* () {
      const { people, projects } = yield* setup
      const project = yield* projects.create({ name: "Letters" }).pipe(as(people.manager))
      yield* TestClock.adjust("1 hour")
      const moved = yield* projects
        .update(project.id, { description: "2026", ownerId: people.admin.id, memberIds: [people.worker.id] }, 1)
        .pipe(as(people.manager))
      assert.strictEqual(moved.ownerId, people.admin.id)
      assert.strictEqual(moved.description, "2026")
      assert.strictEqual(DateTime.toEpochMillis(moved.updatedAt), DateTime.toEpochMillis(monday) + 3_600_000)
      const stale = yield* projects.update(project.id, { name: "Stale" }, 1).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(stale._tag, "VersionConflict")
      const badMember = yield* projects
        .update(project.id, { memberIds: [ProjectId.make("x") as unknown as typeof people.worker.id] })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(badMember._tag, "InvalidInput")
      yield* projects.archive(project.id, 2).pipe(as(people.manager))
      assert.deepStrictEqual(
        (yield* projects.list({ archived: false }).pipe(as(people.manager))).map((p) => p.id),
        []
      )
      assert.deepStrictEqual(
        (yield* projects.list({ archived: true }).pipe(as(people.worker))).map((p) => p.id),
        [project.id]
      )
      const restored = yield* projects.update(project.id, { archived: false }).pipe(as(people.manager))
      assert.strictEqual(restored.version, 4)
      const history = yield* (yield* AuditLog).history(projectSubject(project.id))
      assert.deepStrictEqual(
        history.map((e) => e.type),
        [
          "project.created",
          "project.updated",
          "project.updated",
          "project.archived",
          "project.updated",
          "project.restored"
        ]
      )
      assert.deepStrictEqual(history[1]!.payload, {
        _tag: "project.updated",
        fields: ["description", "ownerId", "memberIds"]
      })
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect.prop(
    "everyone lists exactly the projects the policy lets them read",
    {
      projects: FastCheck.array(
        FastCheck.record({
          owner: FastCheck.constantFrom(...(["manager", "partner", "admin"] as const)),
          members: FastCheck.subarray([...(["worker", "worker2", "partner"] as const)]),
          archived: FastCheck.boolean()
        }),
        { maxLength: 6 }
      )
    },
    ({ projects: specs }) =>
      Effect.gen(function* () {
        const { people, projects } = yield* setup
        const made = yield* Effect.forEach(specs, (spec, i) =>
          Effect.gen(function* () {
            const p = yield* projects
              .create({
                name: `P${String(i).padStart(2, "0")}`,
                ownerId: people[spec.owner].id,
                memberIds: spec.members.map((m) => people[m].id)
              })
              .pipe(as(people.admin))
            return spec.archived ? yield* projects.archive(p.id).pipe(as(people.admin)) : p
          })
        )
        const expectFor = {
          admin: () => true,
          manager: () => true,
          supervisor: () => true,
          client: () => false,
          worker: (i: number) => specs[i]!.members.includes("worker"),
          worker2: (i: number) => specs[i]!.members.includes("worker2"),
          partner: (i: number) => specs[i]!.owner === "partner"
        }
        for (const [who, sees] of Object.entries(expectFor)) {
          const want = made.filter((_, i) => sees(i))
          for (const archived of [undefined, true, false]) {
            const got = yield* projects
              .list(archived === undefined ? {} : { archived })
              .pipe(as(people[who as "admin"]))
            assert.deepStrictEqual(
              got.map((p) => p.id),
              want.filter((p) => archived === undefined || p.archived === archived).map((p) => p.id),
              `${who} archived=${archived}`
            )
          }
        }
      }).pipe(Effect.provide(TaskDesk.layerMemory)),
    { fastCheck: { numRuns: 25 } }
  )
})
