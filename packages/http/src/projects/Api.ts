import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Document, Ids, Instant, Project } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { BooleanParam, CursorParam, exact, IfMatch, LimitParam, PageOf, strict } from "../Schemas.js"

export const ProjectPath = Schema.Struct({ id: Ids.ProjectId })
export const DocumentPath = Schema.Struct({ id: Ids.DocumentId })
export const TaskPath = Schema.Struct({ id: Ids.TaskId })

export const ProjectQuery = strict(Schema.Struct({ archived: exact(BooleanParam) }))
export const CreateProject = strict(Schema.Struct(Project.CreateProject.fields))
export const UpdateProject = strict(Schema.Struct(Project.UpdateProject.fields))

export const DocumentQuery = strict(
  Schema.Struct({
    kind: exact(Document.DocumentKind),
    parentId: exact(Ids.DocumentId),
    taskId: exact(Ids.TaskId),
    limit: exact(LimitParam),
    cursor: exact(CursorParam)
  })
)

const { projectId: _, ...incomingFields } = Document.FileIncoming.fields
/** An incoming document for the project in the path. */
export const FileIncoming = strict(Schema.Struct(incomingFields))
export const IssueResolution = strict(Schema.Struct(Document.IssueResolution.fields))
export const FileReport = strict(Schema.Struct(Document.FileReport.fields))
export const OverviewQuery = strict(Schema.Struct({ at: exact(Instant.Instant) }))

/** Projects, their document registers, resolutions on documents and the reports executing them. */
export class ProjectsApi extends HttpApiGroup.make("projects")
  .add(HttpApiEndpoint.get("list", "/projects").setUrlParams(ProjectQuery).addSuccess(Schema.Array(Project.Project)))
  .add(
    HttpApiEndpoint.post("create", "/projects").setPayload(CreateProject).addSuccess(Project.Project, { status: 201 })
  )
  .add(HttpApiEndpoint.get("get", "/projects/:id").setPath(ProjectPath).addSuccess(Project.Project))
  .add(
    HttpApiEndpoint.patch("update", "/projects/:id")
      .setPath(ProjectPath)
      .setHeaders(IfMatch)
      .setPayload(UpdateProject)
      .addSuccess(Project.Project)
  )
  .add(
    HttpApiEndpoint.get("listDocuments", "/projects/:id/documents")
      .setPath(ProjectPath)
      .setUrlParams(DocumentQuery)
      .addSuccess(PageOf(Document.Document))
  )
  .add(
    HttpApiEndpoint.post("fileDocument", "/projects/:id/documents")
      .setPath(ProjectPath)
      .setPayload(FileIncoming)
      .addSuccess(Document.Document, { status: 201 })
  )
  .add(
    HttpApiEndpoint.get("resolutions", "/projects/:id/resolutions")
      .setPath(ProjectPath)
      .setUrlParams(OverviewQuery)
      .addSuccess(Document.ResolutionOverview)
  )
  .add(HttpApiEndpoint.get("getDocument", "/documents/:id").setPath(DocumentPath).addSuccess(Document.Document))
  .add(
    HttpApiEndpoint.post("issueResolution", "/documents/:id/resolutions")
      .setPath(DocumentPath)
      .setPayload(IssueResolution)
      .addSuccess(Document.ResolutionProgress, { status: 201 })
  )
  .add(
    HttpApiEndpoint.post("fileReport", "/tasks/:id/reports")
      .setPath(TaskPath)
      .setPayload(FileReport)
      .addSuccess(Document.FiledReport, { status: 201 })
  )
  .middleware(Authentication)
  .prefix("/api") {}
