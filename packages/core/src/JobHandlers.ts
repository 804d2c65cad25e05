import { Context, type DateTime, Effect, Layer, Option, Schema } from "effect"
import type { CurrentActor } from "./Actor.js"
import type { InvalidInput } from "./Errors.js"
import type { JobId, JobRunId } from "./Ids.js"
import type { JobParameters, RunTrigger } from "./Job.js"
import { decodeUnknown } from "./Validation.js"

/** What a handler knows about the run it performs. */
export interface JobContext {
  readonly jobId: JobId
  readonly runId: JobRunId
  /** The occurrence this run is for (the time of the request, for a manual run). */
  readonly scheduledAt: DateTime.Utc
  readonly trigger: RunTrigger
  /** The zone of the job's cron schedule, for handlers that think in local days; none for intervals. */
  readonly timeZone: Option.Option<DateTime.TimeZone>
  readonly instanceId: string
}

/**
 * A kind of job a host application offers: its name, the schema of its JSON parameters, and what
 * a run does. A run returns a short summary for the run history; it runs as the system actor.
 */
export interface JobHandler {
  readonly name: string
  readonly description: string
  /** Decodes JSON parameters, failing with `InvalidInput` naming each bad field. */
  readonly decode: (parameters: unknown) => Effect.Effect<unknown, InvalidInput>
  /** Decodes and re-encodes parameters, filling defaults: the form a job stores. */
  readonly normalize: (parameters: unknown) => Effect.Effect<JobParameters, InvalidInput>
  readonly run: (parameters: unknown, context: JobContext) => Effect.Effect<string, unknown, CurrentActor>
}

/** Defines a handler; its parameters are typed by their schema, whose encoded side is a JSON object. */
export const make = <A, I extends JobParameters, E>(definition: {
  readonly name: string
  readonly description?: string
  readonly parameters: Schema.Schema<A, I>
  readonly run: (parameters: A, context: JobContext) => Effect.Effect<string, E, CurrentActor>
}): JobHandler => {
  const decode = decodeUnknown(definition.parameters)
  return {
    name: definition.name,
    description: definition.description ?? "",
    decode,
    normalize: (parameters) =>
      Effect.flatMap(decode(parameters), (value) =>
        // A schema whose encoding fails on its own decoded value is a bug in the handler.
        Effect.orDie(Schema.encode(definition.parameters)(value))
      ),
    run: (parameters, context) => definition.run(parameters as A, context)
  }
}

/**
 * The handlers a scheduler can run, registered by the host application: the built-in ones and any
 * of its own. A later handler with the same name replaces an earlier one, so a host can override.
 */
export class JobHandlers extends Context.Tag("@taskdesk/core/JobHandlers")<
  JobHandlers,
  {
    readonly get: (name: string) => Option.Option<JobHandler>
    readonly all: ReadonlyArray<JobHandler>
  }
>() {
  /** A registry of these handlers. */
  static fromHandlers(handlers: ReadonlyArray<JobHandler>): JobHandlers["Type"] {
    const byName = new Map(handlers.map((h) => [h.name, h] as const))
    return { get: (name) => Option.fromNullable(byName.get(name)), all: [...byName.values()] }
  }

  /** A registry from handlers, some built from services (e.g. `DeadlineReminders.handler`). */
  static layer<const Handlers extends ReadonlyArray<JobHandler | Effect.Effect<JobHandler, never, unknown>>>(
    handlers: Handlers
  ): Layer.Layer<
    JobHandlers,
    never,
    Effect.Effect.Context<Extract<Handlers[number], Effect.Effect<JobHandler, never, unknown>>>
  > {
    return Layer.effect(
      JobHandlers,
      Effect.map(
        Effect.forEach(
          handlers as ReadonlyArray<JobHandler | Effect.Effect<JobHandler, never, unknown>>,
          (h): Effect.Effect<JobHandler, never, unknown> => (Effect.isEffect(h) ? h : Effect.succeed(h))
        ),
        JobHandlers.fromHandlers
      )
    ) as Layer.Layer<JobHandlers, never, never>
  }
}
