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
  { _tag: "repair_commented", reference: "R-000042", device: "Fridge", author: "Анна", body: "When?" }
]

const scripts: Readonly<Record<Language, RegExp>> = {
  en: /^[\x20-\x7e\n«»"Анна王伟]*$/u,
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
