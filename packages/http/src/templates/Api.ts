import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
import { Ids, Template } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { exact, IfMatch, strict } from "../Schemas.js"

export const TemplatePath = Schema.Struct({ id: Ids.TemplateId })

export const TemplateQuery = strict(
  Schema.Struct({ text: exact(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))) })
)

export const CreateTemplate = strict(Schema.Struct(Template.CreateTemplate.fields))
export const UpdateTemplate = strict(Schema.Struct(Template.UpdateTemplate.fields))

/** The task library. */
export class TemplatesApi extends HttpApiGroup.make("templates")
  .add(
    HttpApiEndpoint.get("list", "/templates")
      .setUrlParams(TemplateQuery)
      .addSuccess(Schema.Array(Template.TaskTemplate))
  )
  .add(
    HttpApiEndpoint.post("create", "/templates")
      .setPayload(CreateTemplate)
      .addSuccess(Template.TaskTemplate, { status: 201 })
  )
  .add(HttpApiEndpoint.get("get", "/templates/:id").setPath(TemplatePath).addSuccess(Template.TaskTemplate))
  .add(
    HttpApiEndpoint.patch("update", "/templates/:id")
      .setPath(TemplatePath)
      .setHeaders(IfMatch)
      .setPayload(UpdateTemplate)
      .addSuccess(Template.TaskTemplate)
  )
  .add(
    HttpApiEndpoint.del("delete", "/templates/:id")
      .setPath(TemplatePath)
      .setHeaders(IfMatch)
      .addSuccess(HttpApiSchema.NoContent)
  )
  .middleware(Authentication)
  .prefix("/api") {}
