import { DateTime, Effect, Layer, Option } from "effect"
import { Actor } from "./Actor.js"
import { AssignmentRepo } from "./AssignmentRepo.js"
import type { AuditEvent } from "./AuditEvent.js"
import { CommentRepo } from "./CommentRepo.js"
import { DocumentRepo } from "./DocumentRepo.js"
import { EventLog } from "./EventLog.js"
import { IdGenerator } from "./IdGenerator.js"
import {
  type AssignmentId,
  type DocumentId,
  NotificationId,
  type RepairRequestId,
  type TaskId,
  type UserId
} from "./Ids.js"
import { type Notification, pending } from "./Notification.js"
import { type Message, render } from "./NotificationTemplates.js"
import { traced } from "./Operation.js"
import { Outbox } from "./Outbox.js"
import { Policy, type Relation } from "./Policy.js"
import { projectRelations } from "./Project.js"
import { ProjectRepo } from "./ProjectRepo.js"
import type { RepairRequest } from "./RepairRequest.js"
import { RepairRequestRepo } from "./RepairRequestRepo.js"
import type { Storage } from "./Storage.js"
import type { Task } from "./Task.js"
import { TaskRepo } from "./TaskRepo.js"
import { Transaction } from "./Transaction.js"
import type { User } from "./User.js"
import { UserRepo } from "./UserRepo.js"

/** One notification a rule wants written: to whom, what, and the structured data channels use (link, buttons). */
export interface Intent {
  readonly recipientId: UserId
  readonly message: Message
  readonly data: Readonly<Record<string, unknown>>
}

/** Where an item lives in a host's web UI, relative to its public base URL; channels turn it into a link. */
export const paths = {
  task: (id: TaskId) => `/tasks/${encodeURIComponent(id)}`,
  assignment: (id: AssignmentId) => `/assignments/${encodeURIComponent(id)}`,
  repair: (id: RepairRequestId) => `/repairs/${encodeURIComponent(id)}`
} as const

const device = (r: RepairRequest) => `${r.deviceType} ${r.deviceModel}`

/** The people `to` has that `from` had not: the assignees a change added. */
const added = (from: unknown, to: unknown): ReadonlyArray<UserId> => {
  const before = new Set(Array.isArray(from) ? from : [])
  return Array.isArray(to) ? (to.filter((id) => typeof id === "string" && !before.has(id)) as Array<UserId>) : []
}

/**
 * Which events notify whom, and with what: a new assignment its assignee; a rejection the manager
 * who assigned it, with the reason; a task's newly added assignees; a resolution its executors; a
 * report the resolution's issuer; a repair request's new technician and, on a status change, its
 * client; a comment the other participants who may still see the thing. Nobody is told of their own
 * deed, inactive people are told nothing, and each person is told once per event.
 *
 * `apply` runs inside the transaction that records the event (see `layerEventLog`), so the outbox
 * holds a notification exactly when the change that caused it was committed.
 */
