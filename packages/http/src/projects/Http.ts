import { Documents, Projects, Resolutions } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Etag from "../Etag.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** Projects, their registers, resolutions and reports. */
export const ProjectsLive = Dispatcher.group(TaskdeskApi, "projects", (handlers) =>
  Effect.gen(function* () {
    const projects = yield* Projects.Projects
    const documents = yield* Documents.Documents
    const resolutions = yield* Resolutions.Resolutions
    return handlers
      .handle("list", ({ urlParams }) => projects.list(urlParams))
      .handle("create", ({ payload }) => projects.create(payload))
      .handle("get", ({ path }) => Etag.tagged(projects.get(path.id)))
      .handle("update", ({ path, headers, payload }) =>
        Etag.guarded(headers["if-match"], { entity: "Project", id: path.id }, (expected) =>
          projects.update(path.id, payload, expected)
        )
      )
      .handle("listDocuments", ({ path, urlParams }) => documents.list(path.id, urlParams))
      .handle("fileDocument", ({ path, payload }) => documents.file({ ...payload, projectId: path.id }))
      .handle("resolutions", ({ path, urlParams }) => resolutions.overview(path.id, urlParams.at))
      .handle("getDocument", ({ path }) => Etag.tagged(documents.get(path.id)))
      .handle("issueResolution", ({ path, payload }) => resolutions.issue(path.id, payload))
      .handle("fileReport", ({ path, payload }) => resolutions.fileReport(path.id, payload))
  })
)
