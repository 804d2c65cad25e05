import { DateTime, Effect, Option } from "effect"
import { type Actor, CurrentActor } from "./Actor.js"
import { Subject } from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import { unlessExpected } from "./Conflicts.js"
import { orNotFound } from "./Errors.js"
import { IdGenerator } from "./IdGenerator.js"
import { ProjectId, type UserId } from "./Ids.js"
import { traced } from "./Operation.js"
import { type Action, authorize, ensure, Policy } from "./Policy.js"
import { CreateProject, Project, projectRelations, UpdateProject } from "./Project.js"
import { ProjectRepo } from "./ProjectRepo.js"
import { UserRepo } from "./UserRepo.js"
import { invalidField, validate } from "./Validation.js"

/** The audit subject of a project. */
export const projectSubject = (id: ProjectId): Subject => new Subject({ kind: "project", id })

/**
 * Projects: create, read, list, change, archive; every change audited. The policy decides by how
 * the actor stands to the project, so a partner manages the projects they own and no others.
 */
export class Projects extends Effect.Service<Projects>()("@taskdesk/core/Projects", {
  effect: Effect.gen(function* () {
    const repo = yield* ProjectRepo
    const users = yield* UserRepo
    const policy = yield* Policy
    const audit = yield* AuditLog
    const ids = yield* IdGenerator

    const relationsOf = (actor: Actor, project: Project) => new Set(projectRelations(Option.some(project), actor.id))

    const load = (id: ProjectId) => repo.findById(id).pipe(orNotFound("Project", id))

    /** Loads a project the actor may see and may perform `action` on. */
    const loadFor = (id: ProjectId, action: Action) =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        const project = yield* load(id)
        yield* authorize(policy, actor, {
          entity: "Project",
          id,
          read: "project.read",
          action,
          relations: relationsOf(actor, project)
        })
        return project
      })

    const checkPeople = (ownerId: UserId | undefined, memberIds: ReadonlyArray<UserId> | undefined) =>
      Effect.gen(function* () {
        const wanted = [...(ownerId === undefined ? [] : [ownerId]), ...(memberIds ?? [])]
        const found = yield* users.findByIds(wanted)
        const active = (id: UserId) => found.some((u) => u.id === id && u.active)
        if (ownerId !== undefined && !active(ownerId))
          return yield* invalidField(["ownerId"], `no active user ${ownerId}`)
        for (const [index, id] of (memberIds ?? []).entries()) {
          if (!active(id)) return yield* invalidField(["memberIds", index], `no active user ${id}`)
        }
      })

    /** Creates a project; the owner defaults to the actor, and the actor must be allowed to create it as it stands. */
    const create = traced("Projects.create")(function* (input: CreateProject) {
      const actor = yield* CurrentActor
      const valid = yield* validate(CreateProject.fields)(input)
      const now = yield* DateTime.now
      const project = new Project({
        id: ProjectId.make(yield* ids.next),
        name: valid.name,
        description: valid.description ?? "",
        ownerId: valid.ownerId ?? actor.id,
        memberIds: [...new Set(valid.memberIds ?? [])],
        archived: false,
        createdAt: now,
        updatedAt: now,
        version: 1
      })
      // Judged on the project to be: rules granting `project.create` only to `projectOwner` (partners)
      // let the actor create projects they will own, and nothing for anybody else.
      yield* ensure(policy, actor, "project.create", relationsOf(actor, project))
      yield* checkPeople(valid.ownerId, project.memberIds)
      return yield* audit.transaction(
        Effect.gen(function* () {
          yield* repo.insert(project).pipe(Effect.orDie)
          yield* audit.record(projectSubject(project.id), {
            _tag: "project.created",
            name: project.name,
            ownerId: project.ownerId
          })
          return project
        })
      )
    })

    const get = traced("Projects.get")(function* (id: ProjectId) {
      return yield* loadFor(id, "project.read")
    })

    /** The projects the actor may see, by name; optionally only archived or only active ones. */
    const list = traced("Projects.list")(function* (query: { readonly archived?: boolean } = {}) {
      const actor = yield* CurrentActor
      const grants = policy.grants(actor, "project.read")
      if (grants.has("any")) return yield* repo.list({ archived: query.archived })
      if (!grants.has("projectOwner") && !grants.has("projectMember")) return []
      const mine = yield* repo.list({ involving: actor.id, archived: query.archived })
      return mine.filter((p) => policy.allows(actor, "project.read", relationsOf(actor, p)))
    })

    /**
     * Changes a project at `expectedVersion` (the stored one when absent). The actor must still be
     * allowed to manage it afterwards, so a partner cannot hand a project over to someone else.
     */
    const update = traced("Projects.update")(function* (id: ProjectId, patch: UpdateProject, expectedVersion?: number) {
      const actor = yield* CurrentActor
      const valid = yield* validate(UpdateProject.fields)(patch)
      return yield* unlessExpected(
        expectedVersion,
        audit.transaction(
          Effect.gen(function* () {
            const project = yield* loadFor(id, "project.manage")
            const version = expectedVersion ?? project.version
            const next = new Project({
              ...project,
              ...(valid.name !== undefined ? { name: valid.name } : {}),
              ...(valid.description !== undefined ? { description: valid.description } : {}),
              ...(valid.ownerId !== undefined ? { ownerId: valid.ownerId } : {}),
              ...(valid.memberIds !== undefined ? { memberIds: [...new Set(valid.memberIds)] } : {}),
              ...(valid.archived !== undefined ? { archived: valid.archived } : {}),
              updatedAt: yield* DateTime.now,
              version: version + 1
            })
            yield* ensure(policy, actor, "project.manage", relationsOf(actor, next))
            yield* checkPeople(valid.ownerId, valid.memberIds === undefined ? undefined : next.memberIds)
            yield* repo.update(next, version)
            const fields = Object.keys(valid).filter((k) => (valid as Record<string, unknown>)[k] !== undefined)
            yield* audit.record(projectSubject(id), { _tag: "project.updated", fields })
            if (next.archived !== project.archived) {
              yield* audit.record(projectSubject(id), { _tag: next.archived ? "project.archived" : "project.restored" })
            }
            return next
          })
        )
      )
    })

    /** Archives a project: it stays readable but takes no new documents. */
    const archive = traced("Projects.archive")(function* (id: ProjectId, expectedVersion?: number) {
      return yield* update(id, { archived: true }, expectedVersion)
    })

    return {
      create,
      get,
      list,
      update,
      archive,
      /** For sibling services: load without authorization, and the relation helper. */
      internal: { load, relationsOf }
    } as const
  })
}) {}
