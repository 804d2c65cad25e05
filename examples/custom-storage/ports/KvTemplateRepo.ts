import { Template, TemplateRepo } from "@taskdesk/core"
import { Effect, Layer } from "effect"
import { checkVersion, getMany, insertNew, KvStore } from "../KvStore.js"

/** `TemplateRepo` over the key-value store. */
export const layer: Layer.Layer<TemplateRepo.TemplateRepo, never, KvStore> = Layer.effect(
  TemplateRepo.TemplateRepo,
  Effect.gen(function* () {
    const store = yield* KvStore
    const templates = store.table("templates", Template.TaskTemplate)
    return {
      findById: templates.get,
      findByIds: (ids) => getMany(templates, ids),
      insert: (template) => store.transaction(insertNew(templates, "TaskTemplate", template.id, template)),
      update: (template, expectedVersion) =>
        store.transaction(
          Effect.zipRight(
            checkVersion(templates, "TaskTemplate", template.id, expectedVersion),
            templates.put(template.id, template)
          )
        ),
      delete: (id, expectedVersion) =>
        store.transaction(
          Effect.zipRight(checkVersion(templates, "TaskTemplate", id, expectedVersion), templates.remove(id))
        ),
      list: (query) =>
        Effect.map(templates.values, (all) => {
          const needle = query.text?.toLowerCase()
          return all
            .filter(
              (t) =>
                needle === undefined ||
                t.title.toLowerCase().includes(needle) ||
                t.description.toLowerCase().includes(needle)
            )
            .sort((a, b) => (a.title === b.title ? (a.id < b.id ? -1 : 1) : a.title < b.title ? -1 : 1))
        })
    }
  })
)
