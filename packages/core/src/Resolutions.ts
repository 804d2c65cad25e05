import { DateTime, Effect, Option } from "effect"
import { CurrentActor } from "./Actor.js"
import { AuditLog } from "./AuditLog.js"
import { retryingConflicts } from "./Conflicts.js"
import {
  Document,
  FiledReport,
  FileReport,
  IssueResolution,
  ResolutionOverview,
  ResolutionProgress
} from "./Document.js"
import { DocumentRepo } from "./DocumentRepo.js"
import { Documents, documentSubject } from "./Documents.js"
import { RuleViolation } from "./Errors.js"
import type { DocumentId, ProjectId, TaskId } from "./Ids.js"
import { traced } from "./Operation.js"
import { authorize, Policy } from "./Policy.js"
import { isOpen, isOverdue, Task, type TaskStatus, transition } from "./Task.js"
import { TaskRepo } from "./TaskRepo.js"
import { Tasks, taskSubject } from "./Tasks.js"
import { validate } from "./Validation.js"

const millis = (t: Option.Option<DateTime.Utc>, absent: number) =>
  Option.match(t, { onNone: () => absent, onSome: DateTime.toEpochMillis })

/** Earliest deadline first (none last), then by resolution id. */
const byDeadline = (a: ResolutionProgress, b: ResolutionProgress) =>
  millis(a.task.dueAt, Number.POSITIVE_INFINITY) - millis(b.task.dueAt, Number.POSITIVE_INFINITY) ||
  (a.resolution.id < b.resolution.id ? -1 : 1)

/** Most recently closed first, then by resolution id. */
const byClosing = (a: ResolutionProgress, b: ResolutionProgress) =>
  millis(b.task.completedAt, DateTime.toEpochMillis(b.task.updatedAt)) -
    millis(a.task.completedAt, DateTime.toEpochMillis(a.task.updatedAt)) || (a.resolution.id < b.resolution.id ? -1 : 1)

/**
 * Written resolutions on incoming documents, executed by reports: a manager orders work on a
 * document (a resolution plus a task for its assignees), each assignee files a report, and the
 * task is done once all of them have.
 */
