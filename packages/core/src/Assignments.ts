import { DateTime, Effect, Option, Schema } from "effect"
import { type Actor, CurrentActor } from "./Actor.js"
import {
  Assignment,
  Batch,
  type BatchItem,
  type InboxFilter,
  isOpen,
  isOverdue,
  RejectionReason,
  transition
} from "./Assignment.js"
import { AssignmentRepo, sortKey } from "./AssignmentRepo.js"
import { Subject } from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import { retryingConflicts } from "./Conflicts.js"
import { NotFound, orNotFound, RuleViolation } from "./Errors.js"
import { differ } from "./FieldChange.js"
import { IdGenerator } from "./IdGenerator.js"
import { AssignmentId, type ProjectId, type TaskId, type UserId } from "./Ids.js"
import { traced } from "./Operation.js"
import { decodeCursor, defaultLimit, encodeCursor, type Page, toPage } from "./Page.js"
import { authorize, ensure, Policy, type Relation } from "./Policy.js"
import { projectRelations } from "./Project.js"
import { ProjectRepo } from "./ProjectRepo.js"
import { isOpen as isTaskOpen, Task, transition as transitionTask } from "./Task.js"
import { TaskRepo } from "./TaskRepo.js"
import { assigneeProblem, Tasks, taskSubject } from "./Tasks.js"
import { TemplateRepo } from "./TemplateRepo.js"
import { isMultiLine } from "./Text.js"
import { UserRepo } from "./UserRepo.js"
import { invalidField, validate } from "./Validation.js"

/** The list's one order, named in its cursors; pages of 1–200 (as every list), 50 by default. */
const cursorSort = "assignment:created:desc"
const maxLimit = 200

/** One refused line of a batch. */
export class BatchProblem extends Schema.Class<BatchProblem>("BatchProblem")({
  index: Schema.Int,
  field: Schema.String,
  message: Schema.String
}) {}

/** A batch was refused as a whole; `problems` names every bad item, and nothing was written. */
export class BatchRejected extends Schema.TaggedError<BatchRejected>()("BatchRejected", {
  problems: Schema.Array(BatchProblem)
}) {}

/** One line of a person's inbox. */
export interface InboxItem {
  readonly assignment: Assignment
  readonly task: Task
  readonly overdue: boolean
  /** Open and due within the next 24 hours. */
  readonly dueSoon: boolean
}

const assignmentChanges = differ(Assignment.fields)
const taskChanges = differ(Task.fields)

/** A hand-out moved the task's assignees: the task's own history says so, with the old and new list. */
const assigneesChanged = (before: Task, after: Task) =>
  ({ _tag: "task.updated", fields: ["assigneeIds"], changes: taskChanges(before, after, ["assigneeIds"]) }) as const

/** The event-log subject of a hand-out. */
export const assignmentSubject = (id: AssignmentId): Subject => new Subject({ kind: "assignment", id })

const dueOrder = (a: Assignment): readonly [number, number, number, string] =>
  Option.match(a.dueAt, {
    onNone: () => [1, 0, DateTime.toEpochMillis(a.createdAt), a.id] as const,
    onSome: (due) => [0, DateTime.toEpochMillis(due), DateTime.toEpochMillis(a.createdAt), a.id] as const
  })

