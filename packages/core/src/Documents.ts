import { DateTime, Effect, Option } from "effect"
import { type Actor, CurrentActor } from "./Actor.js"
import { Subject } from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import { Document, type DocumentKind, FileIncoming, formatRegistrationNumber } from "./Document.js"
import { type DocumentQuery, DocumentRepo, sortKey } from "./DocumentRepo.js"
import { NotFound, orNotFound, RuleViolation } from "./Errors.js"
import { IdGenerator } from "./IdGenerator.js"
import { DocumentId, type ProjectId, type TaskId } from "./Ids.js"
import { traced } from "./Operation.js"
import { decodeCursor, defaultLimit, encodeCursor, type Page, toPage } from "./Page.js"
import { type Action, authorize, Policy, type Relation } from "./Policy.js"
import { type Project, projectRelations } from "./Project.js"
import { ProjectRepo } from "./ProjectRepo.js"
import { projectSubject } from "./Projects.js"
import { TaskRepo } from "./TaskRepo.js"
import { validate } from "./Validation.js"

/** The audit subject of a document. */
export const documentSubject = (id: DocumentId): Subject => new Subject({ kind: "document", id })

/** Filters of a project's document list, and the page: `limit` (1–200, 50 by default) and the previous page's cursor. */
export type DocumentFilter = Omit<DocumentQuery, "projectId" | "after" | "limit"> & {
  readonly limit?: number | undefined
  readonly cursor?: string | undefined
}

/** The register's one order, named in its cursors. */
const cursorSort = "document:register:asc"

// Generated numbers skip ones registered by hand; past this many in a row something is wrong.
const maxSkips = 10_000

/**
 * The register of a project's documents: file incoming documents, read them. Resolutions and
 * reports are filed through `Resolutions`, which uses the helpers under `internal`.
 */
