import { Context, type DateTime, type Effect, Schema } from "effect"
import { Instant } from "./Instant.js"
import type { RepairStatistics } from "./RepairStatistics.js"
import type { TaskStatistics } from "./TaskStatistics.js"

/** A half-open time range `[from, to)`: consecutive ranges neither overlap nor leave gaps. */
export class StatisticsRange extends Schema.Class<StatisticsRange>("StatisticsRange")({
  from: Instant,
  to: Instant
}) {}

/**
 * Aggregates for reports, computed where the data lives (SQL: `GROUP BY`, `AVG`, …) instead of
 * loading every row. One method per kind of statistics; more kinds join as further methods.
 */
export class StatisticsRepo extends Context.Tag("@taskdesk/core/StatisticsRepo")<
  StatisticsRepo,
  {
    /**
     * Repair statistics. Every number is over the same set: the requests created within
     * `[range.from, range.to)` (`from <= createdAt < to`), whatever their status now.
     *
     * - `total`: the size of the set; `byStatus`: per current status, every status present (0 if none).
     * - Durations are in hours, `(end − start) / 3_600_000` from millisecond timestamps, unrounded.
     *   `toComplete` measures `createdAt → completedAt`, `inWork` `startedAt → completedAt`, each over
     *   the requests with status `completed` that have both timestamps. `count` is how many were
     *   measured; `averageHours` is the arithmetic mean; `medianHours` is the middle value of the
     *   sorted durations, or the mean of the two middle values when the count is even (SQL's
     *   `percentile_cont(0.5)`). Both are none when nothing was measured.
     * - `byDeviceType` / `byCategory`: one entry per distinct value (exact, case-sensitive) with its
     *   count, ordered by count descending, then by key in JavaScript string order (UTF-16 code
     *   units; stores may sort these few rows in memory to avoid collation differences). Requests
     *   without a category count in `uncategorized` only.
     * - `technicians`: one entry per technician of at least one request in the set, ordered by
     *   technician id (JavaScript string order). `open` counts statuses new, in_progress and on_hold;
     *   `completed` status completed; `averageHoursToComplete` / `averageHoursInWork` average the
     *   same durations as above over that technician's requests (none when none measured);
     *   `ratings` counts their rated requests and `averageRating` averages those scores.
     * - `overdue`: requests that are open (new, in_progress, on_hold) with a deadline strictly
     *   before `now`.
     * - `ratings`: rated requests; `averageRating`: the mean score over them, unrounded, none if none.
     * - `from` and `to` echo the range.
     *
     * Averages are plain floating-point means; a store's result may differ from another's only by
     * floating-point rounding.
     */
    readonly repairs: (range: StatisticsRange, now: DateTime.Utc) => Effect.Effect<RepairStatistics>

    /**
     * Task statistics of `[range.from, range.to)`:
     *
     * - `created`: tasks whose `createdAt` is in the range; `completed`: tasks with status done whose
     *   `completedAt` is in the range; `overdue`: tasks still open (todo, in_progress) whose `dueAt`
     *   is in the range and strictly before `now` — the tasks that became overdue in the range.
     * - `totals` counts every task once; `byProject` one entry per project with at least one counted
     *   task, ordered by project id (JavaScript string order), `withoutProject` the rest;
     *   `byAssignee` one entry per user among the `assigneeIds` of a counted task or answering a
     *   counted assignment, ordered by user id, counting a task once for each of its assignees.
     * - Assignments: `offered` counts those created in the range; `accepted` those answered in the
     *   range (`respondedAt`) that were not rejected (accepted, completed or cancelled after
     *   acceptance); `rejected` those answered in the range with a rejection. Per assignee the same
     *   `accepted`/`rejected`. `rejections` lists the rejected ones with their reasons, by
     *   `respondedAt`, then assignment id.
     */
    readonly tasks: (range: StatisticsRange, now: DateTime.Utc) => Effect.Effect<TaskStatistics>
  }
>() {}
