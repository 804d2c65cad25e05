import { DateTime, Either, Option, Schema } from "effect"
import { IllegalTransition, RuleViolation } from "./Errors.js"
import { CommentId, RepairRequestId, UserId } from "./Ids.js"
import { Instant } from "./Instant.js"
import { multiLine, singleLine } from "./Text.js"

/**
 * Where a repair request stands. The seed's "Новая заявка", "В работе", "Завершена", plus waiting
 * (for parts or the client) and cancelled.
 */
export const RepairStatus = Schema.Literal("new", "in_progress", "on_hold", "completed", "cancelled")
export type RepairStatus = typeof RepairStatus.Type

/** Every repair request state, in lifecycle order. */
export const repairStatuses: ReadonlyArray<RepairStatus> = RepairStatus.literals

/** The installation-wide sequence number of a request: 1, 2, …; shown as `R-000042`. */
export const RepairNumber = Schema.Int.pipe(Schema.positive())

/** What kind of appliance (`Fridge`): one line, 1–100 characters. */
export const DeviceType = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(100)))
/** The appliance's make and model: one line, 1–200 characters. */
export const DeviceModel = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(200)))
/** The appliance's serial number: one line, 1–100 characters. */
export const SerialNumber = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(100)))
/** What is wrong, in the client's words: 1–20,000 characters. */
export const ProblemDescription = multiLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(20_000)))
/** A category for statistics (`electrical`): one line, 1–100 characters. */
export const ProblemCategory = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(100)))
/** A completion note, hold reason or cancellation reason. */
export const StatusNote = multiLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(5_000)))
/** A comment on a repair request: 1–10,000 characters. */
export const CommentBody = multiLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(10_000)))
/** A client's rating: 1 to 5. */
export const Score = Schema.Int.pipe(Schema.between(1, 5))
/** A client's words with their rating: up to 5,000 characters. */
export const Feedback = multiLine(Schema.Trim.pipe(Schema.maxLength(5_000)))

/** The client's verdict on a completed request (the seed's feedback form, built in). */
export class Rating extends Schema.Class<Rating>("Rating")({
  score: Score,
  feedback: Schema.optionalWith(Feedback, { as: "Option" }),
  ratedAt: Schema.DateTimeUtc
}) {}

/** A request to repair one appliance, from a client, worked on by one technician. */
export class RepairRequest extends Schema.Class<RepairRequest>("RepairRequest")({
  id: RepairRequestId,
  number: RepairNumber,
  clientId: UserId,
  technicianId: Schema.optionalWith(UserId, { as: "Option" }),
  deviceType: DeviceType,
  deviceModel: DeviceModel,
  serialNumber: Schema.optionalWith(SerialNumber, { as: "Option" }),
  problemDescription: ProblemDescription,
  category: Schema.optionalWith(ProblemCategory, { as: "Option" }),
  status: RepairStatus,
  deadline: Schema.optionalWith(Instant, { as: "Option" }),
  /** Who filed it: the client, or a manager on the client's behalf. */
  createdBy: UserId,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc,
  /** When work first started; a hold and resume keep it. */
  startedAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  completedAt: Schema.optionalWith(Schema.DateTimeUtc, { as: "Option" }),
  completionNote: Schema.optionalWith(StatusNote, { as: "Option" }),
  /** Why it waits; present only while on hold. */
  holdReason: Schema.optionalWith(StatusNote, { as: "Option" }),
  cancelReason: Schema.optionalWith(StatusNote, { as: "Option" }),
  rating: Schema.optionalWith(Rating, { as: "Option" }),
  version: Schema.Int
}) {
  /** The human-readable number, e.g. `R-000042`. */
  get reference(): string {
    return formatNumber(this.number)
  }
}

/** `42` → `R-000042`; numbers past a million simply grow longer. */
export const formatNumber = (number: number): string => `R-${String(number).padStart(6, "0")}`

/** `R-000042`, `r-42` or `42` → `42`; anything else → none. */
export const parseNumber = (text: string): Option.Option<number> => {
  const match = /^(?:r-?)?0*(\d{1,15})$/i.exec(text.trim())
  const n = match ? Number(match[1]) : 0
  return n >= 1 && Number.isSafeInteger(n) ? Option.some(n) : Option.none()
}

/** A remark on a request by its technician, a manager or its client. */
export class RepairComment extends Schema.Class<RepairComment>("RepairComment")({
  id: CommentId,
  requestId: RepairRequestId,
  authorId: UserId,
  body: CommentBody,
  createdAt: Schema.DateTimeUtc
}) {}

/** The legal moves of the repair state machine; `completed` and `cancelled` are final. */
export const transitions: Readonly<Record<RepairStatus, ReadonlyArray<RepairStatus>>> = {
  new: ["in_progress", "cancelled"],
  in_progress: ["on_hold", "completed", "cancelled"],
  on_hold: ["in_progress", "cancelled"],
  completed: [],
  cancelled: []
}

/** Whether a repair request may move from one state to another. */
export const canTransition = (from: RepairStatus, to: RepairStatus): boolean => transitions[from].includes(to)

/** Whether the request still expects work: new, in progress or on hold. */
export const isOpen = (request: { readonly status: RepairStatus }): boolean =>
  request.status === "new" || request.status === "in_progress" || request.status === "on_hold"

/** Whether the request is closed: completed or cancelled. */
export const isClosed = (request: { readonly status: RepairStatus }): boolean => !isOpen(request)

