import { assert, describe, layer as withStorage } from "@effect/vitest"
import { DateTime, Effect, Equal, type Layer, Option } from "effect"
import { Document, type DocumentKind } from "../../src/Document.js"
import { compare, type DocumentQuery, DocumentRepo, matches, sortKey } from "../../src/DocumentRepo.js"
import { DocumentId, ProjectId, TaskId, UserId } from "../../src/Ids.js"
import type { Storage } from "../../src/Storage.js"
import { Transaction } from "../../src/Transaction.js"
import { at, uniqueId } from "../fixtures.js"

const kinds: ReadonlyArray<DocumentKind> = ["incoming", "resolution", "report"]
const base = at("2026-04-01T09:00:00Z")

/** A valid document in a fresh project with a fresh registration number; override any field. */
const makeDocument = (overrides: Partial<ConstructorParameters<typeof Document>[0]> = {}): Document =>
  new Document({
    id: DocumentId.make(uniqueId("doc")),
    projectId: ProjectId.make(uniqueId("project")),
    kind: "incoming",
    registrationNumber: uniqueId("IN"),
    title: "A letter",
    date: base,
    body: "",
    authorId: UserId.make("author"),
    parentId: Option.none(),
    taskId: Option.none(),
    createdAt: base,
    version: 1,
    ...overrides
  })

/**
 * A project's register: incoming letters, resolutions on some (each with a task), reports on those.
 * Several documents share a registration time, so the id must break ties.
 */
const dataset = () => {
  const projectId = ProjectId.make(uniqueId("project"))
  const docs: Array<Document> = []
  const make = (kind: DocumentKind, i: number, extra: Partial<ConstructorParameters<typeof Document>[0]> = {}) => {
    const doc = makeDocument({
      projectId,
      kind,
      registrationNumber: `${kind}-${i}`,
      title: `${kind} №${i}`,
      createdAt: DateTime.add(base, { minutes: (i * 7) % 5 }),
      ...extra
    })
    docs.push(doc)
    return doc
  }
  const incoming = Array.from({ length: 6 }, (_, i) => make("incoming", i))
  const resolutions = incoming.slice(0, 4).flatMap((letter, i) =>
    // The first letter gets two resolutions; the fourth gets none.
    (i === 0 ? [0, 1] : i === 3 ? [] : [0]).map((j) =>
      make("resolution", i * 10 + j, {
        parentId: Option.some(letter.id),
        taskId: Option.some(TaskId.make(uniqueId("task")))
      })
    )
  )
  const reports = resolutions.flatMap((resolution, i) =>
    Array.from({ length: i % 3 }, (_, j) =>
      make("report", i * 10 + j, { parentId: Option.some(resolution.id), taskId: resolution.taskId })
    )
  )
  return { projectId, docs, incoming, resolutions, reports }
}

const expected = (docs: ReadonlyArray<Document>, query: DocumentQuery) =>
  docs
    .filter((d) => matches(d, query))
    .sort(compare)
    .map((d) => d.id)

