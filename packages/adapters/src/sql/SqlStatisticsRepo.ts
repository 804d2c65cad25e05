import { SqlClient } from "@effect/sql"
import type { Fragment, Statement } from "@effect/sql/Statement"
import { Ids, type RepairRequest, RepairStatistics, StatisticsRepo, TaskStatistics } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { EpochMillis, SqlAverage, SqlCount } from "./Columns.js"
import { Dialect } from "./Dialect.js"
import { orDie } from "./SqlErrors.js"

/**
 * Statistics as SQL aggregates: every number is counted, summed or averaged by the database over
 * an index range; only the aggregated rows (a status, a device type, a person) reach TypeScript,
 * which orders the few keyed rows in JavaScript string order so both dialects agree.
 */

const hour = 3_600_000

/** Durations are aggregated in milliseconds (exact integers) and turned into hours here. */
const hours = (millis: Option.Option<number>) => Option.map(millis, (ms) => ms / hour)

const byJsOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

// The durations of `StatisticsRepo.repairs`, over completed requests that have both timestamps.
const toComplete = "CASE WHEN status = 'completed' AND completed_at IS NOT NULL THEN completed_at - created_at END"
const inWork =
  "CASE WHEN status = 'completed' AND started_at IS NOT NULL AND completed_at IS NOT NULL THEN completed_at - started_at END"
const isOpen = "status IN ('new', 'in_progress', 'on_hold')"

const RepairSummary = Schema.Struct({
  total: SqlCount,
  uncategorized: SqlCount,
  overdue: SqlCount,
  ratings: SqlCount,
  average_rating: SqlAverage,
  to_complete_count: SqlCount,
  to_complete_average: SqlAverage,
  to_complete_median: SqlAverage,
  in_work_count: SqlCount,
  in_work_average: SqlAverage,
  in_work_median: SqlAverage
})

const KeyCountRow = Schema.Struct({ key: Schema.String, count: SqlCount })

const TechnicianRow = Schema.Struct({
  technician_id: Ids.UserId,
  open: SqlCount,
  completed: SqlCount,
  to_complete: SqlAverage,
  in_work: SqlAverage,
  ratings: SqlCount,
  average_rating: SqlAverage
})

const TaskCountsRow = Schema.Struct({
  key: Schema.NullOr(Schema.String),
  created: SqlCount,
  completed: SqlCount,
  overdue: SqlCount
})

const AnswersRow = Schema.Struct({ assignee_id: Ids.UserId, accepted: SqlCount, rejected: SqlCount })

const RejectionRow = Schema.Struct({
  id: Ids.AssignmentId,
  task_id: Ids.TaskId,
  assignee_id: Ids.UserId,
  rejection_reason: Schema.NullOr(Schema.String),
  responded_at: EpochMillis
})

