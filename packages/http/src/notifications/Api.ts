import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Ids, Notification } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { BooleanParam, exact, strict } from "../Schemas.js"

export const NotificationListParams = strict(
  Schema.Struct({
    /** Someone else's notifications (administrators and supervisors); one's own when absent. */
    recipientId: exact(Ids.UserId),
    /** Everyone's notifications (administrators and supervisors). */
    all: exact(BooleanParam),
    kind: exact(Notification.NotificationKind),
    status: exact(Notification.NotificationStatus),
    limit: exact(Schema.NumberFromString.pipe(Schema.compose(Schema.Int.pipe(Schema.between(1, 500)))))
  })
)

/** The notification outbox, newest first: one's own, or anyone's for those who may read the audit log. */
export class NotificationsApi extends HttpApiGroup.make("notifications")
  .add(
    HttpApiEndpoint.get("list", "/notifications")
      .setUrlParams(NotificationListParams)
      .addSuccess(Schema.Array(Notification.Notification))
  )
  .middleware(Authentication)
  .prefix("/api") {}
