/**
 * Seed 003 (fleadert) on taskdesk's core: an office where the head writes resolutions on incoming
 * documents, each naming several executors and a deadline, and the executors answer with reports.
 * The head then reads the project's register and which resolutions are open, overdue or done. People
 * hear of it by email: here a fake SMTP server on 127.0.0.1 that keeps what it receives.
 */
import { FetchHttpClient } from "@effect/platform"
import * as Notify from "@taskdesk/adapters/notify"
import { FakeSmtp } from "@taskdesk/adapters/testing"
import {
  Actor,
  Comments,
  type Document,
  Documents,
  MemoryStorage,
  NotificationRules,
  Notifications,
  Projects,
  Resolutions,
  TaskDesk,
  type User,
  Users
} from "@taskdesk/core"
import { DateTime, Effect, Layer } from "effect"

/** Where the office's taskdesk is reached: mails link to the resolution's task there. */
export const publicBaseUrl = "https://desk.example.org"

/** taskdesk in memory whose changes write notices to the outbox, delivered as email over SMTP. */
export const layer = (smtp: FakeSmtp.FakeSmtp) => {
  const storage = NotificationRules.withRules(MemoryStorage.layer).pipe(Layer.provideMerge(TaskDesk.layerDefaults))
  const channel = Notify.Channels.layer({
    publicBaseUrl,
    email: {
      host: smtp.host,
      port: smtp.port,
      from: '"Канцелярия" <office@example.org>',
      messageIdDomain: "example.org"
    }
  })
  return Notifications.Notifications.Default.pipe(
    Layer.provide(channel),
    Layer.provide(FetchHttpClient.layer),
    Layer.provideMerge(TaskDesk.layer),
    Layer.provideMerge(storage)
  )
}

/** A week of the office; returns the register and the resolutions' state three days on. */
export const week = Effect.gen(function* () {
  const users = yield* Users.Users
  const projects = yield* Projects.Projects
  const documents = yield* Documents.Documents
  const resolutions = yield* Resolutions.Resolutions
  const comments = yield* Comments.Comments
  const notifications = yield* Notifications.Notifications

  const person = (name: string, username: string, role: "manager" | "worker") =>
    users.create({ name, username, role, email: `${username}@example.org`, language: "ru" }).pipe(Actor.asSystem)
  const head = yield* person("Начальник отдела", "boss", "manager")
  const ivanov = yield* person("Иванов И. И.", "ivanov", "worker")
  const petrova = yield* person("Петрова А. С.", "petrova", "worker")

  const project = yield* projects
    .create({ name: "Информатизация", memberIds: [ivanov.id, petrova.id] })
    .pipe(Actor.as(head))
  const letter = yield* documents
    .file({ projectId: project.id, title: "Письмо Минцифры о переходе на отечественное ПО" })
    .pipe(Actor.as(head))
  const request = yield* documents
    .file({ projectId: project.id, title: "Запрос сведений об оргтехнике" })
    .pipe(Actor.as(head))

  // A resolution names its executors and a deadline, and makes one task for all of them; the
  // rules mail each executor once, with the document, the text and the deadline.
  const today = DateTime.startOf(yield* DateTime.now, "day")
  const issue = (
    incoming: Document.Document,
    title: string,
    body: string,
    executors: Array<User.User>,
    days: number
  ) => {
    const dueAt = DateTime.add(today, { days, hours: 15 }) // 18:00 in Moscow
    return resolutions
      .issue(incoming.id, { title, body, assigneeIds: executors.map((e) => e.id), dueAt })
      .pipe(Actor.as(head))
  }
  const plan = yield* issue(
    letter,
    "Подготовить план перехода",
    "Иванову — перечень используемого ПО, Петровой — смету.",
    [ivanov, petrova],
    7
  )
  yield* issue(request, "Представить сведения об оргтехнике", "Иванову — подготовить ответ.", [ivanov], 2)

  // A question on the task: the built-in rules mail the head and the other executor.
  yield* comments.add(plan.task.id, "Нужны цены поставщиков, запросила у бухгалтерии").pipe(Actor.as(petrova))

  // Each executor reports and the head hears of each report; the last one completes the task, and
  // its mail says the resolution is executed.
  const report = (executor: User.User, body: string) =>
    resolutions.fileReport(plan.task.id, { title: "Отчёт об исполнении", body }).pipe(Actor.as(executor))
  yield* report(ivanov, "Перечень ПО составлен")
  yield* report(petrova, "Смета подготовлена")

  // A server forks `notifications.dispatcher("5 seconds")`; the example delivers the outbox once, now.
  const delivery = yield* notifications.deliverPending()

  const register = yield* documents.list(project.id).pipe(Actor.as(head))
  const overview = yield* resolutions.overview(project.id, DateTime.add(today, { days: 3 })).pipe(Actor.as(head))
  // Each resolution with how many of its executors have reported.
  const numbers = (list: typeof overview.open) =>
    list.map((p) => `${p.resolution.registrationNumber} (${p.reports.length}/${p.task.assigneeIds.length} reports)`)
  return {
    delivery,
    register: register.items.map((d) => `${d.registrationNumber} ${d.title}`),
    inThreeDays: { open: numbers(overview.open), overdue: numbers(overview.overdue), done: numbers(overview.done) }
  }
})

/** Runs the week against a fresh fake SMTP server; returns its results and the mails the server received. */
export const run = () =>
  Effect.runPromise(
    Effect.gen(function* () {
      const smtp = yield* FakeSmtp.make()
      const result = yield* week.pipe(Effect.provide(layer(smtp)))
      const mails = smtp.received.map((r) => ({
        to: r.envelope.to,
        subject: r.mail.subject ?? "",
        text: r.mail.text ?? ""
      }))
      return { ...result, mails }
    }).pipe(Effect.scoped)
  )
