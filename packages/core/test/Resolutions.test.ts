import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Exit, FastCheck, Layer, Option, TestClock } from "effect"
import type { CurrentActor } from "../src/Actor.js"
import { AuditLog } from "../src/AuditLog.js"
import { DocumentRepo } from "../src/DocumentRepo.js"
import { Documents, documentSubject } from "../src/Documents.js"
import { DocumentId, ProjectId } from "../src/Ids.js"
import * as MemoryStorage from "../src/memory/MemoryStorage.js"
import { Projects } from "../src/Projects.js"
import { Resolutions } from "../src/Resolutions.js"
import * as TaskDesk from "../src/TaskDesk.js"
import { Tasks } from "../src/Tasks.js"
import { Users } from "../src/Users.js"
import { as, asSystem, createPeople } from "../testing/index.js"

const monday = DateTime.unsafeMake("2026-03-02T09:00:00Z")
const days = (n: number) => DateTime.add(monday, { days: n })

/** A fresh taskdesk at a fixed time: people, a manager's project (the worker is a member), a letter in it. */
const setup = Effect.gen(function* () {
  yield* TestClock.setTime(DateTime.toEpochMillis(monday))
  const people = yield* createPeople
  const projects = yield* Projects
  const documents = yield* Documents
  const project = yield* projects.create({ name: "Канцелярия", memberIds: [people.worker.id] }).pipe(as(people.manager))
  const letter = yield* documents
    .file({
      projectId: project.id,
      title: "Запрос о предоставлении сведений",
      body: "Просим сообщить…",
      date: days(-3)
    })
    .pipe(as(people.manager))
  return {
    people,
    project,
    letter,
    projects,
    documents,
    resolutions: yield* Resolutions,
    tasks: yield* Tasks,
    audit: yield* AuditLog
  }
})

const allEvents = Effect.flatMap(AuditLog, (audit) => audit.read({ limit: 1000 }).pipe(asSystem))

