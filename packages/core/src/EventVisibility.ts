import { Effect, Exit } from "effect"
import * as Actor from "./Actor.js"
import { Assignments } from "./Assignments.js"
import type { AuditEvent, Subject } from "./AuditEvent.js"
import { Documents } from "./Documents.js"
import { AssignmentId, DocumentId, ProjectId, RepairRequestId, TaskId, TemplateId, UserId } from "./Ids.js"
import { Policy } from "./Policy.js"
import { Projects } from "./Projects.js"
import { RepairRequests } from "./RepairRequests.js"
import { Tasks } from "./Tasks.js"
import { Templates } from "./Templates.js"
import { Users } from "./Users.js"

/**
 * Which audit events an actor may watch live. Whoever may read the whole log (`event.read`, as
 * `GET /api/events` requires) sees every event; anyone else sees an event when they may read the
 * thing it is about, by the same rules (and the same code) as reading that thing: a worker sees
 * their own assignments' events and not a colleague's, a client their own repair requests'.
 * A thing that is gone, or that they may not read, hides its events.
 */
export class EventVisibility extends Effect.Service<EventVisibility>()("@taskdesk/core/EventVisibility", {
  effect: Effect.gen(function* () {
    const policy = yield* Policy
    const tasks = yield* Tasks
    const assignments = yield* Assignments
    const repairs = yield* RepairRequests
    const users = yield* Users
    const projects = yield* Projects
    const documents = yield* Documents
    const templates = yield* Templates

    const readable = (subject: Subject): Effect.Effect<unknown, unknown, Actor.CurrentActor> => {
      switch (subject.kind) {
        case "task":
          return tasks.get(TaskId.make(subject.id))
        case "assignment":
          return assignments.get(AssignmentId.make(subject.id))
        case "repair_request":
          return repairs.get(RepairRequestId.make(subject.id))
        case "user":
          return users.get(UserId.make(subject.id))
        case "project":
          return projects.get(ProjectId.make(subject.id))
        case "document":
          return documents.get(DocumentId.make(subject.id))
        case "template":
          return templates.get(TemplateId.make(subject.id))
        case "job":
          return Effect.flatMap(Actor.CurrentActor, (actor) =>
            policy.allows(actor, "scheduler.read", new Set()) ? Effect.void : Effect.fail("hidden")
          )
      }
    }

    /** Whether everything is visible to the actor (no per-event lookups needed). */
    const seesAll = (actor: Actor.Actor): boolean => policy.grants(actor, "event.read").has("any")

    /** Whether the actor may see the event. */
    const visible = (actor: Actor.Actor, event: AuditEvent): Effect.Effect<boolean> =>
      seesAll(actor)
        ? Effect.succeed(true)
        : readable(event.subject).pipe(
            Actor.as(actor),
            Effect.exit,
            Effect.map(Exit.isSuccess),
            // A malformed id in an old row is not the watcher's problem: it hides that event.
            Effect.catchAllDefect(() => Effect.succeed(false))
          )

    return { seesAll, visible } as const
  })
}) {}
