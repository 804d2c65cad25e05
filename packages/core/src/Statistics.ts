import { DateTime, Effect } from "effect"
import { CurrentActor } from "./Actor.js"
import { traced } from "./Operation.js"
import { ensure, Policy } from "./Policy.js"
import { StatisticsRange, StatisticsRepo } from "./StatisticsRepo.js"
import { invalidField, validate } from "./Validation.js"

/** Reports for managers, supervisors and administrators, answered by the storage's aggregates. */
export class Statistics extends Effect.Service<Statistics>()("@taskdesk/core/Statistics", {
  effect: Effect.gen(function* () {
    const repo = yield* StatisticsRepo
    const policy = yield* Policy

    /** Checks the actor may read statistics and the range is one. */
    const checked = (range: StatisticsRange) =>
      Effect.gen(function* () {
        yield* ensure(policy, yield* CurrentActor, "statistics.read")
        const valid = yield* validate(StatisticsRange.fields)(range)
        if (DateTime.lessThan(valid.to, valid.from))
          return yield* invalidField(["to"], "the range ends before it starts")
        return new StatisticsRange(valid)
      })

    /** Repair statistics of the requests created within `[from, to)`; overdue is judged now. */
    const repairs = traced("Statistics.repairs")(function* (range: StatisticsRange) {
      return yield* repo.repairs(yield* checked(range), yield* DateTime.now)
    })

    /** Task figures of `[from, to)`: created, completed and overdue per assignee and project; answers to hand-outs. */
    const tasks = traced("Statistics.tasks")(function* (range: StatisticsRange) {
      return yield* repo.tasks(yield* checked(range), yield* DateTime.now)
    })

    return { repairs, tasks } as const
  })
}) {}