export class NotificationRules extends Effect.Service<NotificationRules>()("@taskdesk/core/NotificationRules", {
  effect: Effect.gen(function* () {
    const users = yield* UserRepo
    const tasks = yield* TaskRepo
    const assignments = yield* AssignmentRepo
    const comments = yield* CommentRepo
    const repairs = yield* RepairRequestRepo
    const documents = yield* DocumentRepo
    const projects = yield* ProjectRepo
    const outbox = yield* Outbox
    const policy = yield* Policy
    const ids = yield* IdGenerator

    const nameOf = (id: UserId) =>
      Effect.map(users.findById(id), Option.match({ onNone: () => id, onSome: (u) => u.name }))

    /** Those of `people` (other than `author`) who may still read the task. */
    const taskReaders = (
      task: Pick<Task, "projectId" | "assigneeIds" | "createdBy">,
      people: ReadonlyArray<UserId>,
      author: UserId
    ) =>
      Effect.gen(function* () {
        const project = Option.isSome(task.projectId) ? yield* projects.findById(task.projectId.value) : Option.none()
        const found = yield* users.findByIds([...new Set(people)].filter((id) => id !== author))
        return found.filter((u) => {
          const relations = new Set<Relation>(projectRelations(project, u.id))
          if (task.assigneeIds.includes(u.id)) relations.add("assignee")
          if (task.createdBy === u.id) relations.add("creator")
          return policy.allows(new Actor({ id: u.id, role: u.role }), "task.read", relations)
        })
      })

    /** Those of `people` (other than `author`) who may still read the repair request. */
    const repairReaders = (request: RepairRequest, people: ReadonlyArray<UserId>, author: UserId) =>
      Effect.map(users.findByIds([...new Set(people)].filter((id) => id !== author)), (found) =>
        found.filter((u) => {
          const relations = new Set<Relation>()
          if (request.clientId === u.id) relations.add("client")
          if (Option.contains(request.technicianId, u.id)) relations.add("assignee")
          if (request.createdBy === u.id) relations.add("creator")
          return policy.allows(new Actor({ id: u.id, role: u.role }), "repair.read", relations)
        })
      )

    /** An assignment and its task, when both still exist. */
    const assignmentWithTask = (id: AssignmentId, taskId: TaskId) =>
      Effect.map(Effect.all([assignments.findById(id), tasks.findById(taskId)]), ([a, t]) => Option.all([a, t]))

    /** Tells `people` (those who may read the task) that it is theirs now. */
    const taskAssigned = (task: Task, people: ReadonlyArray<UserId>, event: AuditEvent) =>
      Effect.gen(function* () {
        if (people.length === 0) return [] as Array<Intent>
        // The event may come before the task is saved (an accepted hand-out), so the readers are
        // judged as the assignees the change gave.
        const readers = yield* taskReaders(
          { ...task, assigneeIds: [...new Set([...task.assigneeIds, ...people])] },
          people,
          event.actorId
        )
        const assignedBy = yield* nameOf(event.actorId)
        return readers.map(
          (reader): Intent => ({
            recipientId: reader.id,
            message: { _tag: "task_assigned", taskTitle: task.title, assignedBy, dueAt: task.dueAt },
            data: { taskId: task.id, path: paths.task(task.id) }
          })
        )
      })

    /** What `event` asks to be said, and to whom; most events ask nothing. */
    const intents = traced("NotificationRules.intents")(function* (event: AuditEvent) {
      const payload = event.payload
      const out: Array<Intent> = []
      switch (payload._tag) {
        case "assignment.offered": {
          const found = yield* assignmentWithTask(event.subject.id as AssignmentId, payload.taskId)
          if (Option.isNone(found)) break
          const [a, task] = found.value
          out.push({
            recipientId: a.assigneeId,
            message: {
              _tag: "assignment_offered",
              taskTitle: task.title,
              assignedBy: yield* nameOf(a.assignedBy),
              dueAt: a.dueAt
            },
            data: { assignmentId: a.id, taskId: a.taskId, path: paths.task(a.taskId), actions: ["accept", "reject"] }
          })
          break
        }
        case "assignment.rejected": {
          const found = yield* assignmentWithTask(event.subject.id as AssignmentId, payload.taskId)
          if (Option.isNone(found)) break
          const [a, task] = found.value
          out.push({
            recipientId: a.assignedBy,
            message: {
              _tag: "assignment_rejected",
              taskTitle: task.title,
              assignee: yield* nameOf(a.assigneeId),
              reason: payload.reason
            },
            data: { assignmentId: a.id, taskId: a.taskId, reason: payload.reason, path: paths.task(a.taskId) }
          })
          break
        }
        case "task.created": {
          // A resolution tells its executors itself; a library hand-out offers its task to each person.
          if (payload.resolutionId !== undefined || payload.templateId !== undefined) break
          const task = yield* tasks.findById(event.subject.id as TaskId)
          if (Option.isNone(task)) break
          out.push(...(yield* taskAssigned(task.value, payload.assigneeIds, event)))
          break
        }
        case "task.updated": {
          const change = payload.changes?.find((c) => c.field === "assigneeIds")
          if (change === undefined) break
          const task = yield* tasks.findById(event.subject.id as TaskId)
          if (Option.isNone(task)) break
          out.push(...(yield* taskAssigned(task.value, added(change.from, change.to), event)))
          break
        }
        case "resolution.issued": {
          const found = Option.all([
            yield* documents.findById(event.subject.id as DocumentId),
            yield* documents.findById(payload.incomingId),
            yield* tasks.findById(payload.taskId)
          ])
          if (Option.isNone(found)) break
          const [resolution, incoming, task] = found.value
          const readers = yield* taskReaders(task, payload.assigneeIds, event.actorId)
          const issuedBy = yield* nameOf(event.actorId)
          for (const reader of readers) {
            out.push({
              recipientId: reader.id,
              message: {
                _tag: "resolution_issued",
                number: resolution.registrationNumber,
                title: resolution.title,
                body: resolution.body,
                issuedBy,
                incomingNumber: incoming.registrationNumber,
                incomingTitle: incoming.title,
                dueAt: payload.dueAt
              },
              data: {
                resolutionId: resolution.id,
                incomingId: incoming.id,
                taskId: task.id,
                registrationNumber: resolution.registrationNumber,
                path: paths.task(task.id)
              }
            })
          }
          break
        }
        case "report.filed": {
          const found = Option.all([
            yield* documents.findById(event.subject.id as DocumentId),
            yield* documents.findById(payload.resolutionId),
            yield* tasks.findById(payload.taskId)
          ])
          if (Option.isNone(found)) break
          const [report, resolution, task] = found.value
          const readers = yield* taskReaders(task, [resolution.authorId], event.actorId)
          const reporter = yield* nameOf(event.actorId)
          for (const reader of readers) {
            out.push({
              recipientId: reader.id,
              message: {
                _tag: "report_filed",
                number: resolution.registrationNumber,
                title: resolution.title,
                reporter,
                reportNumber: report.registrationNumber,
                reportBody: report.body,
                completed: payload.completed
              },
              data: {
                resolutionId: resolution.id,
                reportId: report.id,
                taskId: task.id,
                registrationNumber: report.registrationNumber,
                completed: payload.completed,
                path: paths.task(task.id)
              }
            })
          }
          break
        }
        case "repair.assigned": {
          const request = yield* repairs.findById(event.subject.id as RepairRequestId)
          if (Option.isNone(request)) break
          const r = request.value
          out.push({
            recipientId: payload.technicianId,
            message: { _tag: "repair_assigned", reference: r.reference, device: device(r), deadline: r.deadline },
            data: { repairRequestId: r.id, reference: r.reference, path: paths.repair(r.id) }
          })
          break
        }
        case "repair.status_changed": {
          const request = yield* repairs.findById(event.subject.id as RepairRequestId)
          if (Option.isNone(request)) break
          const r = request.value
          out.push({
            recipientId: r.clientId,
            message: {
              _tag: "repair_status_changed",
              reference: r.reference,
              device: device(r),
              from: payload.from,
              to: payload.to,
              note: Option.fromNullable(payload.note)
            },
            data: { repairRequestId: r.id, reference: r.reference, status: payload.to, path: paths.repair(r.id) }
          })
          break
        }
        case "task.commented": {
          const task = yield* tasks.findById(event.subject.id as TaskId)
          if (Option.isNone(task)) break
          const t = task.value
          const earlier = (yield* comments.listByTask(t.id)).map((c) => c.authorId)
          const readers = yield* taskReaders(t, [t.createdBy, ...t.assigneeIds, ...earlier], event.actorId)
          const author = yield* nameOf(event.actorId)
          for (const reader of readers) {
            out.push({
              recipientId: reader.id,
              message: { _tag: "task_commented", taskTitle: t.title, author, body: payload.body },
              data: { taskId: t.id, commentId: payload.commentId, path: paths.task(t.id) }
            })
          }
          break
        }
        case "repair.commented": {
          const request = yield* repairs.findById(event.subject.id as RepairRequestId)
          if (Option.isNone(request)) break
          const r = request.value
          const earlier = (yield* repairs.listComments(r.id)).map((c) => c.authorId)
          const people = [r.clientId, r.createdBy, ...Option.toArray(r.technicianId), ...earlier]
          const readers = yield* repairReaders(r, people, event.actorId)
          const author = yield* nameOf(event.actorId)
          for (const reader of readers) {
            out.push({
              recipientId: reader.id,
              message: {
                _tag: "repair_commented",
                reference: r.reference,
                device: device(r),
                author,
                body: payload.body
              },
              data: { repairRequestId: r.id, commentId: payload.commentId, path: paths.repair(r.id) }
            })
          }
          break
        }
        default:
          break
      }
      return out.filter((i) => i.recipientId !== event.actorId)
    })

    /** The notifications `event` causes, rendered in each recipient's language (not yet written). */
    const notificationsFor = traced("NotificationRules.notificationsFor")(function* (event: AuditEvent) {
      const wanted = yield* intents(event)
      if (wanted.length === 0) return [] as ReadonlyArray<Notification>
      const recipients = new Map<UserId, User>(
        (yield* users.findByIds([...new Set(wanted.map((i) => i.recipientId))])).map((u) => [u.id, u])
      )
      const now = yield* DateTime.now
      const out: Array<Notification> = []
      for (const intent of wanted) {
        const recipient = recipients.get(intent.recipientId)
        if (recipient === undefined || !recipient.active) continue
        const text = render(intent.message, recipient.language)
        out.push(
          pending({
            id: NotificationId.make(yield* ids.next),
            recipientId: recipient.id,
            kind: intent.message._tag,
            subject: text.subject,
            body: text.body,
            data: { ...intent.data, event: event.payload._tag, eventSequence: event.sequence },
            createdAt: now
          })
        )
      }
      return out as ReadonlyArray<Notification>
    })

    /** Writes the notifications `event` causes to the outbox, in the caller's transaction. */
    const apply = (event: AuditEvent): Effect.Effect<void> =>
      Effect.flatMap(notificationsFor(event), (batch) =>
        // Fresh ids cannot clash; a clash is a broken IdGenerator.
        batch.length === 0 ? Effect.void : Effect.orDie(outbox.insert(batch))
      )

    return { intents, notificationsFor, apply } as const
  })
}) {}

