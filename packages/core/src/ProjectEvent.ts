import { Schema } from "effect"
import { DocumentKind } from "./Document.js"
import { DocumentId, ProjectId, TaskId, UserId } from "./Ids.js"

/** Changes to projects and their documents, as the audit log records them. */
export const ProjectCreated = Schema.TaggedStruct("project.created", { name: Schema.String, ownerId: UserId })
/** A project changed; `fields` names what. */
export const ProjectUpdated = Schema.TaggedStruct("project.updated", { fields: Schema.Array(Schema.String) })
/** A project was archived. */
export const ProjectArchived = Schema.TaggedStruct("project.archived", {})
/** An archived project was restored. */
export const ProjectRestored = Schema.TaggedStruct("project.restored", {})

/** An incoming document was registered (subject: the document; parent: its project). */
export const DocumentFiled = Schema.TaggedStruct("document.filed", {
  projectId: ProjectId,
  kind: DocumentKind,
  registrationNumber: Schema.String,
  title: Schema.String
})

/** A resolution was written on an incoming document (subject: the resolution; parent: its task). */
export const ResolutionIssued = Schema.TaggedStruct("resolution.issued", {
  projectId: ProjectId,
  incomingId: DocumentId,
  registrationNumber: Schema.String,
  taskId: TaskId,
  assigneeIds: Schema.Array(UserId),
  dueAt: Schema.DateTimeUtc
})

/**
 * An assignee reported on a resolution (subject: the report; parent: the task). `completed` says
 * whether this was the last report the task waited for.
 */
export const ReportFiled = Schema.TaggedStruct("report.filed", {
  projectId: ProjectId,
  resolutionId: DocumentId,
  registrationNumber: Schema.String,
  taskId: TaskId,
  completed: Schema.Boolean
})

/** Every event about a project and its documents. */
export const ProjectEvent = Schema.Union(
  ProjectCreated,
  ProjectUpdated,
  ProjectArchived,
  ProjectRestored,
  DocumentFiled,
  ResolutionIssued,
  ReportFiled
)
export type ProjectEvent = typeof ProjectEvent.Type
