import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import * as Csv from "../src/csv/Csv.js"

// Cells drawn mostly from the characters that matter to quoting and neutralising.
const cell = FastCheck.oneof(
  FastCheck.string(),
  FastCheck.stringMatching(/^[=+\-@\t\r\n",; aЖ中']{0,8}$/),
  FastCheck.constantFrom("", ",", '"', "\r\n", "\n", "\r", "=1+1", "-", "'", "a,b", 'say "hi"', "Иван; 李")
)

describe("CSV formatting", () => {
  it.prop(
    "the export's text is csv-stringify's over the same rows",
    [FastCheck.array(FastCheck.array(cell, { maxLength: 6 }), { maxLength: 8 })],
    ([rows]) => {
      assert.strictEqual(Csv.format(rows), Csv.formatByLibrary(rows))
    }
  )

  it("quotes only what needs it, and neutralises formulas", () => {
    assert.strictEqual(
      Csv.format([["plain", "a,b", 'say "hi"', "two\nlines", "=SUM(A1)", "", "-3"], ["only"]]),
      `plain,"a,b","say ""hi""","two\nlines",'=SUM(A1),,'-3\r\nonly\r\n`
    )
  })
})