/**
 * The event log, decorated: every event appended also writes the notifications it causes, in the
 * same transaction (an append outside one gets its own), so nothing is notified about a change
 * that rolled back and no committed change loses its notification.
 */
export const layerEventLog: Layer.Layer<EventLog, never, EventLog | NotificationRules | Transaction> = Layer.effect(
  EventLog,
  Effect.gen(function* () {
    const inner = yield* EventLog
    const rules = yield* NotificationRules
    const tx = yield* Transaction
    return {
      append: (event) => tx.run(Effect.tap(inner.append(event), rules.apply)),
      list: inner.list
    }
  })
)

/**
 * A storage layer whose event log writes notifications by the rules: put it where the plain
 * storage layer would go; it needs the policy and ids too:
 * `TaskDesk.layer.pipe(Layer.provideMerge(withRules(storage).pipe(Layer.provideMerge(TaskDesk.layerDefaults))))`.
 */
export const withRules = <E, R>(
  storage: Layer.Layer<Storage, E, R>
): Layer.Layer<Storage, E, R | IdGenerator | Policy> =>
  // Later layers of a merge win, so the decorated event log replaces the plain one; `storage` is
  // the same value twice and layers are memoised, so it is built once.
  Layer.merge(storage, layerEventLog.pipe(Layer.provide(NotificationRules.Default), Layer.provide(storage)))
