import { DateTime, Effect, Option } from "effect"
import { CurrentActor } from "./Actor.js"
import { Subject } from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import { unlessExpected } from "./Conflicts.js"
import { NotFound, orNotFound } from "./Errors.js"
import { differ } from "./FieldChange.js"
import { IdGenerator } from "./IdGenerator.js"
import { TemplateId } from "./Ids.js"
import { traced } from "./Operation.js"
import { ensure, Policy } from "./Policy.js"
import { CreateTemplate, TaskTemplate, UpdateTemplate } from "./Template.js"
import { TemplateRepo } from "./TemplateRepo.js"
import { validate } from "./Validation.js"

const templateChanges = differ(TaskTemplate.fields)

/** The event-log subject of a template. */
export const templateSubject = (id: TemplateId): Subject => new Subject({ kind: "template", id })

/** The task library: managers keep it; everyone who may assign work reads it. */
export class Templates extends Effect.Service<Templates>()("@taskdesk/core/Templates", {
  effect: Effect.gen(function* () {
    const repo = yield* TemplateRepo
    const policy = yield* Policy
    const audit = yield* AuditLog
    const ids = yield* IdGenerator

    const load = (id: TemplateId) => repo.findById(id).pipe(orNotFound("TaskTemplate", id))

    const create = traced("Templates.create")(function* (input: CreateTemplate) {
      const actor = yield* CurrentActor
      yield* ensure(policy, actor, "template.manage")
      const valid = yield* validate(CreateTemplate.fields)(input)
      const now = yield* DateTime.now
      const template = new TaskTemplate({
        id: TemplateId.make(yield* ids.next),
        title: valid.title,
        description: valid.description ?? "",
        estimatedMinutes: Option.fromNullable(valid.estimatedMinutes),
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
        version: 1
      })
      return yield* audit.transaction(
        Effect.gen(function* () {
          yield* repo.insert(template).pipe(Effect.orDie)
          yield* audit.record(templateSubject(template.id), { _tag: "template.created", title: template.title })
          return template
        })
      )
    })

    const get = traced("Templates.get")(function* (id: TemplateId) {
      const actor = yield* CurrentActor
      if (!policy.allows(actor, "template.read", new Set())) return yield* new NotFound({ entity: "TaskTemplate", id })
      return yield* load(id)
    })

    const list = traced("Templates.list")(function* (query: { readonly text?: string } = {}) {
      yield* ensure(policy, yield* CurrentActor, "template.read")
      return yield* repo.list(query)
    })

    const update = traced("Templates.update")(function* (
      id: TemplateId,
      patch: UpdateTemplate,
      expectedVersion?: number
    ) {
      yield* ensure(policy, yield* CurrentActor, "template.manage")
      const valid = yield* validate(UpdateTemplate.fields)(patch)
      return yield* unlessExpected(
        expectedVersion,
        audit.transaction(
          Effect.gen(function* () {
            const template = yield* load(id)
            const version = expectedVersion ?? template.version
            const next = new TaskTemplate({
              ...template,
              ...(valid.title !== undefined ? { title: valid.title } : {}),
              ...(valid.description !== undefined ? { description: valid.description } : {}),
              ...(valid.estimatedMinutes !== undefined
                ? { estimatedMinutes: Option.fromNullable(valid.estimatedMinutes) }
                : {}),
              updatedAt: yield* DateTime.now,
              version: version + 1
            })
            yield* repo.update(next, version)
            const fields = Object.keys(valid).filter((k) => (valid as Record<string, unknown>)[k] !== undefined)
            yield* audit.record(templateSubject(id), {
              _tag: "template.updated",
              fields,
              changes: templateChanges(template, next, fields as ReadonlyArray<keyof UpdateTemplate>)
            })
            return next
          })
        )
      )
    })

    /** Removes a template from the library; tasks already made from it stay. */
    const remove = traced("Templates.delete")(function* (id: TemplateId, expectedVersion?: number) {
      yield* ensure(policy, yield* CurrentActor, "template.manage")
      return yield* unlessExpected(
        expectedVersion,
        audit.transaction(
          Effect.gen(function* () {
            const template = yield* load(id)
            yield* repo.delete(id, expectedVersion ?? template.version)
            yield* audit.record(templateSubject(id), { _tag: "template.deleted" })
          })
        )
      )
    })

    return { create, get, list, update, delete: remove } as const
  })
}) {}
