import { Actor, Policy } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi, version } from "../Api.js"
import { Unavailable } from "../Problem.js"
import * as Dispatcher from "../serve/Dispatcher.js"
import { Health, Ready, StorageCounts } from "./Api.js"
import { HealthProbe } from "./HealthProbe.js"
import { Readiness } from "./Readiness.js"

const startedAt = Date.now()

const unreachable = new Unavailable({ reason: "the storage does not answer" })

/** Liveness and readiness: 200, or 503 `unavailable` saying why. */
export const HealthLive = Dispatcher.group(TaskdeskApi, "health", (handlers) =>
  Effect.gen(function* () {
    const probe = yield* HealthProbe
    const readiness = yield* Readiness
    return handlers
      .handle("health", () =>
        Effect.gen(function* () {
          if (!(yield* probe.ping)) return yield* unreachable
          return new Health({
            status: "ok",
            version,
            uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
            storage: { kind: probe.kind, reachable: true }
          })
        })
      )
      .handle("ready", () =>
        Effect.gen(function* () {
          if (!readiness.isReady()) {
            return yield* new Unavailable({ reason: "starting: migrations and seeding are not done yet" })
          }
          if (!(yield* probe.ping)) return yield* unreachable
          return new Ready({ status: "ready" })
        })
      )
  })
)

/** Row counts per table, for those who may read the scheduler's status (administrators, supervisors). */
export const StorageLive = Dispatcher.group(TaskdeskApi, "storage", (handlers) =>
  Effect.gen(function* () {
    const probe = yield* HealthProbe
    const policy = yield* Policy.Policy
    return handlers.handle("counts", () =>
      Effect.gen(function* () {
        yield* Policy.ensure(policy, yield* Actor.CurrentActor, "scheduler.read")
        return new StorageCounts({ kind: probe.kind, counts: yield* probe.counts })
      })
    )
  })
)
