import { type Notification, Notifications, UserRepo } from "@taskdesk/core"
import { Effect, Layer, Option, Ref, type Scope } from "effect"
import { type PersonalChannel, permanent } from "./Channel.js"

export interface RouterOptions {
  /** The channels, in order of preference. */
  readonly channels: ReadonlyArray<PersonalChannel>
  /**
   * `all` (default): every channel that reaches the person (seed 002 wants DingTalk *and* the rest);
   * `first`: the first that reaches them, falling back to the next when one fails for good.
   */
  readonly mode?: "all" | "first" | undefined
}

/** What happened so far to one notification on each channel, across attempts. */
type Outcome = "sent" | "failed"

/**
 * A `NotificationChannel` over several personal channels: looks the recipient up and hands the
 * notification to the channels that reach them, by their addresses (a Telegram link, a DingTalk id,
 * an email address). A channel that already took a notification is not asked again when another
 * channel's failure makes the outbox retry it (within this process). It is delivered when every
 * channel has answered and at least one took it; it fails for good when none can.
 */
export const make = (
  options: RouterOptions
): Effect.Effect<Notifications.NotificationChannel["Type"], never, UserRepo.UserRepo> =>
  Effect.gen(function* () {
    const users = yield* UserRepo.UserRepo
    const outcomes = yield* Ref.make(new Map<string, ReadonlyMap<string, Outcome>>())
    const mode = options.mode ?? "all"
    const name = "router"

    const remember = (id: string, channel: string, outcome: Outcome) =>
      Ref.update(outcomes, (all) => new Map(all).set(id, new Map(all.get(id) ?? []).set(channel, outcome)))
    const forget = (id: string) =>
      Ref.update(outcomes, (all) => {
        const next = new Map(all)
        next.delete(id)
        return next
      })

    const deliver = (notification: Notification.Notification) =>
      Effect.gen(function* () {
        const found = yield* users.findById(notification.recipientId)
        if (Option.isNone(found)) return yield* permanent(name, `no user ${notification.recipientId}`)
        const user = found.value
        if (!user.active) return yield* permanent(name, `${user.id} is deactivated`)
        const targets = options.channels.filter((c) => c.reaches(user))
        if (targets.length === 0) {
          return yield* permanent(name, `no channel reaches ${user.id} (no Telegram link, DingTalk id or email)`)
        }
        const before = (yield* Ref.get(outcomes)).get(notification.id) ?? new Map<string, Outcome>()
        const errors: Array<Notifications.DeliveryFailed> = []
        for (const channel of targets) {
          const known = before.get(channel.name)
          if (known === "failed") continue
          if (known === "sent") {
            if (mode === "first") break
            continue
          }
          const result = yield* Effect.either(channel.deliver(notification, user))
          if (result._tag === "Right") {
            yield* Effect.logDebug(`notification delivered by ${channel.name}`)
            yield* remember(notification.id, channel.name, "sent")
            if (mode === "first") break
            continue
          }
          errors.push(result.left)
          yield* Effect.logWarning(`${channel.name} could not deliver: ${result.left.message}`)
          if (result.left.permanent) {
            yield* remember(notification.id, channel.name, "failed")
            continue
          }
          // A transient failure in `first` mode: try this channel again later rather than the next.
          if (mode === "first") break
        }
        const reasons = errors.map((e) => `${e.channel}: ${e.message}`).join("; ")
        const retrying = errors.filter((e) => !e.permanent)
        if (retrying.length > 0) {
          const waits = retrying.flatMap((e) => (e.retryAfterSeconds === undefined ? [] : [e.retryAfterSeconds]))
          return yield* new Notifications.DeliveryFailed({
            channel: name,
            message: reasons,
            permanent: false,
            ...(waits.length > 0 ? { retryAfterSeconds: Math.max(...waits) } : {})
          })
        }
        const sent = [...((yield* Ref.get(outcomes)).get(notification.id)?.values() ?? [])].includes("sent")
        yield* forget(notification.id)
        if (!sent) return yield* new Notifications.DeliveryFailed({ channel: name, message: reasons, permanent: true })
      }).pipe(Effect.annotateLogs({ notificationId: notification.id, recipientId: notification.recipientId }))

    return { name, deliver }
  })

/** The router as the core's `NotificationChannel`, for `Notifications`. */
export const layer = <E, R>(
  channels: Effect.Effect<RouterOptions, E, R>
): Layer.Layer<Notifications.NotificationChannel, E, Exclude<R, Scope.Scope> | UserRepo.UserRepo> =>
  Layer.scoped(Notifications.NotificationChannel, Effect.flatMap(channels, make))
