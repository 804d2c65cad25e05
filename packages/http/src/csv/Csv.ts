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

const stringifyOptions = { record_delimiter: "\r\n", quoted_match: /[\r\n]/ }

// What makes csv-stringify quote a cell under `stringifyOptions` (a comma, a quote, a line break);
// any other cell it writes as it is.
const needsQuoting = /[",\r\n]/

/** One neutralised cell as csv-stringify writes it: quoted and its quotes doubled where needed. */
const cell = (text: string): string => {
  const value = neutralise(text)
  return needsQuoting.test(value) ? stringify([[value]], stringifyOptions).slice(0, -2) : value
}

/**
 * Rows as RFC 4180 text (CRLF between records; a cell is quoted when it holds a comma, a quote or
 * a line break), every cell neutralised. csv-stringify quotes line breaks only when they match the
 * record delimiter, hence `quoted_match`. It is handed only the cells it must quote: its per-cell
 * work on plain cells (which it writes unchanged) was most of an export's formatting time; the
 * tests hold the output equal to csv-stringify's over whole rows.
 */
export const format = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  let text = ""
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) text += i === 0 ? cell(row[i]!) : `,${cell(row[i]!)}`
    text += "\r\n"
  }
  return text
}

/** The same text as `format`, with every cell passed through csv-stringify (the tests' reference). */
export const formatByLibrary = (rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  rows.length === 0
    ? ""
    : stringify(
        rows.map((row) => row.map(neutralise)),
        stringifyOptions
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
