/**
 * How deeply a JSON body may nest arrays and objects. The API's deepest bodies (a job's parameters,
 * a Telegram update) nest about ten levels; past a few thousand, formatting a schema failure about
 * such a value overflows the stack, so a body is refused long before that, before it is parsed.
 */
export const maxJsonDepth = 64

/**
 * Whether JSON text nests arrays and objects deeper than `max`: one pass over the characters,
 * skipping strings, without parsing. Text that is not JSON is left for the parser to refuse.
 */
export const nestsDeeperThan = (text: string, max: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92)
        i++ // a backslash: the next character is escaped
      else if (c === 34) inString = false
    } else if (c === 34) {
      inString = true
    } else if (c === 91 || c === 123) {
      if (++depth > max) return true
    } else if (c === 93 || c === 125) {
      depth--
    }
  }
  return false
}
