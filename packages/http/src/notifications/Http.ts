import { Actor, Notifications } from "@taskdesk/core"
import { Effect } from "effect"
import { TaskdeskApi } from "../Api.js"
import * as Dispatcher from "../serve/Dispatcher.js"

/** The outbox, read through the core (which checks who may see whose). */
export const NotificationsLive = Dispatcher.group(TaskdeskApi, "notifications", (handlers) =>
  Effect.gen(function* () {
    const notifications = yield* Notifications.Notifications
    return handlers.handle("list", ({ urlParams: { all, recipientId, ...filters } }) =>
      Effect.flatMap(Actor.CurrentActor, (actor) =>
        notifications.list({ ...filters, recipientId: all === true ? undefined : (recipientId ?? actor.id) })
      )
    )
  })
)