/** Handing out work: batches from the library or of existing tasks, answered by the people they go to. */
export class Assignments extends Effect.Service<Assignments>()("@taskdesk/core/Assignments", {
  effect: Effect.gen(function* () {
    const repo = yield* AssignmentRepo
    const taskRepo = yield* TaskRepo
    const templates = yield* TemplateRepo
    const users = yield* UserRepo
    const projects = yield* ProjectRepo
    const policy = yield* Policy
    const audit = yield* AuditLog
    const ids = yield* IdGenerator
    const tasks = yield* Tasks

    const projectRelationsOf = (actor: Actor, projectId: Option.Option<ProjectId>) =>
      Option.isNone(projectId)
        ? Effect.succeed<ReadonlyArray<Relation>>([])
        : Effect.map(projects.findById(projectId.value), (p) => projectRelations(p, actor.id))

    const relationsOf = (actor: Actor, a: Assignment, task: Option.Option<Task>) =>
      Effect.map(
        projectRelationsOf(
          actor,
          Option.flatMap(task, (t) => t.projectId)
        ),
        (rels) => {
          const out = new Set<Relation>(rels)
          if (a.assigneeId === actor.id) out.add("assignee")
          return out as ReadonlySet<Relation>
        }
      )

    /** Loads an assignment and its task, checking the actor may see it and do `action`. */
    const loadFor = (id: AssignmentId, action: "assignment.read" | "assignment.answer" | "assignment.cancel") =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        const assignment = yield* repo.findById(id).pipe(orNotFound("Assignment", id))
        const task = yield* taskRepo.findById(assignment.taskId)
        const relations = yield* relationsOf(actor, assignment, task)
        yield* authorize(policy, actor, { entity: "Assignment", id, read: "assignment.read", action, relations })
        if (Option.isNone(task)) return yield* new NotFound({ entity: "Task", id: assignment.taskId })
        return { assignment, task: task.value }
      })

    /** Checks every item before anything is written, collecting every problem. */
    const check = (actor: Actor, items: ReadonlyArray<BatchItem>) =>
      Effect.gen(function* () {
        const problems: Array<BatchProblem> = []
        const problem = (index: number, field: string, message: string) =>
          problems.push(new BatchProblem({ index, field, message }))
        const assignees = yield* users.findByIds([...new Set(items.map((i) => i.assigneeId))])
        const taken = new Set<string>()
        const resolved: Array<{ readonly item: BatchItem; readonly task: Option.Option<Task> }> = []
        for (const [index, item] of items.entries()) {
          const refused = assigneeProblem(
            policy,
            assignees.find((u) => u.id === item.assigneeId),
            item.assigneeId
          )
          if (refused !== undefined) problem(index, "assigneeId", refused)
          if ((item.templateId === undefined) === (item.taskId === undefined)) {
            problem(index, "templateId", "give exactly one of templateId and taskId")
            resolved.push({ item, task: Option.none() })
            continue
          }
          if (item.templateId !== undefined) {
            if (Option.isNone(yield* templates.findById(item.templateId))) {
              problem(index, "templateId", `no template ${item.templateId}`)
            }
            const project = item.projectId === undefined ? Option.none() : yield* projects.findById(item.projectId)
            if (item.projectId !== undefined && Option.isNone(project)) {
              problem(index, "projectId", `no project ${item.projectId}`)
            } else if (!policy.allows(actor, "assignment.create", new Set(projectRelations(project, actor.id)))) {
              problem(index, "projectId", "you may hand out work only in your own projects")
            }
            resolved.push({ item, task: Option.none() })
            continue
          }
          const task = yield* taskRepo.findById(item.taskId!)
          const rels = yield* projectRelationsOf(
            actor,
            Option.flatMap(task, (t) => t.projectId)
          )
          const visible = Option.isSome(task) && policy.allows(actor, "task.read", new Set(rels))
          if (!visible) {
            problem(index, "taskId", `no task ${item.taskId}`)
          } else if (!policy.allows(actor, "assignment.create", new Set(rels))) {
            problem(index, "taskId", "you may not hand out this task")
          } else if (!isTaskOpen(task.value)) {
            problem(index, "taskId", `task ${item.taskId} is ${task.value.status}`)
          } else {
            const key = `${item.taskId}/${item.assigneeId}`
            const open = yield* repo.list({
              taskId: item.taskId!,
              assigneeId: item.assigneeId,
              status: ["pending", "accepted"]
            })
            if (open.length > 0 || taken.has(key)) problem(index, "taskId", `${item.assigneeId} already has this task`)
            taken.add(key)
          }
          resolved.push({ item, task })
        }
        return { problems, resolved }
      })

    const offer = (actor: Actor, task: Task, item: BatchItem, now: DateTime.Utc) =>
      Effect.gen(function* () {
        const assignment = new Assignment({
          id: AssignmentId.make(yield* ids.next),
          taskId: task.id,
          assigneeId: item.assigneeId,
          assignedBy: actor.id,
          status: "pending",
          dueAt: Option.orElse(Option.fromNullable(item.dueAt), () => task.dueAt),
          rejectionReason: Option.none(),
          createdAt: now,
          respondedAt: Option.none(),
          completedAt: Option.none(),
          updatedAt: now,
          version: 1
        })
        yield* repo.insert(assignment).pipe(Effect.orDie)
        yield* audit.record(
          assignmentSubject(assignment.id),
          { _tag: "assignment.offered", taskId: task.id, assigneeId: assignment.assigneeId },
          Option.some(taskSubject(task.id))
        )
        return assignment
      })

    /**
     * Hands out a batch: validates the whole list first, then applies it in one transaction, all
     * items or none. A template item makes a new task from the library.
     */
    const batch = traced("Assignments.batch")(function* (input: Batch) {
      const actor = yield* CurrentActor
      yield* ensure(policy, actor, "assignment.create", new Set(["projectOwner"]))
      const valid = yield* validate(Batch.fields)(input)
      return yield* audit.transaction(
        Effect.gen(function* () {
          const { problems, resolved } = yield* check(actor, valid.items)
          if (problems.length > 0) return yield* new BatchRejected({ problems })
          const now = yield* DateTime.now
          const made: Array<Assignment> = []
          for (const { item, task } of resolved) {
            const target = Option.isSome(task)
              ? task.value
              : yield* Effect.gen(function* () {
                  const template = (yield* templates.findById(item.templateId!)).pipe(Option.getOrThrow)
                  return yield* tasks.create(
                    {
                      title: template.title,
                      description: template.description,
                      ...(item.dueAt !== undefined ? { dueAt: item.dueAt } : {}),
                      ...(item.projectId !== undefined ? { projectId: item.projectId } : {})
                    },
                    { templateId: template.id }
                  )
                }).pipe(
                  // Checked above; a failure here would be a bug, not an input problem.
                  Effect.catchTags({ InvalidInput: Effect.die, Forbidden: Effect.die })
                )
            made.push(yield* offer(actor, target, item, now))
          }
          return made as ReadonlyArray<Assignment>
        })
      )
    })

    const saveTask = (before: Task, after: Task) =>
      after === before ? Effect.void : taskRepo.update(after, before.version)

    /** The assignee takes the work: they join the task's assignees and a waiting task starts. */
    const accept = traced("Assignments.accept")(function* (id: AssignmentId) {
      return yield* retryingConflicts(
        audit.transaction(
          Effect.gen(function* () {
            const { assignment, task } = yield* loadFor(id, "assignment.answer")
            const now = yield* DateTime.now
            const next = yield* transition(assignment, "accepted", now)
            if (!isTaskOpen(task)) {
              return yield* new RuleViolation({ rule: "task_closed", message: `the task is ${task.status}` })
            }
            let updated = task.assigneeIds.includes(assignment.assigneeId)
              ? task
              : new Task({
                  ...task,
                  assigneeIds: [...task.assigneeIds, assignment.assigneeId],
                  updatedAt: now,
                  version: task.version + 1
                })
            if (updated !== task) yield* audit.record(taskSubject(task.id), assigneesChanged(task, updated))
            if (updated.status === "todo") {
              const started = yield* transitionTask(updated, "in_progress", now)
              updated = new Task({ ...started, version: task.version + 1 })
              yield* audit.record(taskSubject(task.id), {
                _tag: "task.status_changed",
                from: "todo",
                to: "in_progress"
              })
            }
            yield* saveTask(task, updated)
            yield* repo.update(next, assignment.version)
            yield* audit.record(
              assignmentSubject(id),
              { _tag: "assignment.accepted", taskId: task.id, changes: assignmentChanges(assignment, next) },
              Option.some(taskSubject(task.id))
            )
            return next
          })
        )
      )
    })

    /** The assignee turns the work down; the reason (1–2,000 characters) is required and kept. */
    const reject = traced("Assignments.reject")(function* (id: AssignmentId, reason: string) {
      const valid = yield* Schema.decode(RejectionReason)(reason).pipe(
        Effect.mapError(() =>
          invalidField(
            ["reason"],
            isMultiLine(reason)
              ? "a reason of 1–2,000 characters is required"
              : "no control characters other than tab and line breaks"
          )
        )
      )
      return yield* retryingConflicts(
        audit.transaction(
          Effect.gen(function* () {
            const { assignment, task } = yield* loadFor(id, "assignment.answer")
            const next = yield* transition(assignment, "rejected", yield* DateTime.now, valid)
            yield* repo.update(next, assignment.version)
            yield* audit.record(
              assignmentSubject(id),
              {
                _tag: "assignment.rejected",
                taskId: task.id,
                reason: valid,
                changes: assignmentChanges(assignment, next)
              },
              Option.some(taskSubject(task.id))
            )
            return next
          })
        )
      )
    })

    /** The assignee reports the work done; the last open assignment of a task completes the task. */
    const complete = traced("Assignments.complete")(function* (id: AssignmentId) {
      return yield* retryingConflicts(
        audit.transaction(
          Effect.gen(function* () {
            const { assignment, task } = yield* loadFor(id, "assignment.answer")
            const now = yield* DateTime.now
            const next = yield* transition(assignment, "completed", now)
            yield* repo.update(next, assignment.version)
            yield* audit.record(
              assignmentSubject(id),
              { _tag: "assignment.completed", taskId: task.id, changes: assignmentChanges(assignment, next) },
              Option.some(taskSubject(task.id))
            )
            // Read after the audit record on purpose: appending holds the event log's commit-order lock
            // until this transaction ends, so completions of one task's last hand-outs at once see each
            // other and one of them completes the task (a conformance test races them).
            const others = yield* repo.list({ taskId: task.id, status: ["pending", "accepted"] })
            if (others.length === 0 && task.status === "in_progress") {
              const done = yield* transitionTask(task, "done", now)
              yield* taskRepo.update(done, task.version)
              yield* audit.record(taskSubject(task.id), { _tag: "task.status_changed", from: task.status, to: "done" })
            }
            return next
          })
        )
      )
    })

    /** A manager withdraws an open assignment; an accepted one also leaves the task's assignees. */
    const cancel = traced("Assignments.cancel")(function* (id: AssignmentId) {
      return yield* retryingConflicts(
        audit.transaction(
          Effect.gen(function* () {
            const { assignment, task } = yield* loadFor(id, "assignment.cancel")
            const now = yield* DateTime.now
            const next = yield* transition(assignment, "cancelled", now)
            yield* repo.update(next, assignment.version)
            if (assignment.status === "accepted" && task.assigneeIds.includes(assignment.assigneeId)) {
              const updated = new Task({
                ...task,
                assigneeIds: task.assigneeIds.filter((u) => u !== assignment.assigneeId),
                updatedAt: now,
                version: task.version + 1
              })
              yield* taskRepo.update(updated, task.version)
              yield* audit.record(taskSubject(task.id), assigneesChanged(task, updated))
            }
            yield* audit.record(
              assignmentSubject(id),
              { _tag: "assignment.cancelled", taskId: task.id, changes: assignmentChanges(assignment, next) },
              Option.some(taskSubject(task.id))
            )
            return next
          })
        )
      )
    })

    const get = traced("Assignments.get")(function* (id: AssignmentId) {
      return (yield* loadFor(id, "assignment.read")).assignment
    })

    /** Assignments the actor may see, newest first, a page at a time (`cursor` from the previous page). */
    const list = traced("Assignments.list")(function* (
      query: {
        readonly status?: ReadonlyArray<Assignment["status"]>
        readonly assigneeId?: UserId
        readonly taskId?: TaskId
        readonly assignedBy?: UserId
        readonly limit?: number
        readonly cursor?: string
      } = {}
    ) {
      const actor = yield* CurrentActor
      const grants = policy.grants(actor, "assignment.read")
      const { cursor, limit: asked, ...filter } = query
      const limit = Math.min(Math.max(asked ?? defaultLimit, 1), maxLimit)
      const after = cursor === undefined ? undefined : yield* decodeCursor(cursorSort, cursor)
      const page = (rows: ReadonlyArray<Assignment>): Page<Assignment> =>
        toPage(rows, limit, (last) => encodeCursor(cursorSort, sortKey(last)))
      const read = { ...filter, after, limit: limit + 1 }
      if (grants.has("any")) return page(yield* repo.list(read))
      const projectIds = grants.has("projectOwner")
        ? (yield* projects.list({ ownerId: actor.id })).map((p) => p.id)
        : []
      if (projectIds.length === 0) {
        if (!grants.has("assignee")) return page([])
        if (query.assigneeId !== undefined && query.assigneeId !== actor.id) return page([])
        return page(yield* repo.list({ ...read, assigneeId: actor.id }))
      }
      return page(
        yield* repo.list({
          ...read,
          projectIds,
          ...(grants.has("assignee") ? { visibleTo: actor.id } : {})
        })
      )
    })

    /**
     * The actor's own assignments with their tasks, by due time (none last), overdue ones flagged:
     * seed 002's employee page.
     */
    const inbox = traced("Assignments.inbox")(function* (filter: InboxFilter = "all") {
      const actor = yield* CurrentActor
      const status =
        filter === "pending" ? (["pending"] as const) : filter === "in_progress" ? (["accepted"] as const) : undefined
      const mine = yield* repo.list({ assigneeId: actor.id, status })
      const found = yield* taskRepo.findByIds([...new Set(mine.map((a) => a.taskId))])
      const byId = new Map(found.map((t) => [t.id, t]))
      const now = yield* DateTime.now
      const soon = DateTime.add(now, { hours: 24 })
      return mine
        .flatMap((assignment): ReadonlyArray<InboxItem> => {
          const task = byId.get(assignment.taskId)
          if (task === undefined) return []
          return [
            {
              assignment,
              task,
              overdue: isOverdue(assignment, now),
              dueSoon:
                isOpen(assignment) &&
                !isOverdue(assignment, now) &&
                Option.exists(assignment.dueAt, (due) => DateTime.lessThanOrEqualTo(due, soon))
            }
          ]
        })
        .sort((x, y) => {
          const a = dueOrder(x.assignment)
          const b = dueOrder(y.assignment)
          for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
          return 0
        })
    })

    return { batch, accept, reject, complete, cancel, get, list, inbox } as const
  })
}) {}
