import { Schema } from "effect"
import { UserId } from "./Ids.js"

const Count = Schema.Int.pipe(Schema.nonNegative())
const Average = Schema.optionalWith(Schema.Number, { as: "Option" })

/** The average and median of a set of durations in hours; none when the set is empty. */
export class DurationSummary extends Schema.Class<DurationSummary>("DurationSummary")({
  /** How many durations were measured. */
  count: Count,
  averageHours: Average,
  medianHours: Average
}) {}

/** How many requests are in each status; every status is present, zero included. */
export class RepairStatusCounts extends Schema.Class<RepairStatusCounts>("RepairStatusCounts")({
  new: Count,
  in_progress: Count,
  on_hold: Count,
  completed: Count,
  cancelled: Count
}) {}

/** How many requests share a value (a device type, a problem category). */
export class KeyCount extends Schema.Class<KeyCount>("KeyCount")({
  key: Schema.String,
  count: Count
}) {}

/** One technician's share of the requests in range. */
export class TechnicianStatistics extends Schema.Class<TechnicianStatistics>("TechnicianStatistics")({
  technicianId: UserId,
  /** New, in progress or on hold. */
  open: Count,
  completed: Count,
  /** From creation to completion, over their completed requests. */
  averageHoursToComplete: Average,
  /** From start to completion, over their completed requests. */
  averageHoursInWork: Average,
  ratings: Count,
  averageRating: Average
}) {}

/** The repair statistics of a time range; `StatisticsRepo.repairs` defines every number. */
export class RepairStatistics extends Schema.Class<RepairStatistics>("RepairStatistics")({
  from: Schema.DateTimeUtc,
  to: Schema.DateTimeUtc,
  total: Count,
  byStatus: RepairStatusCounts,
  toComplete: DurationSummary,
  inWork: DurationSummary,
  byDeviceType: Schema.Array(KeyCount),
  byCategory: Schema.Array(KeyCount),
  /** Requests without a problem category (not in `byCategory`). */
  uncategorized: Count,
  technicians: Schema.Array(TechnicianStatistics),
  overdue: Count,
  ratings: Count,
  averageRating: Average
}) {}
