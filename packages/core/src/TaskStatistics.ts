import { Schema } from "effect"
import { AssignmentId, ProjectId, TaskId, UserId } from "./Ids.js"

const Count = Schema.Int.pipe(Schema.nonNegative())

/** Created, completed and overdue tasks of a range; `StatisticsRepo.tasks` defines each. */
export class TaskCounts extends Schema.Class<TaskCounts>("TaskCounts")({
  created: Count,
  completed: Count,
  overdue: Count
}) {}

/** One person's share: tasks they are assigned to, and how they answered assignments. */
export class AssigneeStatistics extends Schema.Class<AssigneeStatistics>("AssigneeStatistics")({
  assigneeId: UserId,
  created: Count,
  completed: Count,
  overdue: Count,
  accepted: Count,
  rejected: Count
}) {}

/** One project's share. */
export class ProjectStatistics extends Schema.Class<ProjectStatistics>("ProjectStatistics")({
  projectId: ProjectId,
  created: Count,
  completed: Count,
  overdue: Count
}) {}

/** A rejected assignment with the reason its assignee gave. */
export class Rejection extends Schema.Class<Rejection>("Rejection")({
  assignmentId: AssignmentId,
  taskId: TaskId,
  assigneeId: UserId,
  reason: Schema.String,
  at: Schema.DateTimeUtc
}) {}

/** How hand-outs were answered in the range. */
export class AssignmentCounts extends Schema.Class<AssignmentCounts>("AssignmentCounts")({
  offered: Count,
  accepted: Count,
  rejected: Count
}) {}

/** The task statistics of a time range. */
export class TaskStatistics extends Schema.Class<TaskStatistics>("TaskStatistics")({
  from: Schema.DateTimeUtc,
  to: Schema.DateTimeUtc,
  totals: TaskCounts,
  /** Tasks without a project (not in `byProject`). */
  withoutProject: TaskCounts,
  byProject: Schema.Array(ProjectStatistics),
  byAssignee: Schema.Array(AssigneeStatistics),
  assignments: AssignmentCounts,
  rejections: Schema.Array(Rejection)
}) {}
