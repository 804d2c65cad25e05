import { Migrator } from "@effect/sql"
import core from "./0001_core.js"
import templates from "./0002_templates.js"
import assignments from "./0003_assignments.js"
import comments from "./0004_comments.js"
import documents from "./0005_documents.js"
import repairRequests from "./0006_repair_requests.js"
import jobs from "./0007_jobs.js"
import outbox from "./0008_outbox.js"
import telegramLinks from "./0009_telegram_links.js"
import jobRunHeartbeats from "./0010_job_run_heartbeats.js"
import externalRefs from "./0011_external_refs.js"

/** Every migration, in order: numbered, forward-only; one record serves SQLite and PostgreSQL. */
export const migrations = {
  "0001_core": core,
  "0002_templates": templates,
  "0003_assignments": assignments,
  "0004_comments": comments,
  "0005_documents": documents,
  "0006_repair_requests": repairRequests,
  "0007_jobs": jobs,
  "0008_outbox": outbox,
  "0009_telegram_links": telegramLinks,
  "0010_job_run_heartbeats": jobRunHeartbeats,
  "0011_external_refs": externalRefs
}

export const loader = Migrator.fromRecord(migrations)
