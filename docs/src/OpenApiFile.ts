import { OpenApi } from "@effect/platform"
import { Api } from "@taskdesk/http"

/** Where the exported description lives, relative to the repository root. */
export const path = "docs/reference/openapi.json"

/** The OpenAPI document the server serves at `/openapi.json`, as the file in the repository holds it. */
export const render = (): string => `${JSON.stringify(OpenApi.fromApi(Api.TaskdeskApi), null, 2)}\n`
