import { FetchHttpClient, type HttpClient } from "@effect/platform"
import {
  IdGenerator,
  MemoryStorage,
  type Notification,
  Notifications,
  Outbox,
  Policy,
  type Storage,
  User,
  UserRepo
} from "@taskdesk/core"
import { makeNotification, makeUser } from "@taskdesk/core/testing"
import { Chunk, Context, DateTime, Effect, Layer, Option, TestClock } from "effect"
import type { PersonalChannel } from "../../src/notify/Channel.js"
import * as Router from "../../src/notify/Router.js"

export const monday = DateTime.unsafeMake("2026-03-02T09:00:00Z")

/** Storage, policy, ids and an HTTP client: what a dispatcher runs on. */
export const base: Layer.Layer<Storage.Storage | Policy.Policy | IdGenerator.IdGenerator | HttpClient.HttpClient> =
  Layer.mergeAll(
    MemoryStorage.layer,
    Policy.Policy.layerDefault,
    IdGenerator.IdGenerator.layerTest,
    FetchHttpClient.layer
  )

/** Lets real I/O (servers, sockets) make progress while the test clock stands still. */
export const tick = (ms = 5) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Waits (in real time) until `n` fibers sleep on the test clock, so `TestClock.adjust` wakes them. */
export const untilSleeping = (n = 1) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2_000; i++) {
      if (Chunk.size(yield* TestClock.sleeps()) >= n) return
      yield* tick()
    }
    return yield* Effect.dieMessage("nothing started sleeping on the test clock")
  })

/** A fresh `Notifications` service (a "process") over the storage in context, delivering through `channels`. */
export const dispatcher = (channels: ReadonlyArray<PersonalChannel>, mode?: "all" | "first") =>
  Effect.map(
    Layer.build(
      Notifications.Notifications.Default.pipe(Layer.provide(Router.layer(Effect.succeed({ channels, mode }))))
    ),
    (context) => Context.get(context, Notifications.Notifications)
  )

/** Stores a person with the given addresses. */
export const person = (
  overrides: Partial<ConstructorParameters<typeof User.User>[0]> = {},
  options: { readonly unchecked?: boolean } = {}
) =>
  Effect.gen(function* () {
    // `unchecked`: as a row written before the model's rules refused it (a name with a line break).
    const user = options.unchecked ? new User.User({ ...makeUser(), ...overrides }, true) : makeUser(overrides)
    yield* (yield* UserRepo.UserRepo).insert(user).pipe(Effect.orDie)
    return user
  })

/** Writes one pending notification to the outbox for `user`, as the rules would. */
export const notify = (
  user: User.User,
  overrides: Partial<ConstructorParameters<typeof Notification.Notification>[0]> = {}
) =>
  Effect.gen(function* () {
    const notification = makeNotification({
      recipientId: user.id,
      kind: "assignment_offered",
      subject: "New task: Fix <the> fridge & freezer",
      body: 'Anna assigned you the task "Fix <the> fridge & freezer".\nDue: none.',
      data: { assignmentId: "A-0001", taskId: "T-1", path: "/tasks/T-1", actions: ["accept", "reject"] },
      createdAt: yield* DateTime.now,
      ...overrides
    })
    yield* (yield* Outbox.Outbox).insert([notification]).pipe(Effect.orDie)
    return notification
  })

/** The notification as the outbox has it now. */
export const stored = (id: Notification.Notification["id"]) =>
  Effect.gen(function* () {
    return Option.getOrThrow(yield* (yield* Outbox.Outbox).findById(id))
  })
