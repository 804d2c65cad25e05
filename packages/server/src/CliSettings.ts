import { Effect, Either } from "effect"
import * as Config from "./Config.js"

/** A configuration or usage problem: one line on stderr, exit status 1. */
export class CliFailure extends Error {}

/** The settings (file, environment, then `overrides`), or the CLI ends with the problem in one line. */
export const settingsOr = (overrides: Record<string, unknown> = {}) =>
  Either.match(Config.load({ env: process.env, overrides }), {
    onLeft: (error) => Effect.die(new CliFailure(error.message)),
    onRight: Effect.succeed
  })

/** Ends the command with one line on stderr and status 1. */
export const failWith = (message: string) => Effect.die(new CliFailure(message))
