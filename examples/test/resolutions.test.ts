import { assert, describe, it } from "@effect/vitest"
import { publicBaseUrl, run } from "../resolutions/Office.js"

describe("resolutions example", () => {
  it("numbers the register per kind and tells done from overdue resolutions by their reports", async () => {
    const { register, inThreeDays } = await run()
    assert.deepStrictEqual(
      register.map((line) => line.split(" ")[0]),
      ["IN-0001", "IN-0002", "RES-0001", "RES-0002", "REP-0001", "REP-0002"]
    )
    assert.deepStrictEqual(inThreeDays, {
      open: [],
      overdue: ["RES-0002 (0/1 reports)"],
      done: ["RES-0001 (2/2 reports)"]
    })
  })

  it("mails each executor the resolution, the others a comment, and the head each report and when it is done", async () => {
    const { delivery, mails } = await run()
    assert.deepStrictEqual(delivery, { sent: 7, retrying: 0, failed: 0 })
    const received = mails.map((m) => `${m.to.join(",")} ${m.subject}`).sort()
    assert.deepStrictEqual(received, [
      "boss@example.org Новый комментарий к «Подготовить план перехода»",
      "boss@example.org Отчёт по резолюции RES-0001",
      "boss@example.org Резолюция RES-0001 исполнена",
      "ivanov@example.org Новый комментарий к «Подготовить план перехода»",
      "ivanov@example.org Резолюция RES-0001: Подготовить план перехода",
      "ivanov@example.org Резолюция RES-0002: Представить сведения об оргтехнике",
      "petrova@example.org Резолюция RES-0001: Подготовить план перехода"
    ])
    const toPetrova = mails.find((m) => m.to.includes("petrova@example.org"))!
    assert.include(toPetrova.text, "Петровой — смету")
    assert.include(toPetrova.text, "по документу IN-0001 «Письмо Минцифры о переходе на отечественное ПО»")
    assert.include(toPetrova.text, "Начальник отдела назначает вас исполнителем резолюции RES-0001")
    assert.match(toPetrova.text, /Срок: \d{4}-\d{2}-\d{2} 15:00 UTC/)
    assert.match(toPetrova.text, new RegExp(`${publicBaseUrl}/tasks/\\S+`))
    const toHead = mails.filter((m) => m.to.includes("boss@example.org"))
    const first = toHead.find((m) => m.subject === "Отчёт по резолюции RES-0001")!
    assert.include(first.text, "Иванов И. И. представляет отчёт REP-0001 по резолюции RES-0001")
    assert.include(first.text, "Перечень ПО составлен")
    assert.notInclude(first.text, "исполнена")
    const done = toHead.find((m) => m.subject === "Резолюция RES-0001 исполнена")!
    assert.include(done.text, "Петрова А. С. представляет отчёт REP-0002")
    assert.include(done.text, "Все исполнители отчитались: резолюция исполнена.")
  })
})
