import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"

/** Whether the server and its storage answer, and how much data it holds. */
export class Health extends Schema.Class<Health>("Health")({
  status: Schema.Literal("ok", "degraded"),
  version: Schema.String,
  uptimeSeconds: Schema.Number,
  storage: Schema.Struct({
    kind: Schema.Literal("memory", "sqlite", "postgres"),
    reachable: Schema.Boolean
  }),
  counts: Schema.Record({ key: Schema.String, value: Schema.Number })
}) {}

/** `GET /api/health`, without authentication; 503 with the same body when storage is unreachable. */
export class HealthApi extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(Health).addError(Health, { status: 503 }))
  .prefix("/api") {}