/** Whether the request is open and its deadline is strictly before `now`. */
export const isOverdue = (request: RepairRequest, now: DateTime.Utc): boolean =>
  isOpen(request) && Option.exists(request.deadline, (deadline) => DateTime.lessThan(deadline, now))

/** A status move and what it carries: a hold or cancellation may give a reason, completion must give a note. */
export type RepairMove =
  | { readonly to: "in_progress" }
  | { readonly to: "on_hold"; readonly reason?: string | undefined }
  | { readonly to: "completed"; readonly note: string }
  | { readonly to: "cancelled"; readonly reason?: string | undefined }

const nonBlank = (text: string | undefined): Option.Option<string> =>
  text === undefined || text.trim() === "" ? Option.none() : Option.some(text.trim())

/**
 * Moves the request at `now`. Fails with `IllegalTransition` (naming both states) for a move the
 * state machine lacks, and with `RuleViolation` when starting without a technician or completing
 * without a note.
 */
export const transition = (
  request: RepairRequest,
  move: RepairMove,
  now: DateTime.Utc
): Either.Either<RepairRequest, IllegalTransition | RuleViolation> => {
  if (!canTransition(request.status, move.to)) {
    return Either.left(
      new IllegalTransition({ entity: "RepairRequest", id: request.id, from: request.status, to: move.to })
    )
  }
  const base = { ...request, status: move.to, updatedAt: now, version: request.version + 1 }
  switch (move.to) {
    case "in_progress":
      if (Option.isNone(request.technicianId)) {
        return Either.left(
          new RuleViolation({ rule: "repair.technician_required", message: "a request needs a technician to start" })
        )
      }
      return Either.right(
        new RepairRequest({
          ...base,
          startedAt: Option.orElse(request.startedAt, () => Option.some(now)),
          holdReason: Option.none()
        })
      )
    case "on_hold":
      return Either.right(new RepairRequest({ ...base, holdReason: nonBlank(move.reason) }))
    case "completed": {
      const note = nonBlank(move.note)
      if (Option.isNone(note)) {
        return Either.left(
          new RuleViolation({ rule: "repair.completion_note_required", message: "completing needs a completion note" })
        )
      }
      return Either.right(new RepairRequest({ ...base, completedAt: Option.some(now), completionNote: note }))
    }
    case "cancelled":
      return Either.right(
        new RepairRequest({ ...base, holdReason: Option.none(), cancelReason: nonBlank(move.reason) })
      )
  }
}

/**
 * What must hold of every stored request, whatever happened to it; empty when all holds. In
 * progress, on hold or completed ⇒ a start time; a start time ⇒ a technician and not new;
 * completed ⇔ a completion time and note; a hold reason only on hold, a cancellation reason only
 * when cancelled, a rating only when completed; created ≤ started ≤ completed.
 */
export const invariantViolations = (request: RepairRequest): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const { status } = request
  const working = status === "in_progress" || status === "on_hold" || status === "completed"
  if (working && Option.isNone(request.startedAt)) problems.push(`${status} without a start time`)
  if (status === "new" && Option.isSome(request.startedAt)) problems.push("new with a start time")
  if (Option.isSome(request.startedAt) && Option.isNone(request.technicianId))
    problems.push("started without a technician")
  const completed = status === "completed"
  if (completed !== Option.isSome(request.completedAt)) problems.push("completion time does not match the status")
  if (completed !== Option.isSome(request.completionNote)) problems.push("completion note does not match the status")
  if (Option.isSome(request.holdReason) && status !== "on_hold") problems.push("hold reason while not on hold")
  if (Option.isSome(request.cancelReason) && status !== "cancelled") problems.push("cancel reason while not cancelled")
  if (Option.isSome(request.rating) && !completed) problems.push("rated but not completed")
  const times = [Option.some(request.createdAt), request.startedAt, request.completedAt].flatMap(Option.toArray)
  if (times.some((t, i) => i > 0 && DateTime.lessThan(t, times[i - 1]!))) problems.push("times out of order")
  return problems
}

/** What a caller supplies to file a request; `clientId` defaults to the actor. */
export class CreateRepairRequest extends Schema.Class<CreateRepairRequest>("CreateRepairRequest")({
  /** File on behalf of this client (managers); the actor themselves when absent. */
  clientId: Schema.optional(UserId),
  deviceType: DeviceType,
  deviceModel: DeviceModel,
  serialNumber: Schema.optional(SerialNumber),
  problemDescription: ProblemDescription,
  category: Schema.optional(ProblemCategory),
  /** The technician at once: needs `repair.assign` (managers, admins). */
  technicianId: Schema.optional(UserId),
  /** When the repair is due: needs `repair.setDeadline` (managers, admins); clients leave it out. */
  deadline: Schema.optional(Instant)
}) {}

/** A partial change to a request's details; `null` clears an optional field. Statuses move through `transition`. */
export class UpdateRepairRequest extends Schema.Class<UpdateRepairRequest>("UpdateRepairRequest")({
  deviceType: Schema.optional(DeviceType),
  deviceModel: Schema.optional(DeviceModel),
  serialNumber: Schema.optional(Schema.NullOr(SerialNumber)),
  problemDescription: Schema.optional(ProblemDescription),
  category: Schema.optional(Schema.NullOr(ProblemCategory)),
  deadline: Schema.optional(Schema.NullOr(Instant))
}) {}

/** The fields of an update a request's technician may change too: what diagnosis finds out. */
export const diagnosisFields: ReadonlyArray<keyof UpdateRepairRequest> = ["serialNumber", "category"]
