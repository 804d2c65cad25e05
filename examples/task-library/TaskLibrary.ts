/**
 * Seed 002's task assignment system on taskdesk's core: a manager keeps a task library (templates),
 * hands several templates to several people in one submit with a due date, and each person accepts
 * or rejects with a reason. Every offer, and every rejection, reaches its person as a DingTalk work
 * notice: here a fake DingTalk on 127.0.0.1 that records what it was sent.
 */
import { FetchHttpClient } from "@effect/platform"
import * as Notify from "@taskdesk/adapters/notify"
import { FakeDingTalk } from "@taskdesk/adapters/testing"
import {
  Actor,
  Assignments,
  MemoryStorage,
  NotificationRules,
  Notifications,
  TaskDesk,
  Tasks,
  Templates,
  Users
} from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, Redacted } from "effect"

/**
 * taskdesk in memory whose changes write notices to the outbox (`NotificationRules.withRules`), and
 * the outbox's delivery through DingTalk work notices. With a real DingTalk app, only the URL and the
 * app's key, secret and robot code change.
 */
export const layer = (dingtalk: FakeDingTalk.FakeDingTalk) => {
  const storage = NotificationRules.withRules(MemoryStorage.layer).pipe(Layer.provideMerge(TaskDesk.layerDefaults))
  const channel = Notify.Channels.layer({
    dingtalk: {
      apiBaseUrl: dingtalk.url,
      appKey: dingtalk.appKey,
      appSecret: Redacted.make(dingtalk.appSecret),
      robotCode: dingtalk.robotCode
    }
  })
  return Notifications.Notifications.Default.pipe(
    Layer.provide(channel),
    Layer.provide(FetchHttpClient.layer),
    Layer.provideMerge(TaskDesk.layer),
    Layer.provideMerge(storage)
  )
}

/** One round: the library, one batch, the answers, the notices; returns the manager's record. */
export const round = Effect.gen(function* () {
  const users = yield* Users.Users
  const templates = yield* Templates.Templates
  const assignments = yield* Assignments.Assignments
  const tasks = yield* Tasks.Tasks
  const notifications = yield* Notifications.Notifications

  // People sign in with their DingTalk id in seed 002; here it is how notices find them.
  const person = (name: string, username: string, role: "manager" | "worker") =>
    users.create({ name, username, role, dingtalkId: `ding-${username}`, language: "zh" }).pipe(Actor.asSystem)
  const wang = yield* person("王经理", "wang", "manager")
  const li = yield* person("李雷", "lilei", "worker")
  const han = yield* person("韩梅梅", "hanmeimei", "worker")

  // 任务库: reusable task descriptions; each hand-out makes a fresh task from one.
  const inspection = yield* templates
    .create({ title: "机房巡检", description: "检查温度、湿度和UPS状态", estimatedMinutes: 60 })
    .pipe(Actor.as(wang))
  const backups = yield* templates
    .create({ title: "备份核对", description: "核对昨晚的备份并抽查恢复", estimatedMinutes: 30 })
    .pipe(Actor.as(wang))

  // One submit: both templates for both people, due at 10:00 UTC in three days.
  const dueAt = DateTime.add(DateTime.startOf(yield* DateTime.now, "day"), { days: 3, hours: 10 })
  const items = [inspection, backups].flatMap((template) =>
    [li, han].map((person) => ({ templateId: template.id, assigneeId: person.id, dueAt }))
  )
  // A batch is checked whole before anything is written: with one bad line (a template since deleted
  // from the library) it is refused, every bad line named, and nobody is told anything.
  const retired = yield* templates.create({ title: "旧任务" }).pipe(Actor.as(wang))
  yield* templates.delete(retired.id).pipe(Actor.as(wang))
  const refused = yield* assignments
    .batch({ items: [...items, { templateId: retired.id, assigneeId: li.id, dueAt }] })
    .pipe(Actor.as(wang), Effect.flip)
  yield* assignments.batch({ items }).pipe(Actor.as(wang))

  // Each person answers from their own inbox (待处理), nearest due date first.
  for (const { assignment } of yield* assignments.inbox("pending").pipe(Actor.as(li))) {
    yield* assignments.accept(assignment.id).pipe(Actor.as(li))
  }
  for (const { assignment, task } of yield* assignments.inbox("pending").pipe(Actor.as(han))) {
    if (task.title === backups.title) {
      yield* assignments.reject(assignment.id, "本周在外地出差，无法核对备份").pipe(Actor.as(han))
    } else {
      yield* assignments.accept(assignment.id).pipe(Actor.as(han))
    }
  }

  // A server forks `notifications.dispatcher("5 seconds")`; the example delivers the outbox once, now.
  const delivery = yield* notifications.deliverPending()

  // 分配记录: every hand-out of the manager's, its state and the reason for a rejection.
  const names = new Map([li, han].map((u) => [u.id, u.name]))
  const handedOut = yield* assignments.list({ assignedBy: wang.id }).pipe(Actor.as(wang))
  const record = yield* Effect.forEach(handedOut.items, (a) =>
    Effect.map(tasks.get(a.taskId).pipe(Actor.as(wang)), (task) => ({
      task: task.title,
      person: names.get(a.assigneeId),
      status: a.status,
      reason: Option.getOrNull(a.rejectionReason)
    }))
  )
  const problems =
    refused._tag === "BatchRejected" ? refused.problems.map((p) => `line ${p.index + 1}: ${p.message}`) : []
  return { problems, delivery, record }
})

/** Runs a round against a fresh fake DingTalk; returns the record and the notices the fake received. */
export const run = () =>
  Effect.runPromise(
    Effect.gen(function* () {
      const dingtalk = yield* FakeDingTalk.make()
      const result = yield* round.pipe(Effect.provide(layer(dingtalk)))
      return { ...result, notices: dingtalk.workMessages }
    }).pipe(Effect.scoped)
  )
