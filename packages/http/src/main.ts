import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Option } from "effect"
import { CliFailure, run } from "./Cli.js"

// A configuration or usage problem ends with one line naming it, not a stack trace.
run(process.argv).pipe(
  Effect.catchAllDefect((defect) =>
    defect instanceof CliFailure
      ? Effect.sync(() => {
          console.error(`taskdesk: ${defect.message}`)
          process.exitCode = 1
        })
      : Effect.die(defect)
  ),
  Effect.tapErrorCause((cause) =>
    Effect.sync(() => {
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure)) process.exitCode = 1
    })
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: false })
)
