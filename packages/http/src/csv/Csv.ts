import { Imports } from "@taskdesk/core"
import { parse as parseStream } from "csv-parse"
import { CsvError, parse } from "csv-parse/sync"
import { stringify } from "csv-stringify/sync"
import { Effect, Either } from "effect"

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

const parseOptions = { bom: true, relax_column_count: true, skip_empty_lines: true, info: true } as const

type ParsedRecord = { readonly record: Array<string>; readonly info: { readonly lines: number } }

const unreadable = (error: unknown) =>
  new Imports.RowError({
    line: error instanceof CsvError && typeof error.lines === "number" ? error.lines : 1,
    column: "(file)",
    reason: `not readable as CSV: ${error instanceof Error ? error.message : String(error)}`
  })

const crlf = /\r\n/g
const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0

/**
 * The header and rows of parsed records, each row with the line it starts on. csv-parse gives the
 * line a record ends on, counting a CRLF inside a quoted cell as two lines (a CR, then an LF) but
 * a record's own CRLF as one; the true line is that less every quoted CRLF so far, and the start
 * that less the record's own line breaks.
 */
const toTable = (records: ReadonlyArray<ParsedRecord>): Either.Either<Imports.ImportTable, Imports.RowError> => {
  const [head, ...body] = records
  if (head === undefined) {
    return Either.left(new Imports.RowError({ line: 1, column: "(file)", reason: "the file is empty: no header row" }))
  }
  const total = (record: ReadonlyArray<string>, pattern: RegExp) =>
    record.reduce((n, cell) => n + count(cell, pattern), 0)
  let quotedCrlfs = total(head.record, crlf)
  return Either.right({
    header: head.record,
    rows: body.map((r) => {
      quotedCrlfs += total(r.record, crlf)
      return { line: r.info.lines - quotedCrlfs - total(r.record, lineBreaks), cells: r.record }
    })
  })
}

/**
 * Parses a CSV file (RFC 4180, CRLF or LF, an optional BOM; empty lines skipped) into its header and
 * rows, each row with the line it starts on. Rows of another width than the header are kept, for the
 * import to name them. A file the parser cannot read (an unclosed quote) is one error at its line.
 * At once, in one synchronous call: imports read files through `parseTableInTurns`, which the tests
 * hold to this.
 */
export const parseTable = (text: string): Either.Either<Imports.ImportTable, Imports.RowError> => {
  try {
    return toTable(parse(text, parseOptions) as unknown as Array<ParsedRecord>)
  } catch (error) {
    return Either.left(unreadable(error))
  }
}

/** Characters handed to the parser between two turns of the event loop. */
const pieceChars = 256 * 1024

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

/**
 * `parseTable` by the same parser fed in pieces of 256 KiB, with a turn of the event loop between
 * them: parsed at once, a 100,000-row file held the server for 1.2 s. Pieces end between
 * characters, never inside a surrogate pair.
 */
export const parseTableInTurns = (text: string): Effect.Effect<Either.Either<Imports.ImportTable, Imports.RowError>> =>
  Effect.async((resume) => {
    const records: Array<ParsedRecord> = []
    const parser = parseStream(parseOptions)
    let settled = false
    const settle = (result: Either.Either<Imports.ImportTable, Imports.RowError>) => {
      if (settled) return
      settled = true
      resume(Effect.succeed(result))
    }
    parser.on("data", (record: ParsedRecord) => records.push(record))
    parser.on("error", (error) => settle(Either.left(unreadable(error))))
    parser.on("end", () => settle(toTable(records)))
    let at = 0
    let pending: NodeJS.Immediate | undefined
    const feed = () => {
      pending = undefined
      if (settled || parser.destroyed) return
      if (at >= text.length) {
        parser.end()
        return
      }
      let end = Math.min(text.length, at + pieceChars)
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--
      parser.write(text.slice(at, end))
      at = end
      pending = setImmediate(feed)
    }
    feed()
    return Effect.sync(() => {
      settled = true
      if (pending !== undefined) clearImmediate(pending)
      parser.destroy()
    })
  })
