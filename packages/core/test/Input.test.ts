import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Either, Schema, TestClock } from "effect"
import { Comments } from "../src/Comments.js"
import { Instant, maxYear, minYear } from "../src/Instant.js"
import { Projects } from "../src/Projects.js"
import { RepairRequests } from "../src/RepairRequests.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Tasks } from "../src/Tasks.js"
import { isMultiLine, isSingleLine } from "../src/Text.js"
import { Users } from "../src/Users.js"
import { as, createPeople } from "../testing/index.js"

const decode = Schema.decodeUnknownEither(Instant)
const refused = (text: string) => Either.isLeft(decode(text))

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(Date.parse("2026-03-02T09:00:00Z"))
  return yield* createPeople
})

/** The paths an effect's `InvalidInput` names, or the tag of whatever else it failed or succeeded with. */
const refusedPaths = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(effect), (result) =>
    Either.isRight(result)
      ? "accepted"
      : result.left._tag === "InvalidInput"
        ? [
            ...new Set(
              (result.left as unknown as { issues: ReadonlyArray<{ path: ReadonlyArray<unknown> }> }).issues.map((i) =>
                i.path.join(".")
              )
            )
          ].join(",")
        : result.left._tag
  )

describe("dates and times", () => {
  it("a day the calendar does not have is refused, not moved to the next month", () => {
    assert.isTrue(refused("2026-02-30T12:00:00Z"))
    assert.isTrue(refused("2026-02-29"))
    assert.isTrue(refused("2026-04-31T00:00:00Z"))
    assert.isTrue(refused("2026-13-01T00:00:00Z"))
    assert.isTrue(refused("2026-00-10T00:00:00Z"))
    assert.isTrue(refused("2026-01-01T24:00:00Z"))
    assert.isTrue(refused("2026-01-01T12:60:00Z"))
    assert.isTrue(refused("March 1 2026"))
    assert.isTrue(refused(""))
    const leap = decode("2024-02-29T12:00:00Z")
    assert.isTrue(Either.isRight(leap))
    assert.strictEqual(Either.getOrThrow(leap).epochMillis, Date.parse("2024-02-29T12:00:00Z"))
  })

  it(`only years ${minYear}–${maxYear} are taken, in four digits`, () => {
    assert.isTrue(refused("0000-01-01T00:00:00Z"))
    assert.isTrue(refused("+275760-09-13T00:00:00Z"))
    assert.isTrue(refused("-000001-01-01T00:00:00Z"))
    assert.isTrue(refused("1899-12-31T23:59:59Z"))
    assert.isTrue(refused("1900-01-01T00:30:00+01:00"))
    assert.isFalse(refused("1900-01-01T00:00:00Z"))
    assert.isFalse(refused("9999-12-31T23:59:59.999Z"))
    // A value made in code is held to the same range.
    assert.isTrue(Either.isLeft(Schema.validateEither(Instant)(DateTime.unsafeMake(Date.UTC(10_000, 0, 1)))))
  })

  it("the forms clients send are read as before, and written back as ISO 8601", () => {
    for (const [text, iso] of [
      ["2026-03-02", "2026-03-02T00:00:00.000Z"],
      ["2026-03-02T10:02:00Z", "2026-03-02T10:02:00.000Z"],
      ["2026-03-02T10:02:00.123Z", "2026-03-02T10:02:00.123Z"],
      ["2026-03-02T13:02:00+03:00", "2026-03-02T10:02:00.000Z"],
      ["2026-03-02T10:02Z", "2026-03-02T10:02:00.000Z"]
    ] as const) {
      const decoded = decode(text)
      assert.isTrue(Either.isRight(decoded), text)
      assert.strictEqual(Schema.encodeSync(Instant)(Either.getOrThrow(decoded)), iso)
    }
  })

  it.effect("a due time made in code past the last year is refused by the service, naming the field", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const bad = yield* refusedPaths(
        tasks.create({ title: "x", dueAt: DateTime.unsafeMake(Date.UTC(20_000, 0, 1)) }).pipe(as(people.manager))
      )
      assert.strictEqual(bad, "dueAt")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})

describe("control characters", () => {
  const hostile = ["\u0000", "\u0007", "\u001b[2J", "\u007f", "\u0085", "\u202a", "\u202e", "\u2066", "\u2069"]

  it("single-line text refuses them and line breaks; multi-line text keeps tabs and line breaks only", () => {
    for (const c of hostile) {
      assert.isFalse(isSingleLine(`a${c}b`), JSON.stringify(c))
      assert.isFalse(isMultiLine(`a${c}b`), JSON.stringify(c))
    }
    for (const c of ["\n", "\r\n", "\t", "\u2028"]) {
      assert.isFalse(isSingleLine(`a${c}b`), JSON.stringify(c))
      assert.isTrue(isMultiLine(`a${c}b`), JSON.stringify(c))
    }
    assert.isFalse(isMultiLine("a\rb"))
    assert.isTrue(isSingleLine("Холодильник «Атлант» 冰箱 ‏עברית‎ 🙂"))
  })

  it.effect("every kind of field refuses them through the services, naming the field", () =>
    Effect.gen(function* () {
      const people = yield* setup
      const tasks = yield* Tasks
      const users = yield* Users
      const projects = yield* Projects
      const comments = yield* Comments
      const repairs = yield* RepairRequests
      const task = yield* tasks.create({ title: "fine" }).pipe(as(people.manager))
      for (const c of hostile) {
        const outcomes = {
          title: yield* refusedPaths(tasks.create({ title: `a${c}b` }).pipe(as(people.manager))),
          tag: yield* refusedPaths(tasks.create({ title: "x", tags: [`t${c}`] }).pipe(as(people.manager))),
          description: yield* refusedPaths(
            tasks.create({ title: "x", description: `a${c}b` }).pipe(as(people.manager))
          ),
          name: yield* refusedPaths(
            users.create({ name: `a${c}b`, username: "someone_new", role: "worker" }).pipe(as(people.admin))
          ),
          project: yield* refusedPaths(projects.create({ name: `p${c}` }).pipe(as(people.manager))),
          comment: yield* refusedPaths(comments.add(task.id, `a${c}b`).pipe(as(people.manager))),
          device: yield* refusedPaths(
            repairs
              .create({ deviceType: `d${c}`, deviceModel: "m", problemDescription: "p", clientId: people.client.id })
              .pipe(as(people.manager))
          )
        }
        assert.deepStrictEqual(
          outcomes,
          {
            title: "title",
            tag: "tags.0,tags",
            description: "description",
            name: "name",
            project: "name",
            comment: "body",
            device: "deviceType"
          },
          JSON.stringify(c)
        )
      }
      // Line breaks: refused in a title, kept in a description and a comment.
      assert.strictEqual(yield* refusedPaths(tasks.create({ title: "a\nb" }).pipe(as(people.manager))), "title")
      const kept = yield* tasks.create({ title: "x", description: "one\r\ntwo\n\tthree" }).pipe(as(people.manager))
      assert.strictEqual(kept.description, "one\r\ntwo\n\tthree")
      const comment = yield* comments.add(task.id, "first line\nsecond line").pipe(as(people.manager))
      assert.strictEqual(comment.body, "first line\nsecond line")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})
