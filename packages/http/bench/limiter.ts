/**
 * Our fixed-window `RateLimiter` against `@effect/experimental`'s (memory store), per call, allowed
 * and refused: the figures behind "Why not `@effect/experimental`'s `RateLimiter`" in
 * docs/architecture.md. `pnpm --filter @taskdesk/http bench:limiter`.
 */
import { RateLimiter as Experimental } from "@effect/experimental"
import { Effect, Layer, ManagedRuntime } from "effect"
import { RateLimiter } from "../src/RateLimiter.js"

const runtime = ManagedRuntime.make(
  Layer.mergeAll(RateLimiter.Default, Experimental.layer.pipe(Layer.provide(Experimental.layerStoreMemory)))
)
const ours = runtime.runSync(RateLimiter)
const theirs = runtime.runSync(Experimental.RateLimiter)
const calls = 100_000
const keys = Array.from({ length: 1_000 }, (_, i) => `user:${i}`)

const time = (name: string, call: (i: number) => Effect.Effect<unknown, unknown>) => {
  const rounds: Array<number> = []
  for (let r = 0; r < 5; r++) {
    const start = performance.now()
    for (let i = 0; i < calls; i++) runtime.runSync(Effect.either(call(i)))
    rounds.push(((performance.now() - start) * 1_000) / calls)
  }
  rounds.sort((a, b) => a - b)
  console.log(`${name.padEnd(44)} least ${rounds[0]!.toFixed(2)} µs, median ${rounds[2]!.toFixed(2)} µs a call`)
}

time("an empty runSync", () => Effect.void)
time("ours, allowed", (i) => ours.consume(keys[i % 1_000]!, 1e9))
time("experimental fixed-window, allowed", (i) =>
  theirs.consume({ key: keys[i % 1_000]!, limit: 1e9, window: "1 minute" })
)
time("experimental token-bucket, allowed", (i) =>
  theirs.consume({ key: keys[i % 1_000]!, limit: 1e9, window: "1 minute", algorithm: "token-bucket" })
)
time("ours, refused", (i) => ours.consume(`refused:${keys[i % 1_000]!}`, 1))
time("experimental fixed-window, refused", (i) =>
  theirs.consume({ key: `refused:${keys[i % 1_000]!}`, limit: 1, window: "1 minute" })
)
await runtime.dispose()
