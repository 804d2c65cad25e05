import { ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect } from "effect"
import { CliFailure, run } from "./Cli.js"
import * as PlainConsole from "./PlainConsole.js"
import * as StartFailure from "./StartFailure.js"

// A configuration or usage problem, or a server that cannot start (port taken, database unreachable),
// ends with one line on stderr naming it and status 1, not a log line with a stack trace.
run(process.argv).pipe(
  PlainConsole.wanted(process.env, process.stdout.isTTY === true) ? PlainConsole.withPlainConsole : (e) => e,
  Effect.catchAllCause((cause) => {
    if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
    const defect = [...Cause.defects(cause)][0]
    const failure = Cause.failureOption(cause)
    const line =
      defect instanceof CliFailure
        ? defect.message
        : // The CLI printed its usage problem already.
          failure._tag === "Some" && ValidationError.isValidationError(failure.value)
          ? undefined
          : StartFailure.describe(cause, StartFailure.settingsOfEnvironment())
    return Effect.sync(() => {
      if (line !== undefined) console.error(`taskdesk: ${line}`)
      process.exitCode = 1
    })
  }),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: false })
)
