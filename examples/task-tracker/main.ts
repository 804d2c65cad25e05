// Seed 000 (a task tracker with Telegram login, CSV export, LLM analysis and live events) on taskdesk's reference
// server: it starts the server in process on SQLite in a temporary directory, then uses it as a client would.
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { FakeOpenAi, FakeTelegram } from "@taskdesk/adapters/testing"
import { Actor, Users } from "@taskdesk/core"
import { TaskdeskApi } from "@taskdesk/http/Api"
import { Clock, Effect, Layer } from "effect"
import { openEventStream } from "./EventStream.js"
import * as Server from "./server.js"
import { signLogin } from "./TelegramLogin.js"

/** The token of the bot whose login widget the page shows; Telegram signs logins with it. */
const botToken = "123456:example-bot-token"

/** Olga, a manager, as the server knows her: her Telegram account is linked to her user. */
const olga = { telegramId: 5001, name: "Ольга", username: "olga" }

/** What each step of the walk-through gave, for printing and for the test. */
export interface Walkthrough {
  readonly forgedRefused: string
  readonly signedInAs: string
  readonly tasks: ReadonlyArray<string>
  readonly liveEvent: { readonly sequence: number; readonly type: string; readonly title: string }
  readonly csv: string
  readonly analysis: { readonly summary: string; readonly priority: string; readonly subtasks: ReadonlyArray<string> }
  readonly llmRequests: number
}

const walkthrough = (llm: FakeOpenAi.FakeOpenAi) =>
  Effect.gen(function* () {
    const baseUrl = yield* Server.baseUrl
    const anonymous = yield* HttpApiClient.make(TaskdeskApi, { baseUrl })
    const step = (text: string) => Effect.sync(() => console.log(`\n== ${text}`))

    // 1. The login widget hands the page Telegram's signed data; the page posts it as it is.
    yield* step("sign in with Telegram")
    const fields = {
      id: olga.telegramId,
      first_name: olga.name,
      username: olga.username,
      auth_date: Math.floor((yield* Clock.currentTimeMillis) / 1000)
    }
    // Data not signed with the server's bot token (forged, or from another bot) is refused.
    const forged = yield* anonymous.auth
      .telegram({ payload: signLogin(fields, "654321:another-bot"), urlParams: {} })
      .pipe(Effect.flip)
    console.log(`forged login data: refused (${forged._tag})`)
    const session = yield* anonymous.auth.telegram({ payload: signLogin(fields, botToken), urlParams: {} })
    console.log(`signed in as ${session.user.name} (${session.user.role}), token expires in ${session.expiresIn} s`)
    const api = yield* HttpApiClient.make(TaskdeskApi, {
      baseUrl,
      transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(session.accessToken))
    })

    // 2. A live feed, opened before the changes it should show.
    yield* step("open the live feed (SSE)")
    const feed = yield* openEventStream(`${baseUrl}/api/events/stream?type=task.created`, session.accessToken)
    console.log("GET /api/events/stream: open")

    // 3. Tasks, through the typed client.
    yield* step("create tasks")
    const tasks = [
      { title: "Подготовить отчёт за квартал", priority: "high" as const, tags: ["отчёты"] },
      { title: "Обновить сертификат сервера", priority: "urgent" as const, tags: ["инфраструктура"] },
      { title: "Разобрать входящие заявки", priority: "normal" as const, tags: [] }
    ]
    const created = []
    for (const payload of tasks) {
      const task = yield* api.tasks.create({ payload })
      console.log(`created ${task.id}: ${task.title} (${task.priority})`)
      created.push(task)
    }

    // 4. The first of them, as the live feed delivered it.
    yield* step("read an event from the live feed")
    const event = yield* feed.next
    const liveEvent = {
      sequence: event.sequence,
      type: event.type,
      title: event.payload._tag === "task.created" ? event.payload.title : ""
    }
    console.log(`event ${liveEvent.sequence}: ${liveEvent.type} "${liveEvent.title}"`)

    // 5. Everything Olga may see, as CSV.
    yield* step("export CSV")
    const csv = yield* api.csv.exportTasks({ urlParams: {} })
    console.log(csv.trimEnd())

    // 6. The language model's view of one task (the fake OpenAI answers).
    yield* step("ask for an analysis")
    const report = yield* api.analysis.analyseTask({ path: { id: created[1]!.id } })
    const analysis = {
      summary: report.analysis.summary,
      priority: report.analysis.suggestedPriority.priority,
      subtasks: report.analysis.subtasks
    }
    console.log(`${report.model}: ${analysis.summary}`)
    console.log(`suggested priority: ${analysis.priority}; subtasks: ${analysis.subtasks.join(" / ")}`)

    return {
      forgedRefused: forged._tag,
      signedInAs: session.user.name,
      tasks: created.map((t) => t.title),
      liveEvent,
      csv,
      analysis,
      llmRequests: llm.received.length
    } satisfies Walkthrough
  })

/** Starts the fakes and the server in a fresh temporary directory, walks through the features, and cleans up. */
export const run = (): Promise<Walkthrough> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const dataDir = yield* Effect.acquireRelease(
        Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "taskdesk-task-tracker-"))),
        (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }))
      )
      const telegram = yield* FakeTelegram.make({ token: botToken })
      const llm = yield* FakeOpenAi.make()
      const server = Server.layer({
        dataDir,
        botToken,
        telegramApiUrl: telegram.url,
        llmBaseUrl: llm.url,
        prepare: Effect.gen(function* () {
          const users = yield* Users.Users
          yield* users
            .create({ name: olga.name, username: olga.username, role: "manager", telegramId: olga.telegramId })
            .pipe(Actor.asSystem, Effect.orDie)
        })
      })
      console.log(`data in ${dataDir}`)
      // The walk-through's own scope (the live feed) closes before the server stops.
      return yield* walkthrough(llm).pipe(Effect.scoped, Effect.provide(Layer.merge(server, FetchHttpClient.layer)))
    }).pipe(Effect.scoped)
  )

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(
    () => console.log("\ndone"),
    (error) => {
      console.error(error)
      process.exit(1)
    }
  )
}