/** The DocumentRepo contract: round trips, uniqueness, filters, order and transactional numbering. */
export const documentRepoSuite = <E>(layer: Layer.Layer<Storage, E>) =>
  describe("DocumentRepo", () => {
    withStorage(layer)((it) => {
      it.effect("pages a project's register by key: every document once, ties by id, a forged key gives none", () =>
        Effect.gen(function* () {
          const repo = yield* DocumentRepo
          const projectId = ProjectId.make(uniqueId("paged"))
          // Eleven documents over four instants: several share a registration time, so ids break ties.
          const made = Array.from({ length: 11 }, (_, i) =>
            makeDocument({
              id: DocumentId.make(`${uniqueId("pdoc")}-${(i * 5) % 11}`),
              projectId,
              createdAt: DateTime.add(base, { minutes: i % 4 })
            })
          )
          for (const d of made) yield* repo.insert(d)
          const expected = [...made].sort(compare).map((d) => d.id)
          for (const size of [1, 3, 11]) {
            const seen: Array<string> = []
            let after: ReadonlyArray<string | number> | undefined
            for (;;) {
              const page = yield* repo.list({ projectId, after, limit: size })
              seen.push(...page.map((d) => d.id))
              if (page.length < size) break
              after = sortKey(page[page.length - 1]!)
            }
            assert.deepStrictEqual(seen, expected, `pages of ${size}`)
          }
          assert.deepStrictEqual(yield* repo.list({ projectId, after: ["x", 1] }), [])
        })
      )

      it.effect("stores and reads back a document unchanged", () =>
        Effect.gen(function* () {
          const repo = yield* DocumentRepo
          const doc = makeDocument({
            kind: "report",
            registrationNumber: `ВХ-${uniqueId("n")}/2026`,
            title: "Об исполнении резолюции 关于",
            date: at("2026-03-31T23:59:59.123Z"),
            body: "я".repeat(100_000),
            parentId: Option.some(DocumentId.make(uniqueId("doc"))),
            taskId: Option.some(TaskId.make(uniqueId("task"))),
            createdAt: at("2026-04-01T10:00:00.456Z"),
            version: 3
          })
          yield* repo.insert(doc)
          assert.isTrue(Equal.equals((yield* repo.findById(doc.id)).pipe(Option.getOrThrow), doc))
          assert.isTrue(
            Equal.equals(
              (yield* repo.findByRegistrationNumber(doc.projectId, doc.registrationNumber)).pipe(Option.getOrThrow),
              doc
            )
          )
          const plain = makeDocument()
          yield* repo.insert(plain)
          const back = (yield* repo.findById(plain.id)).pipe(Option.getOrThrow)
          assert.isTrue(Option.isNone(back.parentId) && Option.isNone(back.taskId))
          assert.strictEqual(back.body, "")
          assert.isTrue(Option.isNone(yield* repo.findById(DocumentId.make(uniqueId("missing")))))
        })
      )

      it.effect("keeps registration numbers unique per project, exactly as written", () =>
        Effect.gen(function* () {
          const repo = yield* DocumentRepo
          const doc = makeDocument({ registrationNumber: `IN-${uniqueId("n")}` })
          yield* repo.insert(doc)
          const sameId = yield* repo
            .insert(makeDocument({ ...doc, registrationNumber: uniqueId("x") }))
            .pipe(Effect.flip)
          assert.strictEqual(sameId._tag, "DuplicateKey")
          assert.strictEqual(sameId.field, "id")
          // A clash across kinds is still a clash: the project has one register.
          const clash = makeDocument({
            projectId: doc.projectId,
            kind: "resolution",
            registrationNumber: doc.registrationNumber
          })
          const error = yield* repo.insert(clash).pipe(Effect.flip)
          assert.strictEqual(error._tag, "DuplicateKey")
          assert.strictEqual(error.field, "registrationNumber")
          assert.strictEqual(error.value, doc.registrationNumber)
          assert.isTrue(Option.isNone(yield* repo.findById(clash.id)), "a refused insert writes nothing")
          const elsewhere = makeDocument({ registrationNumber: doc.registrationNumber })
          yield* repo.insert(elsewhere)
          const otherCase = makeDocument({
            projectId: doc.projectId,
            registrationNumber: doc.registrationNumber.toLowerCase()
          })
          yield* repo.insert(otherCase)
          assert.strictEqual(
            (yield* repo.findByRegistrationNumber(doc.projectId, doc.registrationNumber)).pipe(Option.getOrThrow).id,
            doc.id
          )
          assert.strictEqual(
            (yield* repo.findByRegistrationNumber(elsewhere.projectId, doc.registrationNumber)).pipe(Option.getOrThrow)
              .id,
            elsewhere.id
          )
          assert.isTrue(
            Option.isNone(yield* repo.findByRegistrationNumber(doc.projectId, `${doc.registrationNumber}x`))
          )
        })
      )

      it.effect("applies every filter as the reference semantics say, in register order", () =>
        Effect.gen(function* () {
          const repo = yield* DocumentRepo
          const { projectId, docs, incoming, resolutions, reports } = dataset()
          const other = dataset()
          yield* Effect.forEach([...docs, ...other.docs], repo.insert, { discard: true })
          const first = resolutions[0]!
          const queries: ReadonlyArray<DocumentQuery> = [
            { projectId },
            ...kinds.map((kind) => ({ projectId, kind })),
            { projectId, parentId: incoming[0]!.id },
            { projectId, parentId: incoming[3]!.id },
            { projectId, parentId: first.id },
            { projectId, parentId: incoming[0]!.id, kind: "resolution" },
            { projectId, parentId: incoming[0]!.id, kind: "report" },
            { projectId, taskId: Option.getOrThrow(first.taskId) },
            { projectId, taskId: Option.getOrThrow(first.taskId), kind: "report" },
            { projectId, taskId: Option.getOrThrow(resolutions[2]!.taskId), kind: "resolution" },
            { projectId, taskId: TaskId.make(uniqueId("task")) },
            // A parent of another project's register matches nothing here.
            { projectId, parentId: other.incoming[0]!.id }
          ]
          for (const query of queries) {
            const got = (yield* repo.list(query)).map((d) => d.id)
            assert.deepStrictEqual(got, expected(docs, query), JSON.stringify(query))
          }
          assert.strictEqual((yield* repo.list({ projectId })).length, docs.length)
          assert.isTrue(reports.length > 0 && resolutions.length === 4)
          const ties = (yield* repo.list({ projectId })).filter((d) => d.createdAt.epochMillis === base.epochMillis)
          assert.isTrue(ties.length > 1, "the dataset has ties on registration time")
          assert.deepStrictEqual(
            ties.map((d) => d.id),
            ties.map((d) => d.id).sort()
          )
        })
      )

      it.effect("lists a task's resolution and reports, across the register", () =>
        Effect.gen(function* () {
          const repo = yield* DocumentRepo
          const { docs, resolutions } = dataset()
          yield* Effect.forEach(docs, repo.insert, { discard: true })
          for (const resolution of resolutions) {
            const taskId = Option.getOrThrow(resolution.taskId)
            const got = (yield* repo.listByTask(taskId)).map((d) => d.id)
            const want = docs
              .filter((d) => Option.contains(d.taskId, taskId))
              .sort(compare)
              .map((d) => d.id)
            assert.deepStrictEqual(got, want)
            assert.strictEqual(got.filter((id) => id === resolution.id).length, 1)
          }
          assert.deepStrictEqual(yield* repo.listByTask(TaskId.make(uniqueId("task"))), [])
        })
      )

      it.effect("numbers each project's kinds in their own sequences", () =>
        Effect.gen(function* () {
          const repo = yield* DocumentRepo
          const a = ProjectId.make(uniqueId("project"))
          const b = ProjectId.make(uniqueId("project"))
          const take = (projectId: ProjectId, kind: DocumentKind) => repo.nextRegistrationNumber(projectId, kind)
          assert.deepStrictEqual(
            [yield* take(a, "incoming"), yield* take(a, "incoming"), yield* take(a, "incoming")],
            [1, 2, 3]
          )
          assert.strictEqual(yield* take(a, "resolution"), 1)
          assert.strictEqual(yield* take(a, "report"), 1)
          assert.strictEqual(yield* take(b, "incoming"), 1)
          assert.strictEqual(yield* take(a, "incoming"), 4)
          assert.strictEqual(yield* take(a, "resolution"), 2)
        })
      )

      it.effect("gives numbers back when their transaction fails, and keeps them when it commits", () =>
        Effect.gen(function* () {
          const repo = yield* DocumentRepo
          const tx = yield* Transaction
          const projectId = ProjectId.make(uniqueId("project"))
          const doc = makeDocument({ projectId, registrationNumber: "IN-0001" })
          const failed = yield* tx
            .run(
              Effect.gen(function* () {
                assert.strictEqual(yield* repo.nextRegistrationNumber(projectId, "incoming"), 1)
                yield* repo.insert(doc)
                assert.strictEqual(yield* repo.nextRegistrationNumber(projectId, "incoming"), 2)
                return yield* Effect.fail("boom" as const)
              })
            )
            .pipe(Effect.flip)
          assert.strictEqual(failed, "boom")
          assert.isTrue(Option.isNone(yield* repo.findById(doc.id)))
          assert.isTrue(Option.isNone(yield* repo.findByRegistrationNumber(projectId, "IN-0001")))
          const committed = yield* tx.run(
            Effect.gen(function* () {
              const n = yield* repo.nextRegistrationNumber(projectId, "incoming")
              yield* repo.insert(doc)
              // A nested transaction joins the outer one.
              return [n, yield* tx.run(repo.nextRegistrationNumber(projectId, "incoming"))]
            })
          )
          assert.deepStrictEqual(committed, [1, 2])
          assert.isTrue(Option.isSome(yield* repo.findById(doc.id)))
          assert.strictEqual(yield* repo.nextRegistrationNumber(projectId, "incoming"), 3)
        })
      )
    })
  })