/** The SQL version of `StatisticsRepo`. */
export const layer: Layer.Layer<StatisticsRepo.StatisticsRepo, never, SqlClient.SqlClient | Dialect> = Layer.effect(
  StatisticsRepo.StatisticsRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const dialect = yield* Dialect
    const query = dialect.query
    // Quoted: `key` is a reserved word in MySQL.
    const key = sql("key")

    const rows = <A, I>(schema: Schema.Schema<A, I>, statement: Statement<object>) =>
      Effect.flatMap(query(statement), Schema.decodeUnknown(Schema.Array(schema)))

    const repairs = (range: StatisticsRepo.StatisticsRange, now: DateTime.Utc) =>
      Effect.gen(function* () {
        const from = DateTime.toEpochMillis(range.from)
        const to = DateTime.toEpochMillis(range.to)
        const inRange = sql`created_at >= ${from} AND created_at < ${to}`
        // Every AVG is of a float (`0e0 +`): MySQL averages integers as decimals of four places.
        /**
         * The median of a duration: the middle row, or the mean of the two middle rows (percentile_cont(0.5)).
         * The middle rows are those within [c/2, c/2 + 1], in decimals: `/` on integers truncates in
         * SQLite and PostgreSQL but not in MySQL.
         */
        const median = (expression: string): Fragment => sql`(SELECT AVG(0e0 + d) FROM (
            SELECT d, ROW_NUMBER() OVER (ORDER BY d) AS rn, COUNT(*) OVER () AS c
            FROM (SELECT ${sql.literal(expression)} AS d FROM repair_requests WHERE ${inRange}) AS durations
            WHERE d IS NOT NULL
          ) AS ranked WHERE rn BETWEEN c / 2.0 AND c / 2.0 + 1)`
        const [summary] = yield* rows(
          RepairSummary,
          sql`SELECT
            COUNT(*) AS total,
            SUM(CASE WHEN category IS NULL THEN 1 ELSE 0 END) AS uncategorized,
            SUM(CASE WHEN ${sql.literal(isOpen)} AND deadline < ${DateTime.toEpochMillis(now)} THEN 1 ELSE 0 END) AS overdue,
            COUNT(rating_score) AS ratings,
            AVG(0e0 + rating_score) AS average_rating,
            COUNT(${sql.literal(toComplete)}) AS to_complete_count,
            AVG(0e0 + ${sql.literal(toComplete)}) AS to_complete_average,
            ${median(toComplete)} AS to_complete_median,
            COUNT(${sql.literal(inWork)}) AS in_work_count,
            AVG(0e0 + ${sql.literal(inWork)}) AS in_work_average,
            ${median(inWork)} AS in_work_median
          FROM repair_requests WHERE ${inRange}`
        )
        const statuses = yield* rows(
          KeyCountRow,
          sql`SELECT status AS ${key}, COUNT(*) AS count FROM repair_requests WHERE ${inRange} GROUP BY status`
        )
        const deviceTypes = yield* rows(
          KeyCountRow,
          sql`SELECT device_type AS ${key}, COUNT(*) AS count FROM repair_requests WHERE ${inRange} GROUP BY device_type`
        )
        const categories = yield* rows(
          KeyCountRow,
          sql`SELECT category AS ${key}, COUNT(*) AS count FROM repair_requests
            WHERE ${inRange} AND category IS NOT NULL GROUP BY category`
        )
        const technicians = yield* rows(
          TechnicianRow,
          sql`SELECT technician_id,
              SUM(CASE WHEN ${sql.literal(isOpen)} THEN 1 ELSE 0 END) AS open,
              SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed,
              AVG(0e0 + ${sql.literal(toComplete)}) AS to_complete,
              AVG(0e0 + ${sql.literal(inWork)}) AS in_work,
              COUNT(rating_score) AS ratings,
              AVG(0e0 + rating_score) AS average_rating
            FROM repair_requests WHERE ${inRange} AND technician_id IS NOT NULL GROUP BY technician_id`
        )
        const s = summary!
        const countOf = (status: RepairRequest.RepairStatus) => statuses.find((r) => r.key === status)?.count ?? 0
        const keyed = (counts: ReadonlyArray<typeof KeyCountRow.Type>) =>
          [...counts]
            .sort((a, b) => b.count - a.count || byJsOrder(a.key, b.key))
            .map((r) => new RepairStatistics.KeyCount({ key: r.key, count: r.count }))
        return new RepairStatistics.RepairStatistics({
          from: range.from,
          to: range.to,
          total: s.total,
          byStatus: new RepairStatistics.RepairStatusCounts({
            new: countOf("new"),
            in_progress: countOf("in_progress"),
            on_hold: countOf("on_hold"),
            completed: countOf("completed"),
            cancelled: countOf("cancelled")
          }),
          toComplete: new RepairStatistics.DurationSummary({
            count: s.to_complete_count,
            averageHours: hours(s.to_complete_average),
            medianHours: hours(s.to_complete_median)
          }),
          inWork: new RepairStatistics.DurationSummary({
            count: s.in_work_count,
            averageHours: hours(s.in_work_average),
            medianHours: hours(s.in_work_median)
          }),
          byDeviceType: keyed(deviceTypes),
          byCategory: keyed(categories),
          uncategorized: s.uncategorized,
          technicians: [...technicians]
            .sort((a, b) => byJsOrder(a.technician_id, b.technician_id))
            .map(
              (t) =>
                new RepairStatistics.TechnicianStatistics({
                  technicianId: t.technician_id,
                  open: t.open,
                  completed: t.completed,
                  averageHoursToComplete: hours(t.to_complete),
                  averageHoursInWork: hours(t.in_work),
                  ratings: t.ratings,
                  averageRating: t.average_rating
                })
            ),
          overdue: s.overdue,
          ratings: s.ratings,
          averageRating: s.average_rating
        })
      })

    const tasks = (range: StatisticsRepo.StatisticsRange, now: DateTime.Utc) =>
      Effect.gen(function* () {
        const from = DateTime.toEpochMillis(range.from)
        const to = DateTime.toEpochMillis(range.to)
        // Each task counts once per flag it has: three index ranges, added up, rather than one
        // OR over three columns, which SQLite answers by fetching every row at random.
        const counted = (column: string) => sql`
          SELECT ${sql.literal(column)} AS ${key}, 1 AS c, 0 AS d, 0 AS o FROM tasks
            WHERE created_at >= ${from} AND created_at < ${to}
          UNION ALL SELECT ${sql.literal(column)}, 0, 1, 0 FROM tasks
            WHERE status = 'done' AND completed_at >= ${from} AND completed_at < ${to}
          UNION ALL SELECT ${sql.literal(column)}, 0, 0, 1 FROM tasks
            WHERE status IN ('todo', 'in_progress') AND due_at >= ${from} AND due_at < ${to}
              AND due_at < ${DateTime.toEpochMillis(now)}`
        const sums = sql.literal("SUM(f.c) AS created, SUM(f.d) AS completed, SUM(f.o) AS overdue")
        const byProject = yield* rows(
          TaskCountsRow,
          sql`SELECT f.${key} AS ${key}, ${sums} FROM (${counted("project_id")}) f GROUP BY f.${key}`
        )
        const byAssignee = yield* rows(
          TaskCountsRow,
          sql`SELECT a.user_id AS ${key}, ${sums} FROM (${counted("id")}) f
            JOIN task_assignees a ON a.task_id = f.${key} GROUP BY a.user_id`
        )
        const [offered] = yield* rows(
          Schema.Struct({ count: SqlCount }),
          sql`SELECT COUNT(*) AS count FROM assignments WHERE created_at >= ${from} AND created_at < ${to}`
        )
        const answers = yield* rows(
          AnswersRow,
          sql`SELECT assignee_id,
              SUM(CASE WHEN status = 'rejected' THEN 0 ELSE 1 END) AS accepted,
              SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS rejected
            FROM assignments WHERE responded_at >= ${from} AND responded_at < ${to} GROUP BY assignee_id`
        )
        const rejections = yield* rows(
          RejectionRow,
          sql`SELECT id, task_id, assignee_id, rejection_reason, responded_at FROM assignments
            WHERE status = 'rejected' AND responded_at >= ${from} AND responded_at < ${to}
            ORDER BY responded_at, id`
        )

        const counts = (r: { created: number; completed: number; overdue: number }) =>
          new TaskStatistics.TaskCounts({ created: r.created, completed: r.completed, overdue: r.overdue })
        const sum = (xs: ReadonlyArray<typeof TaskCountsRow.Type>) =>
          xs.reduce(
            (acc, r) => ({
              created: acc.created + r.created,
              completed: acc.completed + r.completed,
              overdue: acc.overdue + r.overdue
            }),
            { created: 0, completed: 0, overdue: 0 }
          )
        const people = new Map<
          string,
          { created: number; completed: number; overdue: number; accepted: number; rejected: number }
        >()
        for (const r of byAssignee) {
          if (r.key !== null) people.set(r.key, { ...r, accepted: 0, rejected: 0 })
        }
        for (const r of answers) {
          const person = people.get(r.assignee_id) ?? { created: 0, completed: 0, overdue: 0, accepted: 0, rejected: 0 }
          people.set(r.assignee_id, { ...person, accepted: r.accepted, rejected: r.rejected })
        }
        return new TaskStatistics.TaskStatistics({
          from: range.from,
          to: range.to,
          totals: counts(sum(byProject)),
          withoutProject: counts(sum(byProject.filter((r) => r.key === null))),
          byProject: byProject
            .flatMap((r) => (r.key === null ? [] : [{ ...r, key: r.key }]))
            .sort((a, b) => byJsOrder(a.key, b.key))
            .map((r) => new TaskStatistics.ProjectStatistics({ projectId: Ids.ProjectId.make(r.key), ...counts(r) })),
          byAssignee: [...people]
            .sort(([a], [b]) => byJsOrder(a, b))
            .map(([id, p]) => new TaskStatistics.AssigneeStatistics({ assigneeId: Ids.UserId.make(id), ...p })),
          assignments: new TaskStatistics.AssignmentCounts({
            offered: offered!.count,
            accepted: answers.reduce((n, r) => n + r.accepted, 0),
            rejected: answers.reduce((n, r) => n + r.rejected, 0)
          }),
          rejections: rejections.map(
            (r) =>
              new TaskStatistics.Rejection({
                assignmentId: r.id,
                taskId: r.task_id,
                assigneeId: r.assignee_id,
                reason: r.rejection_reason ?? "",
                at: r.responded_at
              })
          )
        })
      })

    return {
      repairs: (range, now) => orDie(dialect.consistentRead(repairs(range, now))),
      tasks: (range, now) => orDie(dialect.consistentRead(tasks(range, now)))
    }
  })
)
