import { Schema } from "effect"
import { DocumentId, ProjectId, TaskId, UserId } from "./Ids.js"
import { Instant } from "./Instant.js"
import { Priority, Task, Title as TaskTitle } from "./Task.js"
import { multiLine, singleLine } from "./Text.js"

/**
 * What a document is in the register: a letter that came in, a manager's written resolution on
 * it, or an assignee's report executing that resolution.
 */
export const DocumentKind = Schema.Literal("incoming", "resolution", "report")
export type DocumentKind = typeof DocumentKind.Type

/** A registration number as the register writes it; unique within a project. */
export const RegistrationNumber = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(64)))

/** A document's title: one line, 1–500 characters. */
export const DocumentTitle = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(500)))
/** A document's text: up to 100,000 characters, several lines allowed. */
export const DocumentBody = multiLine(Schema.String.pipe(Schema.maxLength(100_000)))

/**
 * A registered document of a project. A resolution's parent is the incoming document it is written
 * on and its task is the work it orders; a report's parent is the resolution and its task the one
 * it executes.
 */
export class Document extends Schema.Class<Document>("Document")({
  id: DocumentId,
  projectId: ProjectId,
  kind: DocumentKind,
  registrationNumber: RegistrationNumber,
  title: DocumentTitle,
  /** The date the document bears, which for a letter may precede its registration. */
  date: Instant,
  body: DocumentBody,
  authorId: UserId,
  parentId: Schema.optionalWith(DocumentId, { as: "Option" }),
  taskId: Schema.optionalWith(TaskId, { as: "Option" }),
  createdAt: Schema.DateTimeUtc,
  version: Schema.Int
}) {}

/** The prefix of generated registration numbers, per kind (ASCII so every store and terminal agrees). */
export const registrationPrefix: Readonly<Record<DocumentKind, string>> = {
  incoming: "IN",
  resolution: "RES",
  report: "REP"
}

/** The generated registration number `n` of a kind: `IN-0001`, `RES-0012`, `REP-10000`. */
export const formatRegistrationNumber = (kind: DocumentKind, n: number): string =>
  `${registrationPrefix[kind]}-${String(n).padStart(4, "0")}`

/** What a caller supplies to register an incoming document. */
export class FileIncoming extends Schema.Class<FileIncoming>("FileIncoming")({
  projectId: ProjectId,
  title: DocumentTitle,
  body: Schema.optional(DocumentBody),
  date: Schema.optional(Instant),
  /** Generated (`IN-0001`, …) when absent. */
  registrationNumber: Schema.optional(RegistrationNumber)
}) {}

/** What a manager supplies to issue a resolution on an incoming document. */
export class IssueResolution extends Schema.Class<IssueResolution>("IssueResolution")({
  /** Also the title of the task it creates, hence a task title's limits. */
  title: TaskTitle,
  body: DocumentBody,
  assigneeIds: Schema.Array(UserId).pipe(Schema.minItems(1), Schema.maxItems(100)),
  dueAt: Instant,
  priority: Schema.optional(Priority),
  /** Generated (`RES-0001`, …) when absent. */
  registrationNumber: Schema.optional(RegistrationNumber)
}) {}

/** What an assignee supplies to report on a resolution's task. */
export class FileReport extends Schema.Class<FileReport>("FileReport")({
  title: DocumentTitle,
  body: DocumentBody,
  /** Generated (`REP-0001`, …) when absent. */
  registrationNumber: Schema.optional(RegistrationNumber)
}) {}

/** A resolution, the task it ordered, and the reports filed on it so far (oldest first). */
export class ResolutionProgress extends Schema.Class<ResolutionProgress>("ResolutionProgress")({
  resolution: Document,
  task: Task,
  reports: Schema.Array(Document)
}) {}

/**
 * A project's resolutions by state at a moment: `open` (in time), `overdue` (open past the
 * deadline), `done` and `cancelled`. Each resolution is in exactly one.
 */
export class ResolutionOverview extends Schema.Class<ResolutionOverview>("ResolutionOverview")({
  open: Schema.Array(ResolutionProgress),
  overdue: Schema.Array(ResolutionProgress),
  done: Schema.Array(ResolutionProgress),
  cancelled: Schema.Array(ResolutionProgress)
}) {}

/** The outcome of filing a report: the report and its task as it now stands. */
export class FiledReport extends Schema.Class<FiledReport>("FiledReport")({
  report: Document,
  task: Task
}) {}
