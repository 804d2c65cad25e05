import type { HttpApi, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Context } from "effect"

/**
 * Marks an endpoint whose successful answer carries a secret that is shown once (a session's
 * tokens, an API token, a link code): `.annotate(ReturnsSecret, true)` in the API definition. Such
 * an answer is never written to the idempotency store; a retry with the same `Idempotency-Key`
 * is refused instead of replayed (see `Middleware`).
 */
export class ReturnsSecret extends Context.Tag("@taskdesk/http/ReturnsSecret")<ReturnsSecret, boolean>() {}

/** Whether a request (method and path, without the query) is for a route of `api` marked `ReturnsSecret`. */
export const secretRoutes = (api: HttpApi.HttpApi.Any): ((method: string, path: string) => boolean) => {
  const marked: Array<{ readonly method: string; readonly segments: ReadonlyArray<string | undefined> }> = []
  const groups = (api as unknown as HttpApi.HttpApi.AnyWithProps).groups as Record<
    string,
    HttpApiGroup.HttpApiGroup.AnyWithProps
  >
  for (const group of Object.values(groups)) {
    for (const endpoint of Object.values(group.endpoints) as Array<HttpApiEndpoint.HttpApiEndpoint.AnyWithProps>) {
      if (!Context.getOrElse(endpoint.annotations, ReturnsSecret, () => false)) continue
      // A parameter segment (`:id`) matches any one segment.
      const segments = endpoint.path.split("/").map((part) => (part.startsWith(":") ? undefined : part))
      marked.push({ method: endpoint.method, segments })
    }
  }
  return (method, path) => {
    const parts = path.split("/")
    return marked.some(
      (route) =>
        route.method === method &&
        route.segments.length === parts.length &&
        route.segments.every((segment, i) => (segment === undefined ? parts[i] !== "" : segment === parts[i]))
    )
  }
}