export class Resolutions extends Effect.Service<Resolutions>()("@taskdesk/core/Resolutions", {
  effect: Effect.gen(function* () {
    const repo = yield* DocumentRepo
    const taskRepo = yield* TaskRepo
    const tasks = yield* Tasks
    const documents = yield* Documents
    const policy = yield* Policy
    const audit = yield* AuditLog

    /**
     * Issues a resolution on an incoming document: the resolution document and the task it orders,
     * both or neither.
     */
    const issue = traced("Resolutions.issue")(function* (incomingId: DocumentId, input: IssueResolution) {
      const actor = yield* CurrentActor
      const valid = yield* validate(IssueResolution.fields)(input)
      return yield* audit.transaction(
        Effect.gen(function* () {
          const incoming = yield* documents.internal.loadFor(incomingId, "resolution.issue")
          if (incoming.kind !== "incoming") {
            return yield* new RuleViolation({
              rule: "resolution.on_incoming",
              message: `resolutions are issued on incoming documents; ${incomingId} is a ${incoming.kind}`
            })
          }
          yield* documents.internal.ensureActive(yield* documents.internal.loadProject(incoming.projectId))
          // The resolution's id comes first so the task's creation can name it: its executors are told
          // once, by the resolution, not a second time as new assignees of a plain task.
          const { id, now } = yield* documents.internal.fresh
          const task = yield* tasks.create(
            {
              title: valid.title,
              description: valid.body,
              assigneeIds: valid.assigneeIds,
              projectId: incoming.projectId,
              dueAt: valid.dueAt,
              ...(valid.priority !== undefined ? { priority: valid.priority } : {})
            },
            { resolutionId: id }
          )
          const resolution = new Document({
            id,
            projectId: incoming.projectId,
            kind: "resolution",
            registrationNumber: yield* documents.internal.registrationNumber(
              incoming.projectId,
              "resolution",
              valid.registrationNumber
            ),
            title: valid.title,
            date: now,
            body: valid.body,
            authorId: actor.id,
            parentId: Option.some(incoming.id),
            taskId: Option.some(task.id),
            createdAt: now,
            version: 1
          })
          yield* repo.insert(resolution)
          yield* audit.record(
            documentSubject(resolution.id),
            {
              _tag: "resolution.issued",
              projectId: resolution.projectId,
              incomingId: incoming.id,
              registrationNumber: resolution.registrationNumber,
              taskId: task.id,
              assigneeIds: task.assigneeIds,
              dueAt: valid.dueAt
            },
            Option.some(taskSubject(task.id))
          )
          return new ResolutionProgress({ resolution, task, reports: [] })
        })
      )
    })

    /**
     * Files the actor's report on a resolution's task. The task starts with the first report and
     * is done once every assignee has reported; an assignee may report more than once meanwhile.
     */
    const fileReport = traced("Resolutions.fileReport")(function* (taskId: TaskId, input: FileReport) {
      const actor = yield* CurrentActor
      const valid = yield* validate(FileReport.fields)(input)
      return yield* retryingConflicts(
        audit.transaction(
          Effect.gen(function* () {
            const task = yield* tasks.internal.load(taskId)
            yield* authorize(policy, actor, {
              entity: "Task",
              id: taskId,
              read: "task.read",
              action: "report.file",
              relations: yield* tasks.internal.relationsOf(actor, task)
            })
            const linked = yield* repo.listByTask(taskId)
            const resolution = linked.find((d) => d.kind === "resolution")
            if (resolution === undefined) {
              return yield* new RuleViolation({
                rule: "report.resolution_required",
                message: `task ${taskId} was not ordered by a resolution`
              })
            }
            if (!isOpen(task)) {
              return yield* new RuleViolation({
                rule: "report.task_open",
                message: `task ${taskId} is ${task.status}; reports go on open tasks`
              })
            }
            const { id, now } = yield* documents.internal.fresh
            const report = new Document({
              id,
              projectId: resolution.projectId,
              kind: "report",
              registrationNumber: yield* documents.internal.registrationNumber(
                resolution.projectId,
                "report",
                valid.registrationNumber
              ),
              title: valid.title,
              date: now,
              body: valid.body,
              authorId: actor.id,
              parentId: Option.some(resolution.id),
              taskId: Option.some(taskId),
              createdAt: now,
              version: 1
            })
            yield* repo.insert(report)
            const reporters = new Set([...linked.filter((d) => d.kind === "report").map((d) => d.authorId), actor.id])
            const completed = task.assigneeIds.every((assignee) => reporters.has(assignee))
            yield* audit.record(
              documentSubject(report.id),
              {
                _tag: "report.filed",
                projectId: report.projectId,
                resolutionId: resolution.id,
                registrationNumber: report.registrationNumber,
                taskId,
                completed
              },
              Option.some(taskSubject(taskId))
            )
            // Reporting is the permission that matters here: an assignee may file without holding
            // `task.transition`, so the task moves by the resolution's rules, not the actor's.
            const move = (current: Task, to: TaskStatus) =>
              Effect.gen(function* () {
                const next = yield* transition(current, to, now)
                yield* taskRepo.update(next, current.version)
                yield* audit.record(taskSubject(taskId), { _tag: "task.status_changed", from: current.status, to })
                return next
              })
            const started = task.status === "todo" ? yield* move(task, "in_progress") : task
            const current = completed ? yield* move(started, "done") : started
            if (current !== task) return new FiledReport({ report, task: current })
            // Every report writes the task: two last reports filed concurrently then conflict on its
            // version instead of each missing the other and leaving the task open for good.
            const touched = new Task({ ...task, updatedAt: now, version: task.version + 1 })
            yield* taskRepo.update(touched, task.version)
            return new FiledReport({ report, task: touched })
          })
        )
      )
    })

    /**
     * A project's resolutions with their tasks and reports, sorted into open (in time), overdue,
     * done and cancelled as of `at` (now when absent).
     */
    const overview = traced("Resolutions.overview")(function* (projectId: ProjectId, at?: DateTime.Utc) {
      yield* documents.internal.loadProjectFor(projectId, "document.read")
      const now = at ?? (yield* DateTime.now)
      const resolutions = yield* repo.list({ projectId, kind: "resolution" })
      const reports = yield* repo.list({ projectId, kind: "report" })
      const ordered = yield* taskRepo.findByIds(resolutions.flatMap((r) => Option.toArray(r.taskId)))
      const taskById = new Map(ordered.map((t) => [t.id as string, t]))
      const result = { open: [], overdue: [], done: [], cancelled: [] } as Record<
        "open" | "overdue" | "done" | "cancelled",
        Array<ResolutionProgress>
      >
      for (const resolution of resolutions) {
        // A task deleted by hand leaves its resolution with nothing to track.
        const task = Option.flatMap(resolution.taskId, (id) => Option.fromNullable(taskById.get(id)))
        if (Option.isNone(task)) continue
        const progress = new ResolutionProgress({
          resolution,
          task: task.value,
          reports: reports.filter((r) => Option.contains(r.parentId, resolution.id))
        })
        const bucket =
          task.value.status === "done" || task.value.status === "cancelled"
            ? task.value.status
            : isOverdue(task.value, now)
              ? "overdue"
              : "open"
        result[bucket].push(progress)
      }
      return new ResolutionOverview({
        open: result.open.sort(byDeadline),
        overdue: result.overdue.sort(byDeadline),
        done: result.done.sort(byClosing),
        cancelled: result.cancelled.sort(byClosing)
      })
    })

    return { issue, fileReport, overview } as const
  })
}) {}
