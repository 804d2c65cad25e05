import { Effect, Layer } from "effect"
import type { ProjectId } from "../Ids.js"
import type { Project } from "../Project.js"
import { ProjectRepo } from "../ProjectRepo.js"
import { checkVersion, insertNew, MemoryStore } from "./MemoryStore.js"

export const layer: Layer.Layer<ProjectRepo, never, MemoryStore> = Layer.effect(
  ProjectRepo,
  Effect.gen(function* () {
    const store = yield* MemoryStore
    const projects = store.table<ProjectId, Project>("projects")
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
