import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { run } from "../cabinet/main.js"

describe("cabinet example", () => {
  it("runs the report job by hand and on its re-timed schedule, and each partner gets their figures in Telegram", async () => {
    const { schedule, nextRunAt, runs, messages } = await run()
    assert.strictEqual(schedule, "30 17 * * 1-5 (Europe/Moscow)")
    // Tuesday 17:30 in Moscow.
    assert.deepStrictEqual(nextRunAt, Option.some("2026-12-08T14:30:00.000Z"))
    assert.deepStrictEqual(
      runs.map((r) => [r.trigger, r.scheduledAt, r.status, r.summary]),
      [
        ["schedule", "2026-12-07T14:30:00.000Z", "succeeded", "2 reports, 2 sent, 0 to retry, 0 failed"],
        ["manual", "2026-12-07T09:00:00.000Z", "succeeded", "2 reports, 2 sent, 0 to retry, 0 failed"]
      ]
    )
    assert.deepStrictEqual(
      messages.map((m) => m.chatId),
      [1002, 1001, 1002, 1001]
    )
    const [, sergeyAtNoon, , sergeyAtHalfFive] = messages.map((m) => m.text)
    assert.strictEqual(
      sergeyAtNoon,
      [
        "Отчёт на 2026-12-07 12:00",
        "",
        "Добрый день, Сергей!",
        "• Ферма Иркутск: создано 2, выполнено 1, просрочено 1",
        "• Ферма Красноярск: создано 1, выполнено 1, просрочено 0"
      ].join("\n")
    )
    // The greeting changed with the job's parameters; Марина's farm never appears in Сергей's report.
    assert.match(sergeyAtHalfFive!, /^Отчёт на 2026-12-07 17:30\n\nДобрый вечер, Сергей!\n/)
    assert.notInclude(sergeyAtHalfFive!, "Казань")
  })
})
