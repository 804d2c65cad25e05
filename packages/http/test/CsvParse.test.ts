import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Fiber } from "effect"
import * as Csv from "../src/csv/Csv.js"

/** A file of `rows` rows whose cells hold what a piece boundary could cut: quoted line breaks, Cyrillic, emoji. */
const file = (rows: number, eol = "\r\n") =>
  [
    "\uFEFFid,title,description",
    ...Array.from(
      { length: rows },
      (_, i) => `${i + 1},Задача 😀 ${i},"строка ${i}${eol}вторая, с ""кавычками"" 中文${i % 7 === 0 ? "😀😀" : ""}"`
    )
  ].join(eol)

describe("CSV parsing", () => {
  it("names the line each row starts on, whatever line breaks its quoted cells hold", () => {
    const lines = (text: string) => Either.getOrThrow(Csv.parseTable(text)).rows.map((r) => r.line)
    // csv-parse counts a quoted CRLF as two lines; a spreadsheet's multi-line cells are CRLF.
    assert.deepStrictEqual(lines(["h", '"x\r\ny"', '"x\r\ny"', "p", '"x\r\ny"'].join("\r\n")), [2, 4, 6, 7])
    assert.deepStrictEqual(lines(["h", '"x\r\ny"', "p"].join("\n")), [2, 4])
    assert.deepStrictEqual(lines(["h", '"x\ny"', '"x\ny"', "p", "", '"x\ry"', "q"].join("\n")), [2, 4, 6, 8, 10])
    assert.deepStrictEqual(lines(["h", "a", "b"].join("\r\n")), [2, 3])
  })
})

describe("CSV parsing in turns of the event loop", () => {
  it.effect("reads a file of many pieces exactly as the parse at once does", () =>
    Effect.gen(function* () {
      // About 3 MB: a dozen pieces, with boundaries falling inside quoted cells and between surrogates.
      for (const eol of ["\r\n", "\n"]) {
        const text = file(30_000, eol)
        const inTurns = yield* Csv.parseTableInTurns(text)
        assert.deepStrictEqual(inTurns, Csv.parseTable(text))
        const table = Either.getOrThrow(inTurns)
        assert.strictEqual(table.rows.length, 30_000)
        assert.deepStrictEqual(table.header, ["id", "title", "description"])
        assert.strictEqual(table.rows[29_999]!.line, 2 + 29_999 * 2, "each row's line, counting the quoted breaks")
      }
    })
  )

  it.effect("an unreadable file is the same single error, at the same line", () =>
    Effect.gen(function* () {
      const text = `${file(20_000)}\r\n20001,"unclosed,x`
      const inTurns = yield* Csv.parseTableInTurns(text)
      assert.isTrue(Either.isLeft(inTurns))
      assert.deepStrictEqual(inTurns, Csv.parseTable(text))
      assert.deepStrictEqual(yield* Csv.parseTableInTurns(""), Csv.parseTable(""))
    })
  )

  it.effect("lets the event loop turn while it parses, and can be interrupted midway", () =>
    Effect.gen(function* () {
      const text = file(30_000)
      let turns = 0
      const count = () => {
        turns++
        if (turns < 1_000) setImmediate(count)
      }
      setImmediate(count)
      yield* Csv.parseTableInTurns(text)
      assert.isAtLeast(turns, 5, "other work ran between the pieces")

      const fiber = yield* Effect.fork(Csv.parseTableInTurns(text))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(exit._tag === "Failure", "an interrupted parse ends without a table")
    })
  )
})
