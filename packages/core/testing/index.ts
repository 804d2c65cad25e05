import { describe } from "@effect/vitest"
import type { Layer } from "effect"
import type { Storage } from "../src/Storage.js"
// Registers Effect-aware deep equality with chai, so the suites' assertions on Option and Either can fail.
import "./equality.js"
import { assignmentRepoSuite } from "./conformance/assignments.js"
import { concurrentChangesSuite } from "./conformance/concurrency.js"
import { documentRepoSuite } from "./conformance/documents.js"
import { eventLogSuite } from "./conformance/events.js"
import { externalRefsSuite } from "./conformance/externalRefs.js"
import { jobStoreSuite, outboxSuite } from "./conformance/jobs.js"
import { repairRequestRepoSuite, statisticsRepoSuite } from "./conformance/repairs.js"
import { taskStatisticsSuite } from "./conformance/taskStatistics.js"
import { taskRepoSuite } from "./conformance/tasks.js"
import { userRepoSuite } from "./conformance/users.js"

export { makeJob, makeJobRun, makeNotification } from "./conformance/jobs.js"
export {
  assertStatistics,
  expectedRepairStatistics,
  makeRepairComment,
  makeRepairRequest
} from "./conformance/repairs.js"
export { telegramLinksConformance } from "./conformance/telegramLinks.js"
export * from "./fixtures.js"
export * from "./people.js"
export { supervised } from "./supervised.js"

/**
 * Registers the storage conformance suite for a layer that provides every storage port.
 * Every storage layer (in-memory, SQLite, PostgreSQL, an embedder's own) runs this same suite.
 * The layer is built once per group of tests; tests create their own data and never assume an empty store.
 */
export const storageConformance = <E>(name: string, layer: Layer.Layer<Storage, E>) =>
  describe(`storage conformance: ${name}`, () => {
    taskRepoSuite(layer)
    eventLogSuite(layer)
    userRepoSuite(layer)
    assignmentRepoSuite(layer)
    documentRepoSuite(layer)
    repairRequestRepoSuite(layer)
    statisticsRepoSuite(layer)
    jobStoreSuite(layer)
    outboxSuite(layer)
    taskStatisticsSuite(layer)
    concurrentChangesSuite(layer)
    externalRefsSuite(layer)
  })
