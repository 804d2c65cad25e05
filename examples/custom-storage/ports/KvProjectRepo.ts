import { Project, ProjectRepo } from "@taskdesk/core"
import { Effect, Layer } from "effect"
import { checkVersion, insertNew, KvStore } from "../KvStore.js"

/** `ProjectRepo` over the key-value store. */
export const layer: Layer.Layer<ProjectRepo.ProjectRepo, never, KvStore> = Layer.effect(
  ProjectRepo.ProjectRepo,
  Effect.gen(function* () {
    const store = yield* KvStore
    const projects = store.table("projects", Project.Project)
    return {
      findById: projects.get,
      insert: (project) => store.transaction(insertNew(projects, "Project", project.id, project)),
      update: (project, expectedVersion) =>
        store.transaction(
          Effect.zipRight(
            checkVersion(projects, "Project", project.id, expectedVersion),
            projects.put(project.id, project)
          )
        ),
      list: (query) =>
        Effect.map(projects.values, (all) =>
          all
            .filter(
              (p) =>
                (query.involving === undefined ||
                  p.ownerId === query.involving ||
                  p.memberIds.includes(query.involving)) &&
                (query.ownerId === undefined || p.ownerId === query.ownerId) &&
                (query.archived === undefined || p.archived === query.archived)
            )
            .sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1))
        )
    }
  })
)
