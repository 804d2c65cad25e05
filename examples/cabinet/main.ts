// Seed 004 (sova-cabinet): partners and their projects, a report job an administrator defines and re-times while
// the app runs, and the reports it sends to each partner's Telegram (here a fake Bot API on 127.0.0.1).
import { FetchHttpClient } from "@effect/platform"
import * as Notify from "@taskdesk/adapters/notify"
import { FakeTelegram } from "@taskdesk/adapters/testing"
import {
  Actor,
  Ids,
  JobHandlers,
  JobSchedule,
  Notifications,
  Projects,
  Scheduler,
  TaskDesk,
  Tasks,
  Users
} from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, Redacted, TestClock, TestContext } from "effect"
import * as PartnerReport from "./PartnerReport.js"

/** taskdesk in memory, with a scheduler that knows the report job and notifications that go to Telegram. */
const cabinetLayer = (telegram: FakeTelegram.FakeTelegram) =>
  Scheduler.Scheduler.Default.pipe(
    Layer.provideMerge(JobHandlers.JobHandlers.layer([PartnerReport.handler])),
    Layer.provideMerge(Notifications.Notifications.Default),
    Layer.provideMerge(
      Notify.Router.layer(
        Effect.map(Notify.TelegramApi.make({ token: Redacted.make(telegram.token), baseUrl: telegram.url }), (api) => ({
          channels: [Notify.TelegramChannel.make(api)]
        }))
      )
    ),
    Layer.provideMerge(TaskDesk.layerMemory),
    Layer.provideMerge(FetchHttpClient.layer)
  )

/** Moscow wall-clock time on Monday 7 December 2026 (UTC+3 all year). */
const moscow = (hours: number, minutes = 0) =>
  DateTime.unsafeMake(`2026-12-07T${String(hours - 3).padStart(2, "0")}:${String(minutes).padStart(2, "0")}:00Z`)

const reportJob = Ids.JobId.make("partner-report")

const day = Effect.gen(function* () {
  const users = yield* Users.Users
  const projects = yield* Projects.Projects
  const tasks = yield* Tasks.Tasks
  const scheduler = yield* Scheduler.Scheduler

  // 09:00: the administrator records two partners, their farms, and the day's work.
  yield* TestClock.setTime(moscow(9).epochMillis)
  const admin = yield* users.create({ name: "Админ", username: "admin", role: "admin" }).pipe(Actor.asSystem)
  const sergey = yield* users
    .create({ name: "Сергей", username: "sergey", role: "partner", telegramId: 1001, language: "ru" })
    .pipe(Actor.as(admin))
  const marina = yield* users
    .create({ name: "Марина", username: "marina", role: "partner", telegramId: 1002, language: "ru" })
    .pipe(Actor.as(admin))
  const irkutsk = yield* projects.create({ name: "Ферма Иркутск", ownerId: sergey.id }).pipe(Actor.as(admin))
  const krasnoyarsk = yield* projects.create({ name: "Ферма Красноярск", ownerId: sergey.id }).pipe(Actor.as(admin))
  const kazan = yield* projects.create({ name: "Ферма Казань", ownerId: marina.id }).pipe(Actor.as(admin))
  const work = [
    { title: "Заменить вентилятор на S19 #12", projectId: irkutsk.id, done: true },
    { title: "Продлить ключ пула", projectId: irkutsk.id, dueAt: moscow(11), done: false },
    { title: "Проверить температуру стойки B", projectId: krasnoyarsk.id, done: true },
    { title: "Обновить прошивку на 40 устройствах", projectId: kazan.id, done: false }
  ]
  for (const { done, ...input } of work) {
    const task = yield* tasks.create(input).pipe(Actor.as(admin))
    if (done) {
      yield* tasks.changeStatus(task.id, "in_progress").pipe(Actor.as(admin))
      yield* tasks.changeStatus(task.id, "done").pipe(Actor.as(admin))
    }
  }

  // The report job is data, defined while the app runs: weekdays at 18:00 Moscow time.
  yield* scheduler
    .define({
      id: reportJob,
      handler: "partner-report",
      schedule: JobSchedule.cron("0 18 * * 1-5", "Europe/Moscow"),
      parameters: { greeting: "Добрый день" }
    })
    .pipe(Actor.as(admin))

  // 12:00: a partner asks for figures now; the administrator runs the job at once.
  yield* TestClock.setTime(moscow(12).epochMillis)
  yield* scheduler.runNow(reportJob).pipe(Actor.as(admin))

  // 12:05: the reports should come earlier, with another greeting; the change holds from the next run.
  yield* TestClock.setTime(moscow(12, 5).epochMillis)
  const retimed = yield* scheduler
    .update(reportJob, { expression: "30 17 * * 1-5", parameters: { greeting: "Добрый вечер" } })
    .pipe(Actor.as(admin))

  // 17:30: the scheduler's own occurrence. `tick` handles what is due now; a server runs `start` instead.
  yield* TestClock.setTime(moscow(17, 30).epochMillis)
  yield* scheduler.tick().pipe(Actor.as(admin))

  const history = yield* scheduler.runs(reportJob).pipe(Actor.as(admin))
  const job = yield* scheduler.get(reportJob).pipe(Actor.as(admin))
  return {
    schedule: JobSchedule.describe(retimed.schedule),
    nextRunAt: Option.map(job.job.nextRunAt, DateTime.formatIso),
    runs: history.items.map((run) => ({
      trigger: run.trigger,
      scheduledAt: DateTime.formatIso(run.scheduledAt),
      status: run.status,
      summary: Option.getOrElse(run.summary, () => "")
    }))
  }
})

/** Telegram's HTML as plain text. */
const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")

/** Runs the cabinet's day on the test clock against a fake Telegram; returns the job's history and what Telegram got. */
export const run = () =>
  Effect.runPromise(
    Effect.gen(function* () {
      const telegram = yield* FakeTelegram.make()
      const result = yield* day.pipe(Effect.provide(cabinetLayer(telegram)))
      const messages = telegram
        .callsTo("sendMessage")
        .map((params) => ({ chatId: params.chat_id as number, text: plain(String(params.text)) }))
      return { ...result, messages }
    }).pipe(Effect.scoped, Effect.provide(TestContext.TestContext))
  )

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(({ schedule, nextRunAt, runs, messages }) => {
    console.log(`Job partner-report: ${schedule}, next run ${Option.getOrElse(nextRunAt, () => "none")}`)
    console.log("Run history (newest first):")
    for (const r of runs) console.log(`  ${r.scheduledAt}  ${r.trigger.padEnd(8)} ${r.status}: ${r.summary}`)
    console.log("Messages the fake Telegram received:")
    for (const m of messages) console.log(`--- to chat ${m.chatId}\n${m.text}`)
  })
}
