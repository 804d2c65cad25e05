import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"

const StorageKind = Schema.Literal("memory", "sqlite", "postgres", "mysql")

/** Liveness: the process serves and its storage answers `SELECT 1`. Nothing else: it is called often. */
export class Health extends Schema.Class<Health>("Health")({
  status: Schema.Literal("ok"),
  version: Schema.String,
  uptimeSeconds: Schema.Number,
  storage: Schema.Struct({ kind: StorageKind, reachable: Schema.Boolean })
}) {}

/** Readiness: migrations and start-up seeding are done and storage answers: send traffic. */
export class Ready extends Schema.Class<Ready>("Ready")({
  status: Schema.Literal("ready")
}) {}

/** How much the storage holds, per table. */
export class StorageCounts extends Schema.Class<StorageCounts>("StorageCounts")({
  kind: StorageKind,
  counts: Schema.Record({ key: Schema.String, value: Schema.Number })
}) {}

/**
 * `GET /api/health` (liveness) and `GET /api/ready` (readiness), without authentication; each answers
 * 503 `urn:taskdesk:problem:unavailable` when it is not so.
 */
export class HealthApi extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(Health))
  .add(HttpApiEndpoint.get("ready", "/ready").addSuccess(Ready))
  .prefix("/api") {}

/** `GET /api/admin/storage`: row counts per table (administrators and supervisors, as the scheduler's status). */
export class StorageApi extends HttpApiGroup.make("storage")
  .add(HttpApiEndpoint.get("counts", "/admin/storage").addSuccess(StorageCounts))
  .middleware(Authentication)
  .prefix("/api") {}
