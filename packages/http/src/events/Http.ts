import { AuditEvent, AuditLog } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** The audit log. */
export const EventsLive = Dispatcher.group(TaskdeskApi, "events", (handlers) =>
  Effect.gen(function* () {
    const audit = yield* AuditLog.AuditLog
    return handlers.handle("list", ({ urlParams }) =>
      audit.read({
        after: urlParams.after,
        about:
          urlParams.subject === undefined
            ? undefined
            : new AuditEvent.Subject({ kind: urlParams.subject[0], id: urlParams.subject[2] }),
        limit: urlParams.limit
      })
    )
  })
)
