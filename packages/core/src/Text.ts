import { Schema } from "effect"

/**
 * What free text may hold. Control characters (C0, DEL, C1) and the bidirectional embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069) are refused everywhere: a NUL truncates
 * text in C-based tools, an escape sequence rewrites a terminal, and a right-to-left override
 * makes a title or a file name read differently from what it is. Single-line fields (titles,
 * names, tags) also refuse line breaks (CR, LF, U+2028, U+2029); multi-line fields (descriptions,
 * comments, notes) keep tabs and line breaks (`\n`, and `\r` only as part of `\r\n`).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const singleLineRefused = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const multiLineRefused = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/

const codePoint = (found: string) => `U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`

/** Whether text is fit for a single-line field. */
export const isSingleLine = (text: string): boolean => !singleLineRefused.test(text)

/** Whether text is fit for a multi-line field. */
export const isMultiLine = (text: string): boolean => !multiLineRefused.test(text)

/** A single-line field: no control characters, no bidirectional controls, no line breaks. */
export const singleLine = <S extends Schema.Schema<string, string, never>>(self: S) =>
  self.pipe(
    Schema.filter((text) => {
      const found = singleLineRefused.exec(text)
      return found === null || `one line without control characters (found ${codePoint(found[0])})`
    })
  )

/** A multi-line field: tabs and line breaks allowed, other control characters and bidirectional controls not. */
export const multiLine = <S extends Schema.Schema<string, string, never>>(self: S) =>
  self.pipe(
    Schema.filter((text) => {
      const found = multiLineRefused.exec(text)
      return found === null || `no control characters other than tab and line breaks (found ${codePoint(found[0])})`
    })
  )
