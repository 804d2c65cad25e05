import { assert, describe, it } from "@effect/vitest"
import { FastCheck, Option } from "effect"
import { formatTime, type Message, maxBody, maxSubject, render, statusName } from "../src/NotificationTemplates.js"
import { repairStatuses } from "../src/RepairRequest.js"
import { Language } from "../src/User.js"
import { at } from "../testing/index.js"

const languages = Language.literals
const due = Option.some(at("2026-03-02T09:30:00Z"))

const examples: ReadonlyArray<Message> = [
  { _tag: "assignment_offered", taskTitle: "Inventory", assignedBy: "Анна", dueAt: due },
  { _tag: "assignment_rejected", taskTitle: "Inventory", assignee: "王伟", reason: "On leave" },
  { _tag: "repair_assigned", reference: "R-000042", device: "Fridge Atlant", deadline: Option.none() },
  {
    _tag: "repair_status_changed",
    reference: "R-000042",
    device: "Fridge Atlant",
    from: "in_progress",
    to: "on_hold",
    note: Option.some("Waiting for a compressor")
  },
  { _tag: "task_commented", taskTitle: "Inventory", author: "Анна", body: "Done?" },
  { _tag: "task_assigned", taskTitle: "Inventory", assignedBy: "Анна", dueAt: due },
  {
    _tag: "resolution_issued",
    number: "RES-0001",
    title: "Prepare an answer",
    body: "List the printers",
    issuedBy: "Анна",
    incomingNumber: "IN-0001",
    incomingTitle: "Request for data",
    dueAt: at("2026-03-06T15:00:00Z")
  },
  {
    _tag: "report_filed",
    number: "RES-0001",
    title: "Prepare an answer",
    reporter: "王伟",
    reportNumber: "REP-0002",
    reportBody: "Printers listed",
    completed: true
  },
  { _tag: "repair_commented", reference: "R-000042", device: "Fridge", author: "Анна", body: "When?" },
  {
    _tag: "deadline_reminder",
    items: [
      { kind: "task", title: "Inventory", due: "2026-03-02 12:30", overdue: true },
      { kind: "repair", title: "R-000042 Fridge", due: "2026-03-03 09:00", overdue: false }
    ]
  },
  {
    _tag: "daily_report",
    date: "2026-03-02",
    created: ["Inventory"],
    completed: [],
    overdue: Array.from({ length: 25 }, (_, i) => `Task ${i}`),
    repairs: { total: 3, completed: 1, overdue: 0, averageRating: Option.some(4.5) },
    rejected: ["Inventory (Anna): On leave"]
  }
]

const scripts: Readonly<Record<Language, RegExp>> = {
  en: /^[\x20-\x7e\n«»"—…Анна王伟]*$/u,
  ru: /[а-яё]/i,
  zh: /[\u4e00-\u9fff]/
}

describe("NotificationTemplates", () => {
  it("says every message in every language, in that language's script", () => {
    for (const message of examples) {
      const texts = languages.map((l) => render(message, l))
      for (const [i, language] of languages.entries()) {
        const { subject, body } = texts[i]!
        assert.isAbove(subject.length, 0)
        assert.isAbove(body.length, 0)
        assert.match(`${subject}\n${body}`, scripts[language], `${message._tag} in ${language}`)
      }
      assert.strictEqual(
        new Set(texts.map((t) => t.body)).size,
        languages.length,
        `${message._tag}: three different texts`
      )
    }
  })

  it("keeps the details people need: reason, due time, note, status", () => {
    assert.include(render(examples[1]!, "zh").body, "拒绝理由：On leave")
    assert.include(render(examples[0]!, "ru").body, "Срок: 2026-03-02 09:30 UTC")
    const changed = render(examples[3]!, "ru")
    assert.strictEqual(changed.subject, "R-000042: приостановлена")
    assert.include(changed.body, "Комментарий: Waiting for a compressor")
    assert.include(render(examples[2]!, "en").body, "Deadline: none")
  })

  it("says which document a resolution is on and when it is due, and when a report was the last", () => {
    const issued = examples.find((m) => m._tag === "resolution_issued")!
    const ru = render(issued, "ru")
    assert.strictEqual(ru.subject, "Резолюция RES-0001: Prepare an answer")
    assert.include(ru.body, "по документу IN-0001 «Request for data».\nList the printers\nСрок: 2026-03-06 15:00 UTC.")
    assert.include(render(issued, "zh").body, "文件 IN-0001「Request for data」")
    const last = examples.find((m) => m._tag === "report_filed")!
    assert.strictEqual(render(last, "en").subject, "Resolution RES-0001 executed")
    assert.include(render(last, "ru").body, "王伟 представляет отчёт REP-0002 по резолюции RES-0001")
    assert.include(render(last, "zh").body, "所有执行人均已报告")
    const earlier = { ...last, completed: false }
    assert.strictEqual(render(earlier, "ru").subject, "Отчёт по резолюции RES-0001")
    for (const language of languages) {
      assert.strictEqual(render(earlier, language).body, render(last, language).body.split("\n").slice(0, 2).join("\n"))
    }
    const assigned = examples.find((m) => m._tag === "task_assigned")!
    assert.strictEqual(render(assigned, "en").subject, "Task assigned to you: Inventory")
    assert.include(render(assigned, "ru").body, "Срок: 2026-03-02 09:30 UTC")
  })

  it("counts a reminder's items and a report's sections in the reader's language", () => {
    const reminder = examples.find((m) => m._tag === "deadline_reminder")!
    assert.strictEqual(render(reminder, "en").subject, "2 items due soon (1 overdue)")
    assert.strictEqual(render(reminder, "ru").subject, "Сроки: 2 (просрочено: 1)")
    assert.include(render(reminder, "ru").body, "- [просрочено] задача: Inventory — срок 2026-03-02 12:30")
    assert.include(render(reminder, "zh").body, "维修单: R-000042 Fridge — 截止 2026-03-03 09:00")
    const report = examples.find((m) => m._tag === "daily_report")!
    const ru = render(report, "ru")
    assert.strictEqual(ru.subject, "Отчёт за день 2026-03-02")
    assert.include(ru.body, "Просрочено: 25\n- Task 0")
    assert.include(ru.body, "- … и ещё 5")
    assert.include(ru.body, "Средняя оценка: 4.50")
    assert.include(render(report, "zh").body, "被拒绝的分配: 1\n- Inventory (Anna): On leave")
  })

  it("names every repair status in every language", () => {
    for (const language of languages) {
      const names = repairStatuses.map((s) => statusName(s, language))
      assert.strictEqual(new Set(names).size, repairStatuses.length)
    }
    assert.strictEqual(formatTime(at("2026-12-31T23:59:59Z")), "2026-12-31 23:59 UTC")
  })

  it("fits any title into a one-line subject and any text into the body limit", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.string({ maxLength: 400 }),
        FastCheck.string({ maxLength: 25_000 }),
        FastCheck.constantFrom(...languages),
        (title, text, language) => {
          for (const message of [
            { _tag: "task_commented", taskTitle: title, author: title, body: text } as const,
            { _tag: "assignment_rejected", taskTitle: title, assignee: "x", reason: text } as const
          ]) {
            const { subject, body } = render(message, language)
            if (subject.length > maxSubject || /[\r\n]/.test(subject) || body.length > maxBody) return false
          }
          return true
        }
      ),
      { numRuns: 200 }
    )
  })
})
