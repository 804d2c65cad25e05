import { DateTime, Effect, Option, ParseResult, Schema } from "effect"
import { Actor, CurrentActor } from "./Actor.js"
import { Subject } from "./AuditEvent.js"
import { AuditLog } from "./AuditLog.js"
import { unlessExpected } from "./Conflicts.js"
import { Forbidden, orNotFound, RuleViolation } from "./Errors.js"
import { differ } from "./FieldChange.js"
import { IdGenerator } from "./IdGenerator.js"
import { CommentId, RepairRequestId, UserId } from "./Ids.js"
import { traced } from "./Operation.js"
import { decodeCursor, defaultLimit, encodeCursor, type Page, toPage } from "./Page.js"
import { type Action, authorize, ensure, Policy, type Relation } from "./Policy.js"
import { type RepairListQuery, type RepairVisibility, sortKey } from "./RepairQuery.js"
import {
  CommentBody,
  CreateRepairRequest,
  diagnosisFields,
  Feedback,
  formatNumber,
  isClosed,
  Rating,
  RepairComment,
  type RepairMove,
  RepairRequest,
  Score,
  StatusNote,
  transition,
  UpdateRepairRequest
} from "./RepairRequest.js"
import { RepairRequestRepo } from "./RepairRequestRepo.js"
import type { Role } from "./Role.js"
import { UserRepo } from "./UserRepo.js"
import { invalidField, validate } from "./Validation.js"

/** The audit subject of a repair request; its comments and rating are recorded under it too. */
export const repairSubject = (id: RepairRequestId): Subject => new Subject({ kind: "repair_request", id })

/** Who may be made a request's technician: the seeds' masters, and managers or admins lending a hand. */
export const technicianRoles: ReadonlyArray<Role> = ["worker", "manager", "admin"]

const repairChanges = differ(RepairRequest.fields)

const blankToUndefined = (text: string | undefined): string | undefined => {
  const trimmed = text?.trim()
  return trimmed === undefined || trimmed === "" ? undefined : trimmed
}

/**
 * Repair requests: clients file them, managers assign technicians and deadlines, technicians work
 * them through `new → in_progress ⇄ on_hold → completed`, clients rate the result; every change audited.
 */
