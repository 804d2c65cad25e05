import { Chunk, Effect, Either, Fiber, MutableRef, SortedSet, Supervisor, TestAnnotation, TestServices } from "effect"

/**
 * Registers every fiber the effect starts (background ones in layers included) with the
 * `TestClock`, so `TestClock.adjust` waits for them to settle before it moves time on, as ZIO's
 * does. Without it, a fiber woken by `adjust` may still be busy when the test looks.
 * Wrap the whole test, layer included: `body.pipe(Effect.provide(layer), supervised)`.
 */
export const supervised = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function* () {
    const fibers = MutableRef.make(SortedSet.empty<Fiber.RuntimeFiber<unknown, unknown>>(Fiber.Order))
    yield* TestServices.annotate(TestAnnotation.fibers, Either.right(Chunk.of(fibers)))
    return yield* Effect.supervised(effect, yield* Supervisor.fibersIn(fibers))
  })
