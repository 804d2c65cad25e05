import { Effect } from "effect"
import { TaskdeskApi, version } from "../Api.js"
import * as Dispatcher from "../serve/Dispatcher.js"
import { Health } from "./Api.js"
import { HealthProbe } from "./HealthProbe.js"

const startedAt = Date.now()

/** Health: 200 when storage answers, 503 (same body) when it does not. */
export const HealthLive = Dispatcher.group(TaskdeskApi, "health", (handlers) =>
  Effect.gen(function* () {
    const probe = yield* HealthProbe
    return handlers.handle("health", () =>
      Effect.gen(function* () {
        const storage = yield* probe.check
        const health = new Health({
          status: storage.reachable ? "ok" : "degraded",
          version,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          storage: { kind: probe.kind, reachable: storage.reachable },
          counts: storage.counts
        })
        return storage.reachable ? health : yield* Effect.fail(health)
      })
    )
  })
)