describe("Documents", () => {
  it.effect("registers incoming documents with numbers that skip those written by hand", () =>
    Effect.gen(function* () {
      const { people, project, letter, documents, audit } = yield* setup
      assert.strictEqual(letter.registrationNumber, "IN-0001")
      assert.strictEqual(letter.kind, "incoming")
      assert.strictEqual(DateTime.toEpochMillis(letter.date), DateTime.toEpochMillis(days(-3)))
      assert.strictEqual(DateTime.toEpochMillis(letter.createdAt), DateTime.toEpochMillis(monday))
      assert.strictEqual(letter.authorId, people.manager.id)
      const byHand = yield* documents
        .file({ projectId: project.id, title: "Письмо", registrationNumber: "IN-0003" })
        .pipe(as(people.manager))
      assert.strictEqual(byHand.body, "")
      assert.strictEqual(DateTime.toEpochMillis(byHand.date), DateTime.toEpochMillis(monday))
      const next = yield* documents.file({ projectId: project.id, title: "Ещё" }).pipe(as(people.admin))
      const after = yield* documents.file({ projectId: project.id, title: "И ещё" }).pipe(as(people.admin))
      assert.deepStrictEqual([next.registrationNumber, after.registrationNumber], ["IN-0002", "IN-0004"])
      const clash = yield* documents
        .file({ projectId: project.id, title: "Дубль", registrationNumber: "IN-0002" })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(clash._tag, "DuplicateKey")
      assert.deepStrictEqual(
        (yield* documents.list(project.id).pipe(as(people.worker))).items.map((d) => d.registrationNumber),
        ["IN-0001", "IN-0003", "IN-0002", "IN-0004"]
      )
      assert.deepStrictEqual((yield* documents.list(project.id, { kind: "report" }).pipe(as(people.manager))).items, [])
      assert.deepStrictEqual(
        (yield* audit.history(documentSubject(letter.id))).map((e) => e.type),
        ["document.filed"]
      )
      const filed = (yield* allEvents).filter((e) => e.type === "document.filed")
      assert.strictEqual(filed.length, 4)
      assert.deepStrictEqual(
        Option.map(filed[0]!.parent, (p) => p.id),
        Option.some(project.id)
      )
      assert.deepStrictEqual(filed[0]!.payload, {
        _tag: "document.filed",
        projectId: project.id,
        kind: "incoming",
        registrationNumber: "IN-0001",
        title: letter.title
      })
      assert.strictEqual((yield* documents.get(letter.id).pipe(as(people.worker))).id, letter.id)
      const missing = yield* documents.get(DocumentId.make("nope")).pipe(as(people.admin), Effect.flip)
      assert.strictEqual(missing._tag, "NotFound")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )
})

describe("Resolutions", () => {
  it.effect("orders work on a letter that is done once every assignee has reported", () =>
    Effect.gen(function* () {
      const { people, project, letter, documents, resolutions, tasks } = yield* setup
      const issued = yield* resolutions
        .issue(letter.id, {
          title: "Подготовить ответ",
          body: "Иванову, Петрову: подготовить ответ к пятнице",
          assigneeIds: [people.worker.id, people.worker2.id],
          dueAt: days(4),
          priority: "high"
        })
        .pipe(as(people.manager))
      const { resolution, task } = issued
      assert.strictEqual(resolution.kind, "resolution")
      assert.strictEqual(resolution.registrationNumber, "RES-0001")
      assert.deepStrictEqual(resolution.parentId, Option.some(letter.id))
      assert.deepStrictEqual(resolution.taskId, Option.some(task.id))
      assert.strictEqual(resolution.authorId, people.manager.id)
      assert.deepStrictEqual(task.projectId, Option.some(project.id))
      assert.deepStrictEqual(task.assigneeIds, [people.worker.id, people.worker2.id])
      assert.strictEqual(task.description, resolution.body)
      assert.strictEqual(task.priority, "high")
      assert.strictEqual(task.status, "todo")
      assert.deepStrictEqual(
        Option.map(task.dueAt, DateTime.toEpochMillis),
        Option.some(DateTime.toEpochMillis(days(4)))
      )

      yield* TestClock.adjust("1 day")
      const first = yield* resolutions
        .fileReport(task.id, { title: "Справка", body: "Сведения собраны" })
        .pipe(as(people.worker))
      assert.strictEqual(first.report.registrationNumber, "REP-0001")
      assert.deepStrictEqual(first.report.parentId, Option.some(resolution.id))
      assert.deepStrictEqual(first.report.taskId, Option.some(task.id))
      assert.strictEqual(first.task.status, "in_progress")
      // An assignee may add to their report; the task still waits for the other one.
      const again = yield* resolutions
        .fileReport(task.id, { title: "Дополнение", body: "", registrationNumber: "REP-0001/1" })
        .pipe(as(people.worker))
      assert.strictEqual(again.task.status, "in_progress")
      assert.strictEqual(again.task.version, first.task.version + 1, "every report writes the task")
      assert.strictEqual((yield* tasks.get(task.id).pipe(as(people.manager))).version, again.task.version)
      const last = yield* resolutions.fileReport(task.id, { title: "Ответ", body: "Готово" }).pipe(as(people.worker2))
      assert.strictEqual(last.report.registrationNumber, "REP-0002")
      assert.strictEqual(last.task.status, "done")
      assert.deepStrictEqual(
        Option.map(last.task.completedAt, DateTime.toEpochMillis),
        Option.some(DateTime.toEpochMillis(days(1)))
      )
      const late = yield* resolutions
        .fileReport(task.id, { title: "Поздно", body: "" })
        .pipe(as(people.worker), Effect.flip)
      assert.deepStrictEqual(late._tag === "RuleViolation" ? late.rule : late._tag, "report.task_open")

      const history = yield* tasks.history(task.id).pipe(as(people.manager))
      assert.deepStrictEqual(
        history.map((e) => e.type),
        [
          "task.created",
          "resolution.issued",
          "report.filed",
          "task.status_changed",
          "report.filed",
          "report.filed",
          "task.status_changed"
        ]
      )
      assert.deepStrictEqual(
        history
          .filter((e) => e.payload._tag === "report.filed")
          .map((e) => e.payload._tag === "report.filed" && e.payload.completed),
        [false, false, true]
      )
      assert.deepStrictEqual(
        (yield* documents.list(project.id, { taskId: task.id }).pipe(as(people.manager))).items.map((d) => d.kind),
        ["resolution", "report", "report", "report"]
      )
      assert.deepStrictEqual(
        (yield* documents
          .list(project.id, { parentId: resolution.id, kind: "report" })
          .pipe(as(people.manager))).items.map((d) => d.authorId),
        [people.worker.id, people.worker.id, people.worker2.id]
      )
      const overview = yield* resolutions.overview(project.id).pipe(as(people.manager))
      assert.deepStrictEqual(
        overview.done.map((p) => [p.resolution.id, p.reports.length]),
        [[resolution.id, 3]]
      )
      assert.strictEqual(overview.open.length + overview.overdue.length + overview.cancelled.length, 0)
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("sorts a project's resolutions into open, overdue, done and cancelled", () =>
    Effect.gen(function* () {
      const { people, project, letter, documents, resolutions, tasks } = yield* setup
      const other = yield* documents.file({ projectId: project.id, title: "Второе письмо" }).pipe(as(people.manager))
      const issue = (title: string, due: number, on = letter) =>
        resolutions
          .issue(on.id, { title, body: "", assigneeIds: [people.worker.id], dueAt: days(due) })
          .pipe(as(people.manager))
      const later = yield* issue("later", 5)
      const soon = yield* issue("soon", 2, other)
      const lateOne = yield* issue("late", 1)
      const finished = yield* issue("finished", 1)
      const dropped = yield* issue("dropped", 3)
      const partly = yield* issue("partly", 4)
      // Same deadline as "late": the resolution id breaks the tie.
      const lateToo = yield* issue("late too", 1)
      const finishedLater = yield* issue("finished later", 2)
      const droppedLater = yield* issue("dropped later", 2)
      yield* resolutions.fileReport(finished.task.id, { title: "done", body: "" }).pipe(as(people.worker))
      yield* tasks.changeStatus(dropped.task.id, "cancelled").pipe(as(people.manager))
      yield* TestClock.adjust("2 hours")
      yield* resolutions.fileReport(finishedLater.task.id, { title: "done too", body: "" }).pipe(as(people.worker))
      yield* tasks.changeStatus(droppedLater.task.id, "cancelled").pipe(as(people.manager))
      // Reported on but not finished: a second assignee is still due.
      yield* tasks
        .update(partly.task.id, { assigneeIds: [people.worker.id, people.worker2.id] })
        .pipe(as(people.manager))
      yield* resolutions.fileReport(partly.task.id, { title: "part", body: "" }).pipe(as(people.worker))

      const at = DateTime.add(days(1), { hours: 12 })
      const overview = yield* resolutions.overview(project.id, at).pipe(as(people.manager))
      const titles = (bucket: ReadonlyArray<{ readonly resolution: { readonly title: string } }>) =>
        bucket.map((p) => p.resolution.title)
      assert.deepStrictEqual(titles(overview.open), ["soon", "partly", "later"])
      assert.deepStrictEqual(titles(overview.overdue), ["late", "late too"])
      // Most recently closed first.
      assert.deepStrictEqual(titles(overview.done), ["finished later", "finished"])
      assert.deepStrictEqual(titles(overview.cancelled), ["dropped later", "dropped"])
      assert.deepStrictEqual(
        overview.open.map((p) => p.reports.length),
        [0, 1, 0]
      )
      assert.strictEqual(overview.done[1]!.reports[0]!.title, "done")
      assert.strictEqual(overview.open[0]!.resolution.id, soon.resolution.id)
      assert.strictEqual(overview.open[2]!.task.id, later.task.id)
      assert.strictEqual(overview.overdue[0]!.task.id, lateOne.task.id)
      assert.strictEqual(overview.overdue[1]!.task.id, lateToo.task.id)
      // Without a moment given it judges at the clock's now, when nothing is overdue yet.
      const now = yield* resolutions.overview(project.id).pipe(as(people.worker))
      assert.deepStrictEqual(titles(now.open), ["late", "late too", "soon", "partly", "later"])
      // A resolution's task cannot be deleted, so nothing disappears from the overview.
      const refused = yield* tasks.delete(later.task.id).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(refused._tag, "RuleViolation")
      assert.deepStrictEqual(titles((yield* resolutions.overview(project.id, at).pipe(as(people.manager))).open), [
        "soon",
        "partly",
        "later"
      ])
      const nowhere = yield* resolutions.overview(ProjectId.make("nope")).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(nowhere._tag, "NotFound")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("assignees report and read what they are assigned; others are refused", () =>
    Effect.gen(function* () {
      const { people, project, letter, documents, resolutions, tasks } = yield* setup
      const input = { title: "Исполнить", body: "", assigneeIds: [people.worker2.id], dueAt: days(2) }
      assert.strictEqual(
        (yield* resolutions.issue(letter.id, input).pipe(as(people.worker), Effect.flip))._tag,
        "Forbidden",
        "a member may read the letter but not write resolutions"
      )
      for (const who of [people.worker2, people.client]) {
        assert.strictEqual((yield* resolutions.issue(letter.id, input).pipe(as(who), Effect.flip))._tag, "NotFound")
        assert.strictEqual((yield* documents.get(letter.id).pipe(as(who), Effect.flip))._tag, "NotFound")
        assert.strictEqual((yield* documents.list(project.id).pipe(as(who), Effect.flip))._tag, "NotFound")
      }
      assert.strictEqual(
        (yield* resolutions.issue(letter.id, input).pipe(as(people.supervisor), Effect.flip))._tag,
        "Forbidden"
      )
      const unrelated = yield* documents.file({ projectId: project.id, title: "Другое" }).pipe(as(people.manager))
      const { resolution, task } = yield* resolutions.issue(letter.id, input).pipe(as(people.manager))
      // worker2 is no member, but as the assignee reads the resolution, the letter and the reports.
      assert.strictEqual((yield* documents.get(resolution.id).pipe(as(people.worker2))).id, resolution.id)
      assert.strictEqual((yield* documents.get(letter.id).pipe(as(people.worker2))).id, letter.id)
      assert.strictEqual((yield* documents.get(unrelated.id).pipe(as(people.worker2), Effect.flip))._tag, "NotFound")
      assert.deepStrictEqual(
        (yield* documents.list(project.id).pipe(as(people.worker2))).items.map((d) => d.id),
        [letter.id, resolution.id]
      )
      // A page at a time, the document worker2 may not read skipped between pages.
      const first = yield* documents.list(project.id, { limit: 1 }).pipe(as(people.worker2))
      assert.deepStrictEqual(
        first.items.map((d) => d.id),
        [letter.id]
      )
      const cursor = Option.getOrThrow(first.nextCursor)
      const second = yield* documents.list(project.id, { limit: 1, cursor }).pipe(as(people.worker2))
      assert.deepStrictEqual(
        second.items.map((d) => d.id),
        [resolution.id]
      )
      assert.isTrue(Option.isNone(second.nextCursor))
      assert.deepStrictEqual((yield* documents.list(project.id, { kind: "report" }).pipe(as(people.worker2))).items, [])
      assert.strictEqual(
        (yield* resolutions.overview(project.id).pipe(as(people.worker2), Effect.flip))._tag,
        "NotFound"
      )
      const notAssignee = yield* resolutions
        .fileReport(task.id, { title: "x", body: "" })
        .pipe(as(people.worker), Effect.flip)
      assert.strictEqual(notAssignee._tag, "NotFound")
      const manager = yield* resolutions
        .fileReport(task.id, { title: "x", body: "" })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(manager._tag, "Forbidden")
      const { report } = yield* resolutions
        .fileReport(task.id, { title: "Исполнено", body: "" })
        .pipe(as(people.worker2))
      assert.strictEqual((yield* documents.get(report.id).pipe(as(people.worker2))).authorId, people.worker2.id)
      assert.strictEqual((yield* tasks.get(task.id).pipe(as(people.worker2))).status, "done")
      assert.deepStrictEqual(
        (yield* documents.list(project.id, { kind: "report" }).pipe(as(people.worker2))).items.map((d) => d.id),
        [report.id]
      )
      assert.strictEqual((yield* resolutions.overview(project.id).pipe(as(people.supervisor))).done.length, 1)
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("a partner manages their own projects and everything in them, and gets NotFound on others'", () =>
    Effect.gen(function* () {
      const { people, project, letter, projects, documents, resolutions, tasks } = yield* setup
      const own = yield* projects.create({ name: "Партнёрский" }).pipe(as(people.partner))
      const incoming = yield* documents.file({ projectId: own.id, title: "Заявка" }).pipe(as(people.partner))
      assert.strictEqual(incoming.registrationNumber, "IN-0001", "each project numbers its own register")
      const { resolution, task } = yield* resolutions
        .issue(incoming.id, { title: "Рассмотреть", body: "", assigneeIds: [people.worker.id], dueAt: days(1) })
        .pipe(as(people.partner))
      assert.strictEqual((yield* tasks.get(task.id).pipe(as(people.partner))).id, task.id)
      yield* resolutions.fileReport(task.id, { title: "Рассмотрено", body: "" }).pipe(as(people.worker))
      const overview = yield* resolutions.overview(own.id).pipe(as(people.partner))
      assert.deepStrictEqual(
        overview.done.map((p) => p.resolution.id),
        [resolution.id]
      )
      assert.strictEqual((yield* documents.list(own.id).pipe(as(people.partner))).items.length, 3)

      const theirs = yield* resolutions
        .issue(letter.id, { title: "Чужое", body: "", assigneeIds: [people.worker.id], dueAt: days(1) })
        .pipe(as(people.manager))
      const attempts: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }, CurrentActor>> = [
        projects.get(project.id),
        documents.file({ projectId: project.id, title: "Подлог" }),
        documents.get(letter.id),
        documents.get(theirs.resolution.id),
        documents.list(project.id),
        resolutions.issue(letter.id, { title: "Чужое", body: "", assigneeIds: [people.worker.id], dueAt: days(1) }),
        resolutions.overview(project.id),
        resolutions.fileReport(theirs.task.id, { title: "x", body: "" }),
        tasks.get(theirs.task.id)
      ]
      for (const [i, attempt] of attempts.entries()) {
        assert.strictEqual((yield* attempt.pipe(as(people.partner), Effect.flip))._tag, "NotFound", `attempt ${i}`)
      }
      // Membership in someone else's project gives a partner nothing either.
      yield* projects.update(project.id, { memberIds: [people.worker.id, people.partner.id] }).pipe(as(people.manager))
      assert.strictEqual((yield* documents.get(letter.id).pipe(as(people.partner), Effect.flip))._tag, "NotFound")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  it.effect("a resolution that fails to register leaves neither document nor task", () =>
    Effect.gen(function* () {
      const { people, project, letter, documents, resolutions, tasks } = yield* setup
      const before = (yield* allEvents).length
      const clash = yield* resolutions
        .issue(letter.id, {
          title: "Дубль номера",
          body: "",
          assigneeIds: [people.worker.id],
          dueAt: days(1),
          registrationNumber: letter.registrationNumber
        })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(clash._tag, "DuplicateKey")
      assert.deepStrictEqual((yield* tasks.list({ projectId: project.id }).pipe(as(people.manager))).items, [])
      assert.deepStrictEqual(
        (yield* documents.list(project.id, { kind: "resolution" }).pipe(as(people.manager))).items,
        []
      )
      assert.strictEqual((yield* allEvents).length, before, "no event of the failed unit of work survives")
      const inactive = yield* (yield* Users).deactivate(people.worker2.id).pipe(asSystem)
      const invalid = yield* resolutions
        .issue(letter.id, { title: "t", body: "", assigneeIds: [people.worker.id, inactive.id], dueAt: days(1) })
        .pipe(as(people.manager), Effect.flip)
      assert.deepStrictEqual(invalid._tag === "InvalidInput" ? invalid.issues[0]!.path : [], ["assigneeIds", 1])
      assert.deepStrictEqual((yield* tasks.list({ projectId: project.id }).pipe(as(people.manager))).items, [])
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  // Storage whose document inserts break on a marked title, after the task and the number are taken.
  const brokenDocuments = Layer.effect(
    DocumentRepo,
    Effect.map(DocumentRepo, (repo) => ({
      ...repo,
      insert: (document) => (document.title === "disk full" ? Effect.die("disk full") : repo.insert(document))
    }))
  ).pipe(Layer.provideMerge(MemoryStorage.layer))

  it.effect("a resolution that breaks midway rolls back its task, its number and its events", () =>
    Effect.gen(function* () {
      const { people, project, letter, resolutions, tasks } = yield* setup
      const before = (yield* allEvents).length
      const exit = yield* resolutions
        .issue(letter.id, { title: "disk full", body: "", assigneeIds: [people.worker.id], dueAt: days(1) })
        .pipe(as(people.manager), Effect.exit)
      assert.isTrue(Exit.isFailure(exit) && Exit.causeOption(exit).pipe(Option.exists((c) => c._tag === "Die")))
      assert.deepStrictEqual((yield* tasks.list({ projectId: project.id }).pipe(as(people.manager))).items, [])
      assert.strictEqual((yield* allEvents).length, before)
      const ok = yield* resolutions
        .issue(letter.id, { title: "fine", body: "", assigneeIds: [people.worker.id], dueAt: days(1) })
        .pipe(as(people.manager))
      assert.strictEqual(ok.resolution.registrationNumber, "RES-0001", "the failed attempt gave its number back")
    }).pipe(
      Effect.provide(TaskDesk.layer.pipe(Layer.provideMerge(Layer.merge(brokenDocuments, TaskDesk.layerDefaults))))
    )
  )

  it.effect("refuses resolutions and reports the register does not allow", () =>
    Effect.gen(function* () {
      const { people, project, letter, projects, documents, resolutions, tasks } = yield* setup
      const input = { title: "t", body: "", assigneeIds: [people.worker.id, people.worker.id], dueAt: days(1) }
      const { resolution, task } = yield* resolutions.issue(letter.id, input).pipe(as(people.manager))
      assert.deepStrictEqual(task.assigneeIds, [people.worker.id], "an assignee named twice reports once")
      const onResolution = yield* resolutions.issue(resolution.id, input).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(onResolution._tag === "RuleViolation" && onResolution.rule, "resolution.on_incoming")
      const none = yield* resolutions
        .issue(letter.id, { ...input, assigneeIds: [] })
        .pipe(as(people.manager), Effect.flip)
      assert.deepStrictEqual(none._tag === "InvalidInput" ? none.issues[0]!.path : [], ["assigneeIds"])
      const plain = yield* tasks.create({ title: "Plain", assigneeIds: [people.worker.id] }).pipe(as(people.manager))
      const unordered = yield* resolutions
        .fileReport(plain.id, { title: "x", body: "" })
        .pipe(as(people.worker), Effect.flip)
      assert.strictEqual(unordered._tag === "RuleViolation" && unordered.rule, "report.resolution_required")
      const second = yield* resolutions.issue(letter.id, input).pipe(as(people.manager))
      yield* tasks.changeStatus(second.task.id, "cancelled").pipe(as(people.manager))
      const cancelled = yield* resolutions
        .fileReport(second.task.id, { title: "x", body: "" })
        .pipe(as(people.worker), Effect.flip)
      assert.strictEqual(cancelled._tag === "RuleViolation" && cancelled.rule, "report.task_open")
      const blank = yield* resolutions.fileReport(task.id, { title: "", body: "" }).pipe(as(people.worker), Effect.flip)
      assert.strictEqual(blank._tag, "InvalidInput")

      yield* projects.archive(project.id).pipe(as(people.manager))
      const fileArchived = yield* documents
        .file({ projectId: project.id, title: "Поздно" })
        .pipe(as(people.manager), Effect.flip)
      assert.strictEqual(fileArchived._tag === "RuleViolation" && fileArchived.rule, "project.archived")
      const issueArchived = yield* resolutions.issue(letter.id, input).pipe(as(people.manager), Effect.flip)
      assert.strictEqual(issueArchived._tag === "RuleViolation" && issueArchived.rule, "project.archived")
      // Work ordered before the archive can still be finished.
      const finished = yield* resolutions.fileReport(task.id, { title: "Исполнено", body: "" }).pipe(as(people.worker))
      assert.strictEqual(finished.task.status, "done")
    }).pipe(Effect.provide(TaskDesk.layerMemory))
  )

  const Step = FastCheck.record({
    by: FastCheck.constantFrom(...(["worker", "worker2", "admin", "manager"] as const)),
    numbered: FastCheck.boolean()
  })

  it.effect.prop(
    "a task is done exactly when every assignee has reported, and takes no report after",
    {
      assignees: FastCheck.subarray([...(["worker", "worker2", "admin"] as const)], { minLength: 1 }),
      steps: FastCheck.array(Step, { maxLength: 8 })
    },
    ({ assignees, steps }) =>
      Effect.gen(function* () {
        const { people, letter, resolutions, tasks } = yield* setup
        const { task } = yield* resolutions
          .issue(letter.id, { title: "t", body: "", assigneeIds: assignees.map((a) => people[a].id), dueAt: days(1) })
          .pipe(as(people.manager))
        const reported = new Set<string>()
        let accepted = 0
        let generated = 0
        for (const [i, step] of steps.entries()) {
          const wasDone = assignees.every((a) => reported.has(a))
          const result = yield* resolutions
            .fileReport(task.id, {
              title: `r${i}`,
              body: "",
              ...(step.numbered ? { registrationNumber: `H-${i}` } : {})
            })
            .pipe(as(people[step.by]), Effect.either)
          const mayReport = assignees.includes(step.by as (typeof assignees)[number]) && !wasDone
          assert.strictEqual(result._tag === "Right", mayReport, `step ${i} by ${step.by}`)
          if (result._tag === "Right") {
            reported.add(step.by)
            accepted++
            if (!step.numbered) generated++
            const want = step.numbered ? `H-${i}` : `REP-${String(generated).padStart(4, "0")}`
            assert.strictEqual(result.right.report.registrationNumber, want)
          }
          const now = yield* tasks.get(task.id).pipe(as(people.manager))
          const allIn = assignees.every((a) => reported.has(a))
          assert.strictEqual(now.status, allIn ? "done" : reported.size > 0 ? "in_progress" : "todo")
        }
        const overview = yield* resolutions.overview(letter.projectId).pipe(as(people.manager))
        const all = [...overview.open, ...overview.done]
        assert.strictEqual(all.length, 1)
        assert.strictEqual(all[0]!.reports.length, accepted)
      }).pipe(Effect.provide(TaskDesk.layerMemory)),
    { fastCheck: { numRuns: 30 } }
  )
})
