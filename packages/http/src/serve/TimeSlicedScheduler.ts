import { Layer, Scheduler } from "effect"

/**
 * An Effect scheduler that lets Node's event loop turn at least every `sliceMillis` of fiber work.
 *
 * Effect's default scheduler resumes yielding fibers on microtasks, and falls back to a timer only
 * after 2,048 rounds in a row, so fibers busy with synchronous work (SQLite reads, an import's
 * checks) kept the loop from other requests, timers and sockets for seconds. Here, once a slice has
 * run, the next round waits for `setImmediate`, after the I/O that is ready.
 *
 * A slice starts when the loop has turned: a `setImmediate` posted as it starts tells. A fiber that
 * suspends and resumes without the loop turning (a stream's `drain` on `nextTick`, a promise)
 * continues the slice rather than starting a fresh one.
 */
export class TimeSlicedScheduler implements Scheduler.Scheduler {
  private readonly tasks = new Scheduler.PriorityBuckets()
  private running = false
  private sliceStarted = 0
  private turned = true

  /**
   * @param onTaskError what to do with an error a task throws, once the other tasks of its round
   * have run; by default it is thrown again, uncaught, as under Effect's own scheduler.
   */
  constructor(
    readonly sliceMillis: number,
    private readonly onTaskError: (error: unknown) => void = (error) =>
      queueMicrotask(() => {
        throw error
      })
  ) {}

  /** When a fiber yields is Effect's own rule (every `currentMaxOpsBeforeYield` operations); only where it resumes differs. */
  shouldYield(fiber: Parameters<Scheduler.Scheduler["shouldYield"]>[0]): number | false {
    return Scheduler.defaultScheduler.shouldYield(fiber)
  }

  scheduleTask(task: Scheduler.Task, priority: number): void {
    this.tasks.scheduleTask(task, priority)
    if (this.running) return
    this.running = true
    if (this.turned) this.startSlice()
    queueMicrotask(this.drain)
  }

  private readonly markTurned = () => {
    this.turned = true
  }

  private startSlice() {
    this.sliceStarted = performance.now()
    this.turned = false
    setImmediate(this.markTurned)
  }

  private readonly afterTurn = () => {
    this.startSlice()
    this.drain()
  }

  private readonly drain = () => {
    const buckets = this.tasks.buckets
    this.tasks.buckets = []
    for (const [, toRun] of buckets) {
      for (let i = 0; i < toRun.length; i++) {
        try {
          toRun[i]!()
        } catch (error) {
          // A task that throws must not strand the ones after it: their fibers would wait forever.
          this.onTaskError(error)
        }
      }
    }
    if (this.tasks.buckets.length === 0) {
      this.running = false
    } else if (performance.now() - this.sliceStarted >= this.sliceMillis) {
      setImmediate(this.afterTurn)
    } else {
      queueMicrotask(this.drain)
    }
  }
}

/** The reference server's slice: short against a request's budget, long against a turn's cost. */
export const defaultSliceMillis = 10

/** Runs the layer's fibers (a server's requests and background work) on a `TimeSlicedScheduler`. */
export const layer = (sliceMillis: number = defaultSliceMillis): Layer.Layer<never> =>
  Layer.setScheduler(new TimeSlicedScheduler(sliceMillis))
