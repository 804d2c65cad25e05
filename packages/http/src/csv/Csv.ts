import { Imports } from "@taskdesk/core"
import { CsvError, parse } from "csv-parse/sync"
import { stringify } from "csv-stringify/sync"
import { Either } from "effect"

/** The media type of every export. */
export const contentType = "text/csv; charset=utf-8"

/** The byte-order mark that makes spreadsheets read the file as UTF-8 (`?bom=1`). */
export const bom = "\uFEFF"

// A cell a spreadsheet would read as a formula (or whose leading tab/CR it would strip) starts with one
// of these; OWASP's advice is a leading single quote, which spreadsheets show as text.
const formulaStart = /^[=+\-@\t\r]/

/** The cell as written: a quote before what a spreadsheet would run as a formula. */
export const neutralise = (cell: string): string => (formulaStart.test(cell) ? `'${cell}` : cell)

/**
 * Rows as RFC 4180 text (CRLF between records; a cell is quoted when it holds a comma, a quote or
 * a line break), every cell neutralised. csv-stringify quotes line breaks only when they match the
 * record delimiter, hence `quoted_match`.
 */
export const format = (rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  rows.length === 0
    ? ""
    : stringify(
        rows.map((row) => row.map(neutralise)),
        { record_delimiter: "\r\n", quoted_match: /[\r\n]/ }
      )

const lineBreaks = /\r\n|\n|\r/g

/**
 * Parses a CSV file (RFC 4180, CRLF or LF, an optional BOM; empty lines skipped) into its header and
 * rows, each row with the line it starts on. Rows of another width than the header are kept, for the
 * import to name them. A file the parser cannot read (an unclosed quote) is one error at its line.
 */
export const parseTable = (text: string): Either.Either<Imports.ImportTable, Imports.RowError> => {
  let records: Array<{ readonly record: Array<string>; readonly info: { readonly lines: number } }>
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true
    }) as unknown as typeof records
  } catch (error) {
    const line = error instanceof CsvError && typeof error.lines === "number" ? error.lines : 1
    return Either.left(
      new Imports.RowError({
        line,
        column: "(file)",
        reason: `not readable as CSV: ${error instanceof Error ? error.message : String(error)}`
      })
    )
  }
  const [head, ...body] = records
  if (head === undefined) {
    return Either.left(new Imports.RowError({ line: 1, column: "(file)", reason: "the file is empty: no header row" }))
  }
  const startLine = (r: (typeof records)[number]) =>
    r.info.lines - r.record.reduce((n, cell) => n + (cell.match(lineBreaks)?.length ?? 0), 0)
  return Either.right({
    header: head.record,
    rows: body.map((r) => ({ line: startLine(r), cells: r.record }))
  })
}