export class RepairRequests extends Effect.Service<RepairRequests>()("@taskdesk/core/RepairRequests", {
  effect: Effect.gen(function* () {
    const repo = yield* RepairRequestRepo
    const users = yield* UserRepo
    const policy = yield* Policy
    const audit = yield* AuditLog
    const ids = yield* IdGenerator

    /** How the actor stands to a request. */
    const relationsOf = (actor: Actor, request: RepairRequest): ReadonlySet<Relation> => {
      const relations = new Set<Relation>()
      if (request.clientId === actor.id) relations.add("client")
      if (Option.contains(request.technicianId, actor.id)) relations.add("assignee")
      if (request.createdBy === actor.id) relations.add("creator")
      return relations
    }

    const load = (id: RepairRequestId) => repo.findById(id).pipe(orNotFound("RepairRequest", id))

    /** Checks the actor may see the request (else `NotFound`) and may perform `action` on it (else `Forbidden`). */
    const authorizeOn = (request: RepairRequest, action: Action) =>
      Effect.gen(function* () {
        const actor = yield* CurrentActor
        yield* authorize(policy, actor, {
          entity: "RepairRequest",
          id: request.id,
          read: "repair.read",
          action,
          relations: relationsOf(actor, request)
        })
        return request
      })

    /** Loads a request the actor may see and may perform `action` on. */
    const loadFor = (id: RepairRequestId, action: Action) => Effect.flatMap(load(id), (r) => authorizeOn(r, action))

    const checkTechnician = (id: UserId) =>
      Effect.gen(function* () {
        const user = yield* users.findById(id)
        if (Option.isNone(user) || !user.value.active) {
          return yield* invalidField(["technicianId"], `no active user ${id}`)
        }
        if (!technicianRoles.includes(user.value.role)) {
          return yield* invalidField(["technicianId"], `${id} is a ${user.value.role}, not a technician`)
        }
      })

    /** The client of a new request: the actor, or (for those who may assign) someone who may file for themselves. */
    const clientOf = (actor: Actor, clientId: UserId | undefined) =>
      Effect.gen(function* () {
        if (clientId === undefined || clientId === actor.id) return actor.id
        yield* ensure(policy, actor, "repair.assign")
        const user = yield* users.findById(clientId)
        if (Option.isNone(user) || !user.value.active) {
          return yield* invalidField(["clientId"], `no active user ${clientId}`)
        }
        const client = new Actor({ id: user.value.id, role: user.value.role })
        if (!policy.allows(client, "repair.create", new Set(["self"]))) {
          return yield* invalidField(["clientId"], `${clientId} may not file repair requests`)
        }
        return clientId
      })

    const create = traced("RepairRequests.create")(function* (input: CreateRepairRequest) {
      const actor = yield* CurrentActor
      yield* ensure(policy, actor, "repair.create")
      const valid = yield* validate(CreateRepairRequest.fields)(input)
      if (valid.technicianId !== undefined) yield* ensure(policy, actor, "repair.assign")
      if (valid.deadline !== undefined) yield* ensure(policy, actor, "repair.setDeadline")
      const clientId = yield* clientOf(actor, valid.clientId)
      if (valid.technicianId !== undefined) yield* checkTechnician(valid.technicianId)
      const id = RepairRequestId.make(yield* ids.next)
      const now = yield* DateTime.now
      return yield* audit.transaction(
        Effect.gen(function* () {
          const request = new RepairRequest({
            id,
            number: yield* repo.nextNumber,
            clientId,
            technicianId: Option.fromNullable(valid.technicianId),
            deviceType: valid.deviceType,
            deviceModel: valid.deviceModel,
            serialNumber: Option.fromNullable(valid.serialNumber),
            problemDescription: valid.problemDescription,
            category: Option.fromNullable(valid.category),
            status: "new",
            deadline: Option.fromNullable(valid.deadline),
            createdBy: actor.id,
            createdAt: now,
            updatedAt: now,
            startedAt: Option.none(),
            completedAt: Option.none(),
            completionNote: Option.none(),
            holdReason: Option.none(),
            cancelReason: Option.none(),
            rating: Option.none(),
            version: 1
          })
          yield* repo.insert(request).pipe(Effect.orDie)
          yield* audit.record(repairSubject(id), {
            _tag: "repair.created",
            number: request.number,
            clientId,
            deviceType: request.deviceType,
            ...(valid.technicianId !== undefined ? { technicianId: valid.technicianId } : {})
          })
          return request
        })
      )
    })

    const get = traced("RepairRequests.get")(function* (id: RepairRequestId) {
      return yield* loadFor(id, "repair.read")
    })

    /** The request with this number (`R-000042` is 42), for people who quote it. */
    const getByNumber = traced("RepairRequests.getByNumber")(function* (number: number) {
      const request = yield* repo.findByNumber(number).pipe(orNotFound("RepairRequest", formatNumber(number)))
      return yield* authorizeOn(request, "repair.read")
    })

    /** Which requests the actor may see, from the policy's grants for `repair.read`. */
    const visibilityOf = (actor: Actor): RepairVisibility => {
      const grants = policy.grants(actor, "repair.read")
      if (grants.has("any")) return { _tag: "All" }
      return {
        _tag: "Restricted",
        ...(grants.has("client") ? { clientId: actor.id } : {}),
        ...(grants.has("assignee") ? { technicianId: actor.id } : {}),
        ...(grants.has("creator") ? { createdBy: actor.id } : {})
      }
    }

    const list = traced("RepairRequests.list")(function* (query: RepairListQuery = {}) {
      const actor = yield* CurrentActor
      const { sort = "created", order = "desc", limit = defaultLimit, cursor, ...filter } = query
      const cursorSort = `repair:${sort}:${order}`
      const after = cursor === undefined ? Option.none() : Option.some(yield* decodeCursor(cursorSort, cursor))
      const rows = yield* repo.list({
        filter,
        visibility: visibilityOf(actor),
        sort,
        order,
        after,
        limit: limit + 1,
        now: yield* DateTime.now
      })
      return toPage(rows, limit, (last) => encodeCursor(cursorSort, sortKey(last, sort))) as Page<RepairRequest>
    })

    /**
     * Changes a request's details. Managers may change anything; the request's technician may set
     * what diagnosis finds (serial number, category).
     */
    const update = traced("RepairRequests.update")(function* (
      id: RepairRequestId,
      patch: UpdateRepairRequest,
      expectedVersion?: number
    ) {
      const actor = yield* CurrentActor
      const valid = yield* validate(UpdateRepairRequest.fields)(patch)
      const changed = (Object.keys(valid) as Array<keyof UpdateRepairRequest>).filter((k) => valid[k] !== undefined)
      return yield* unlessExpected(
        expectedVersion,
        audit.transaction(
          Effect.gen(function* () {
            const request = yield* loadFor(id, "repair.read")
            const relations = relationsOf(actor, request)
            const mayWork = policy.allows(actor, "repair.work", relations)
            if (changed.length === 0) {
              if (mayWork || policy.allows(actor, "repair.assign", relations)) return request
              return yield* new Forbidden({ action: "repair.assign" })
            }
            for (const field of changed) {
              const action: Action = field === "deadline" ? "repair.setDeadline" : "repair.assign"
              const allowed = policy.allows(actor, action, relations) || (diagnosisFields.includes(field) && mayWork)
              if (!allowed) return yield* new Forbidden({ action, reason: `changing ${field} needs ${action}` })
            }
            const version = expectedVersion ?? request.version
            const next = new RepairRequest({
              ...request,
              ...(valid.deviceType !== undefined ? { deviceType: valid.deviceType } : {}),
              ...(valid.deviceModel !== undefined ? { deviceModel: valid.deviceModel } : {}),
              ...(valid.serialNumber !== undefined ? { serialNumber: Option.fromNullable(valid.serialNumber) } : {}),
              ...(valid.problemDescription !== undefined ? { problemDescription: valid.problemDescription } : {}),
              ...(valid.category !== undefined ? { category: Option.fromNullable(valid.category) } : {}),
              ...(valid.deadline !== undefined ? { deadline: Option.fromNullable(valid.deadline) } : {}),
              updatedAt: yield* DateTime.now,
              version: version + 1
            })
            yield* repo.update(next, version)
            yield* audit.record(repairSubject(id), {
              _tag: "repair.updated",
              fields: changed,
              changes: repairChanges(request, next, changed)
            })
            return next
          })
        )
      )
    })

    /** Assigns or reassigns the technician of an open request. */
    const assign = traced("RepairRequests.assign")(function* (
      id: RepairRequestId,
      technicianId: UserId,
      expectedVersion?: number
    ) {
      const valid = yield* validate({ technicianId: UserId })({ technicianId })
      return yield* unlessExpected(
        expectedVersion,
        audit.transaction(
          Effect.gen(function* () {
            const request = yield* loadFor(id, "repair.assign")
            if (isClosed(request)) {
              return yield* new RuleViolation({
                rule: "repair.closed",
                message: `request ${request.reference} is ${request.status} and can no longer be assigned`
              })
            }
            yield* checkTechnician(valid.technicianId)
            if (Option.contains(request.technicianId, valid.technicianId)) return request
            const version = expectedVersion ?? request.version
            const next = new RepairRequest({
              ...request,
              technicianId: Option.some(valid.technicianId),
              updatedAt: yield* DateTime.now,
              version: version + 1
            })
            yield* repo.update(next, version)
            yield* audit.record(repairSubject(id), {
              _tag: "repair.assigned",
              technicianId: valid.technicianId,
              ...Option.match(request.technicianId, {
                onNone: () => ({}),
                onSome: (previousTechnicianId) => ({ previousTechnicianId })
              })
            })
            return next
          })
        )
      )
    })

    /** Moves a request through the state machine after checking `action`. */
    const move = (id: RepairRequestId, action: Action, to: RepairMove, expectedVersion: number | undefined) =>
      unlessExpected(
        expectedVersion,
        audit.transaction(
          Effect.gen(function* () {
            const request = yield* loadFor(id, action)
            const version = expectedVersion ?? request.version
            const next = yield* transition(request, to, yield* DateTime.now)
            yield* repo.update(next, version)
            const note = to.to === "completed" ? to.note : to.to === "in_progress" ? undefined : to.reason
            yield* audit.record(repairSubject(id), {
              _tag: "repair.status_changed",
              from: request.status,
              to: to.to,
              ...(note !== undefined ? { note } : {})
            })
            return next
          })
        )
      )

    /** A completion note or reason, trimmed; blank means none. */
    const noteOf = (path: "note" | "reason", text: string | undefined) => {
      const value = blankToUndefined(text)
      return value === undefined
        ? Effect.succeed(undefined)
        : Schema.validate(StatusNote)(value).pipe(
            Effect.mapError((error) => invalidField([path], ParseResult.TreeFormatter.formatErrorSync(error)))
          )
    }

    /** The technician starts work; the request needs a technician. */
    const start = traced("RepairRequests.start")(function* (id: RepairRequestId, expectedVersion?: number) {
      return yield* move(id, "repair.work", { to: "in_progress" }, expectedVersion)
    })

    /** Work pauses, waiting for parts or the client. */
    const hold = traced("RepairRequests.hold")(function* (
      id: RepairRequestId,
      reason?: string,
      expectedVersion?: number
    ) {
      const valid = yield* noteOf("reason", reason)
      return yield* move(id, "repair.work", { to: "on_hold", reason: valid }, expectedVersion)
    })

    /** Work continues after a hold. */
    const resume = traced("RepairRequests.resume")(function* (id: RepairRequestId, expectedVersion?: number) {
      return yield* move(id, "repair.work", { to: "in_progress" }, expectedVersion)
    })

    /** The technician finishes; what was done goes in the completion note. */
    const complete = traced("RepairRequests.complete")(function* (
      id: RepairRequestId,
      note: string,
      expectedVersion?: number
    ) {
      const valid = yield* noteOf("note", note)
      if (valid === undefined) return yield* invalidField(["note"], "completing needs a completion note")
      return yield* move(id, "repair.work", { to: "completed", note: valid }, expectedVersion)
    })

    /** A manager cancels an open request. */
    const cancel = traced("RepairRequests.cancel")(function* (
      id: RepairRequestId,
      reason?: string,
      expectedVersion?: number
    ) {
      const valid = yield* noteOf("reason", reason)
      return yield* move(id, "repair.cancel", { to: "cancelled", reason: valid }, expectedVersion)
    })

    /** Adds a comment by the technician, a manager or the request's client. */
    const comment = traced("RepairRequests.comment")(function* (id: RepairRequestId, body: string) {
      const actor = yield* CurrentActor
      const valid = yield* validate({ body: CommentBody })({ body: body.trim() })
      const commentId = CommentId.make(yield* ids.next)
      return yield* audit.transaction(
        Effect.gen(function* () {
          yield* loadFor(id, "repair.comment")
          const created = new RepairComment({
            id: commentId,
            requestId: id,
            authorId: actor.id,
            body: valid.body,
            createdAt: yield* DateTime.now
          })
          yield* repo.addComment(created).pipe(Effect.orDie)
          yield* audit.record(repairSubject(id), { _tag: "repair.commented", commentId, body: valid.body })
          return created
        })
      )
    })

    /** The request's comments, oldest first. */
    const comments = traced("RepairRequests.comments")(function* (id: RepairRequestId) {
      yield* loadFor(id, "repair.read")
      return yield* repo.listComments(id)
    })

    /** The client rates a completed request, once: 1–5 with optional feedback. */
    const rate = traced("RepairRequests.rate")(function* (
      id: RepairRequestId,
      score: number,
      feedback?: string,
      expectedVersion?: number
    ) {
      const valid = yield* validate({ score: Score, feedback: Schema.optional(Feedback) })({
        score,
        feedback: blankToUndefined(feedback)
      })
      return yield* unlessExpected(
        expectedVersion,
        audit.transaction(
          Effect.gen(function* () {
            const request = yield* loadFor(id, "repair.rate")
            if (request.status !== "completed") {
              return yield* new RuleViolation({
                rule: "repair.rate_completed_only",
                message: `request ${request.reference} is ${request.status}; only completed requests can be rated`
              })
            }
            if (Option.isSome(request.rating)) {
              return yield* new RuleViolation({
                rule: "repair.rated_once",
                message: `request ${request.reference} has been rated already`
              })
            }
            const now = yield* DateTime.now
            const version = expectedVersion ?? request.version
            const next = new RepairRequest({
              ...request,
              rating: Option.some(
                new Rating({ score: valid.score, feedback: Option.fromNullable(valid.feedback), ratedAt: now })
              ),
              updatedAt: now,
              version: version + 1
            })
            yield* repo.update(next, version)
            yield* audit.record(repairSubject(id), {
              _tag: "repair.rated",
              score: valid.score,
              ...(valid.feedback !== undefined ? { feedback: valid.feedback } : {})
            })
            return next
          })
        )
      )
    })

    /** Every event of the request, oldest first. */
    const history = traced("RepairRequests.history")(function* (id: RepairRequestId) {
      yield* loadFor(id, "repair.read")
      return yield* audit.history(repairSubject(id))
    })

    return {
      create,
      get,
      getByNumber,
      list,
      update,
      assign,
      start,
      hold,
      resume,
      complete,
      cancel,
      comment,
      comments,
      rate,
      history,
      /** For sibling services: load without authorization, and the relation helper. */
      internal: { load, relationsOf }
    } as const
  })
}) {}
