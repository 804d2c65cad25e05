import { type Console, Effect } from "effect"

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it removes
const ansi = /\u001b\[[0-9;]*[A-Za-z]/g

const strip = (args: ReadonlyArray<unknown>) => args.map((a) => (typeof a === "string" ? a.replace(ansi, "") : a))

/**
 * Whether output should be plain text: `NO_COLOR` is set (https://no-color.org), or stdout is not a
 * terminal (a pipe, a file, a log collector).
 */
export const wanted = (env: Readonly<Record<string, string | undefined>>, isTty: boolean): boolean =>
  (env.NO_COLOR !== undefined && env.NO_COLOR !== "") || !isTty

/** Runs `effect` with a console that drops ANSI colour codes from what it prints (the CLI's help). */
export const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.consoleWith((base) => {
    const plain: Console.Console = {
      ...base,
      log: (...args) => base.log(...strip(args)),
      error: (...args) => base.error(...strip(args)),
      info: (...args) => base.info(...strip(args)),
      warn: (...args) => base.warn(...strip(args)),
      unsafe: {
        ...base.unsafe,
        log: (...args) => base.unsafe.log(...strip(args)),
        error: (...args) => base.unsafe.error(...strip(args))
      }
    }
    return Effect.withConsole(effect, plain)
  })