export class Documents extends Effect.Service<Documents>()("@taskdesk/core/Documents", {
  effect: Effect.gen(function* () {
    const repo = yield* DocumentRepo
    const projects = yield* ProjectRepo
    const tasks = yield* TaskRepo
    const policy = yield* Policy
    const audit = yield* AuditLog
    const ids = yield* IdGenerator

    const loadProject = (id: ProjectId) => projects.findById(id).pipe(orNotFound("Project", id))

    /** Loads a project the actor may see and may perform `action` in. */
    const loadProjectFor = (id: ProjectId, action: Action) =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        const project = yield* loadProject(id)
        yield* authorize(policy, actor, {
          entity: "Project",
          id,
          read: "project.read",
          action,
          relations: new Set(projectRelations(Option.some(project), actor.id))
        })
        return project
      })

    const load = (id: DocumentId) => repo.findById(id).pipe(orNotFound("Document", id))

    /**
     * How the actor stands to a document: through its project, as its author, and as an assignee
     * of the task it belongs to (for an incoming document: of a resolution written on it).
     */
    const relationsOf = (actor: Actor, document: Document, project?: Project) =>
      Effect.gen(function* () {
        const relations = new Set<Relation>(
          projectRelations(
            project === undefined ? yield* projects.findById(document.projectId) : Option.some(project),
            actor.id
          )
        )
        if (document.authorId === actor.id) relations.add("creator")
        const taskIds: Array<TaskId> = Option.toArray(document.taskId)
        if (document.kind === "incoming") {
          const resolutions = yield* repo.list({
            projectId: document.projectId,
            kind: "resolution",
            parentId: document.id
          })
          for (const r of resolutions) taskIds.push(...Option.toArray(r.taskId))
        }
        if (taskIds.length > 0 && (yield* tasks.findByIds(taskIds)).some((t) => t.assigneeIds.includes(actor.id))) {
          relations.add("assignee")
        }
        return relations as ReadonlySet<Relation>
      })

    /** Loads a document the actor may see and may perform `action` on. */
    const loadFor = (id: DocumentId, action: Action) =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        const document = yield* load(id)
        yield* authorize(policy, actor, {
          entity: "Document",
          id,
          read: "document.read",
          action,
          relations: yield* relationsOf(actor, document)
        })
        return document
      })

    /** The given registration number, or the next free generated one; run it inside the write's transaction. */
    const registrationNumber = (projectId: ProjectId, kind: DocumentKind, given: string | undefined) =>
      Effect.gen(function* () {
        if (given !== undefined) return given
        for (let i = 0; i < maxSkips; i++) {
          const candidate = formatRegistrationNumber(kind, yield* repo.nextRegistrationNumber(projectId, kind))
          if (Option.isNone(yield* repo.findByRegistrationNumber(projectId, candidate))) return candidate
        }
        return yield* Effect.dieMessage(`no free ${kind} registration number in project ${projectId}`)
      })

    /** A new document's id and timestamp. */
    const fresh = Effect.all({ id: Effect.map(ids.next, DocumentId.make), now: DateTime.now })

    /** New documents only go into active projects. */
    const ensureActive = (project: Project) =>
      project.archived
        ? Effect.fail(new RuleViolation({ rule: "project.archived", message: `project ${project.id} is archived` }))
        : Effect.void

    /** Registers an incoming document in a project the actor may file documents in. */
    const file = traced("Documents.file")(function* (input: FileIncoming) {
      const actor = yield* CurrentActor
      const valid = yield* validate(FileIncoming.fields)(input)
      return yield* audit.transaction(
        Effect.gen(function* () {
          const project = yield* loadProjectFor(valid.projectId, "document.create")
          yield* ensureActive(project)
          const { id, now } = yield* fresh
          const document = new Document({
            id,
            projectId: project.id,
            kind: "incoming",
            registrationNumber: yield* registrationNumber(project.id, "incoming", valid.registrationNumber),
            title: valid.title,
            date: valid.date ?? now,
            body: valid.body ?? "",
            authorId: actor.id,
            parentId: Option.none(),
            taskId: Option.none(),
            createdAt: now,
            version: 1
          })
          yield* repo.insert(document)
          yield* audit.record(
            documentSubject(document.id),
            {
              _tag: "document.filed",
              projectId: project.id,
              kind: document.kind,
              registrationNumber: document.registrationNumber,
              title: document.title
            },
            Option.some(projectSubject(project.id))
          )
          return document
        })
      )
    })

    const get = traced("Documents.get")(function* (id: DocumentId) {
      return yield* loadFor(id, "document.read")
    })

    /**
     * A project's documents the actor may read, in registration order, a page at a time. Someone who
     * may not read the project's documents as a whole sees those they author or are assigned through.
     */
    const list = traced("Documents.list")(function* (projectId: ProjectId, filter: DocumentFilter = {}) {
      const actor = yield* CurrentActor
      const project = yield* loadProject(projectId)
      const standing = new Set(projectRelations(Option.some(project), actor.id))
      const { cursor, limit: asked, ...rest } = filter
      const limit = Math.min(Math.max(asked ?? defaultLimit, 1), 200)
      const start = cursor === undefined ? undefined : yield* decodeCursor(cursorSort, cursor)
      const page = (rows: ReadonlyArray<Document>): Page<Document> =>
        toPage(rows, limit, (last) => encodeCursor(cursorSort, sortKey(last)))
      const query = { ...rest, projectId }
      if (policy.allows(actor, "document.read", standing)) {
        return page(yield* repo.list({ ...query, after: start, limit: limit + 1 }))
      }
      const readable = (documents: ReadonlyArray<Document>) =>
        Effect.filter(documents, (document) =>
          Effect.map(relationsOf(actor, document, project), (relations) =>
            policy.allows(actor, "document.read", relations)
          )
        )
      // What the actor may read is decided per document: read on in batches until the page is full.
      const visible: Array<Document> = []
      let after = start
      for (;;) {
        const batch = yield* repo.list({ ...query, after, limit: limit + 1 })
        visible.push(...(yield* readable(batch)))
        if (visible.length > limit || batch.length <= limit) break
        after = sortKey(batch[batch.length - 1]!)
      }
      // The project is no secret to those who may read it or some document in it; to others it does not exist.
      if (
        visible.length === 0 &&
        cursor === undefined &&
        !policy.allows(actor, "project.read", standing) &&
        (yield* readable(yield* repo.list({ projectId }))).length === 0
      ) {
        return yield* new NotFound({ entity: "Project", id: projectId })
      }
      return page(visible)
    })

    return {
      file,
      get,
      list,
      /** For sibling services: loading, relations, numbering and the archive rule, without authorizing. */
      internal: { load, loadFor, loadProject, loadProjectFor, relationsOf, registrationNumber, fresh, ensureActive }
    } as const
  })
}) {}
