import { DateTime, Option, Schema } from "effect"
import { UserId } from "./Ids.js"
import { Instant } from "./Instant.js"
import { Limit, Order, type SortKey } from "./Page.js"
import { DeviceType, isOverdue, ProblemCategory, type RepairRequest, RepairStatus } from "./RepairRequest.js"
import { singleLine } from "./Text.js"

/** The orders repair request lists can be sorted in. */
export const RepairSort = Schema.Literal("created", "deadline", "updated", "number")
export type RepairSort = typeof RepairSort.Type

/** Every filter the repair-request list offers; all given filters must hold. */
export class RepairFilter extends Schema.Class<RepairFilter>("RepairFilter")({
  status: Schema.optional(Schema.Array(RepairStatus)),
  clientId: Schema.optional(UserId),
  technicianId: Schema.optional(UserId),
  /** `true`: only requests with a technician; `false`: only those still waiting for one. */
  assigned: Schema.optional(Schema.Boolean),
  /** Exact (case-sensitive) match, as statistics group them. */
  deviceType: Schema.optional(DeviceType),
  /** Exact (case-sensitive) match, as statistics group them. */
  category: Schema.optional(ProblemCategory),
  overdue: Schema.optional(Schema.Boolean),
  /** Created at or after this time. */
  createdFrom: Schema.optional(Instant),
  /** Created strictly before this time, so consecutive ranges do not overlap. */
  createdTo: Schema.optional(Instant),
  /** Case-insensitive substring of the problem description, device type, device model or serial number. */
  text: Schema.optional(singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(200))))
}) {}

/** A request for one page of repair requests. */
export class RepairListQuery extends Schema.Class<RepairListQuery>("RepairListQuery")({
  ...RepairFilter.fields,
  sort: Schema.optional(RepairSort),
  order: Schema.optional(Order),
  limit: Schema.optional(Limit),
  cursor: Schema.optional(Schema.String)
}) {}

/**
 * Which requests an actor may see: all, or those standing in any one of the given relations to
 * them. The service derives it from the policy's grants for `repair.read`; stores apply it as a filter.
 */
export type RepairVisibility =
  | { readonly _tag: "All" }
  | {
      readonly _tag: "Restricted"
      readonly clientId?: UserId
      readonly technicianId?: UserId
      readonly createdBy?: UserId
    }

/** What a store is asked for: filters, visibility, sort and the key to start after. */
export interface RepairRepoQuery {
  readonly filter: RepairFilter
  readonly visibility: RepairVisibility
  readonly sort: RepairSort
  readonly order: Order
  readonly after: Option.Option<SortKey>
  readonly limit: number
  /** The time `overdue` is judged at. */
  readonly now: DateTime.Utc
}

/**
 * The sort key of a request: the sorted value, then the id as a tie-breaker, so the order is total
 * and keyset pagination neither skips nor repeats rows. Requests without a deadline sort last.
 */
export const sortKey = (request: RepairRequest, sort: RepairSort): SortKey => {
  switch (sort) {
    case "deadline":
      return Option.match(request.deadline, {
        onNone: () => [1, 0, request.id],
        onSome: (deadline) => [0, DateTime.toEpochMillis(deadline), request.id]
      })
    case "created":
      return [DateTime.toEpochMillis(request.createdAt), request.id]
    case "updated":
      return [DateTime.toEpochMillis(request.updatedAt), request.id]
    case "number":
      return [request.number, request.id]
  }
}

/** Directions of each key component: "no deadline last" holds in both orders. */
export const sortDirections = (sort: RepairSort, order: Order): ReadonlyArray<1 | -1> => {
  const d = order === "asc" ? 1 : -1
  return sort === "deadline" ? [1, d, d] : [d, d]
}

/** Whether a request passes the filter and the visibility; the reference semantics for every store. */
export const matches = (
  request: RepairRequest,
  query: Pick<RepairRepoQuery, "filter" | "visibility" | "now">
): boolean => {
  const { filter: f, visibility: v } = query
  if (v._tag === "Restricted") {
    const visible =
      (v.clientId !== undefined && request.clientId === v.clientId) ||
      (v.technicianId !== undefined && Option.contains(request.technicianId, v.technicianId)) ||
      (v.createdBy !== undefined && request.createdBy === v.createdBy)
    if (!visible) return false
  }
  if (f.status !== undefined && !f.status.includes(request.status)) return false
  if (f.clientId !== undefined && request.clientId !== f.clientId) return false
  if (f.technicianId !== undefined && !Option.contains(request.technicianId, f.technicianId)) return false
  if (f.assigned !== undefined && Option.isSome(request.technicianId) !== f.assigned) return false
  if (f.deviceType !== undefined && request.deviceType !== f.deviceType) return false
  if (f.category !== undefined && !Option.contains(request.category, f.category)) return false
  if (f.overdue !== undefined && isOverdue(request, query.now) !== f.overdue) return false
  if (f.createdFrom !== undefined && DateTime.lessThan(request.createdAt, f.createdFrom)) return false
  if (f.createdTo !== undefined && !DateTime.lessThan(request.createdAt, f.createdTo)) return false
  if (f.text !== undefined) {
    const needle = f.text.toLowerCase()
    const haystack = [
      request.problemDescription,
      request.deviceType,
      request.deviceModel,
      ...Option.toArray(request.serialNumber)
    ]
    if (!haystack.some((field) => field.toLowerCase().includes(needle))) return false
  }
  return true
}
