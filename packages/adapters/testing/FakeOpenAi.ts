import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"

/** A request the fake received on `/v1/chat/completions`. */
export interface Received {
  readonly headers: IncomingMessage["headers"]
  readonly body: {
    readonly model?: string
    readonly messages?: ReadonlyArray<{ readonly role: string; readonly content: string }>
    readonly response_format?: unknown
    readonly [key: string]: unknown
  }
  /** The task brief the user message carried (parsed), when it was JSON. */
  readonly brief: unknown
}

/** How the fake answers one request. */
export type Behaviour =
  /**
   * A well-formed completion whose content is this analysis (when absent, a plausible one made from
   * the brief: of a repair request when the response schema is `repair_analysis`, else of a task).
   */
  | { readonly _tag: "analysis"; readonly analysis?: unknown }
  /** A completion whose message content is exactly this text (malformed answers). */
  | { readonly _tag: "content"; readonly content: string; readonly finishReason?: string }
  /** An HTTP error in OpenAI's error shape. */
  | {
      readonly _tag: "status"
      readonly status: number
      readonly headers?: Readonly<Record<string, string>>
      /** The error's message (`fake error <status>` by default). */
      readonly message?: string
    }
  /** Waits, then behaves as `then` (a good analysis by default). */
  | { readonly _tag: "delay"; readonly ms: number; readonly then?: Behaviour }

/** A plausible analysis of a brief: what the fake answers unless told otherwise. */
export const analysisOf = (brief: unknown): Record<string, unknown> => {
  const b = (typeof brief === "object" && brief !== null ? brief : {}) as Record<string, unknown>
  const title = typeof b.title === "string" ? b.title : "the task"
  const overdue = typeof b.dueAt === "string" && Date.parse(b.dueAt) < Date.now()
  return {
    summary: `${title}: a task to plan, do and check.`,
    risks: overdue ? ["it is past its due date"] : ["the description leaves the scope open"],
    suggestedPriority: {
      priority: overdue ? "urgent" : typeof b.priority === "string" ? b.priority : "normal",
      reason: overdue ? "it is overdue" : "nothing in it calls for another priority"
    },
    subtasks: [`Clarify the scope of ${title}`, `Do ${title}`, "Check the result"],
    estimateHours: 4
  }
}

/** A plausible analysis of a repair request's brief. */
export const repairAnalysisOf = (brief: unknown): Record<string, unknown> => {
  const b = (typeof brief === "object" && brief !== null ? brief : {}) as Record<string, unknown>
  const device = [b.deviceType, b.deviceModel].filter((s) => typeof s === "string").join(" ") || "the device"
  return {
    summary: `${device}: ${typeof b.problemDescription === "string" ? b.problemDescription : "a fault"}`,
    likelyCauses: ["a worn seal", "a loose connection"],
    partsToBring: ["seal kit", "multimeter"],
    risks: ["the fault may be intermittent"],
    estimateHours: 2
  }
}

/** Which analysis a request asks for, by the name of its response schema. */
const schemaName = (body: Received["body"]): string | undefined =>
  (body.response_format as { json_schema?: { name?: string } } | undefined)?.json_schema?.name

const completion = (model: string, content: string, finishReason = "stop") => ({
  id: `chatcmpl-fake-${Date.now()}`,
  object: "chat.completion",
  created: Math.floor(Date.now() / 1000),
  model,
  choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: finishReason }],
  usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
})

/** An OpenAI-compatible chat completions server on 127.0.0.1 that answers as scripted. */
export interface FakeOpenAi {
  /** The base URL to configure, ending in `/v1`. */
  readonly url: string
  readonly port: number
  /** Every chat completion request, in order. */
  readonly received: ReadonlyArray<Received>
  /** Answers the next `times` requests so; afterwards the default behaviour applies again. */
  readonly answerNext: (behaviour: Behaviour, times?: number) => void
  /** Changes how requests without a scripted answer are answered. */
  readonly setDefault: (behaviour: Behaviour) => void
  readonly close: () => Promise<void>
}

/**
 * Starts the fake on `port` (0: a free one). It requires a bearer key (any) as OpenAI does, answers
 * `GET /v1/models`, and `POST /v1/chat/completions` as scripted (a good analysis by default).
 */
export const start = (
  options: { readonly port?: number; readonly host?: string; readonly behaviour?: Behaviour } = {}
): Promise<FakeOpenAi> => {
  const received: Array<Received> = []
  const scripted: Array<Behaviour> = []
  let fallback: Behaviour = options.behaviour ?? { _tag: "analysis" }
  const timers = new Set<NodeJS.Timeout>()

  const json = (res: import("node:http").ServerResponse, status: number, body: unknown, headers = {}) => {
    if (res.destroyed) return
    res.writeHead(status, { "content-type": "application/json", ...headers })
    res.end(JSON.stringify(body))
  }

  const answer = (res: import("node:http").ServerResponse, behaviour: Behaviour, request: Received): void => {
    const model = request.body.model ?? "fake"
    switch (behaviour._tag) {
      case "analysis":
        json(
          res,
          200,
          completion(
            model,
            JSON.stringify(
              behaviour.analysis ??
                (schemaName(request.body) === "repair_analysis"
                  ? repairAnalysisOf(request.brief)
                  : analysisOf(request.brief))
            )
          )
        )
        return
      case "content":
        json(res, 200, completion(model, behaviour.content, behaviour.finishReason))
        return
      case "status":
        json(
          res,
          behaviour.status,
          { error: { message: behaviour.message ?? `fake error ${behaviour.status}`, type: "fake_error", code: null } },
          behaviour.headers
        )
        return
      case "delay": {
        const timer = setTimeout(() => {
          timers.delete(timer)
          answer(res, behaviour.then ?? { _tag: "analysis" }, request)
        }, behaviour.ms)
        timers.add(timer)
        return
      }
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0]
      if (!/^Bearer \S+/.test(req.headers.authorization ?? "")) {
        return json(res, 401, { error: { message: "missing API key", type: "invalid_request_error" } })
      }
      if (req.method === "GET" && path === "/v1/models") {
        return json(res, 200, { object: "list", data: [{ id: "fake-model", object: "model", owned_by: "taskdesk" }] })
      }
      if (req.method !== "POST" || path !== "/v1/chat/completions") {
        return json(res, 404, { error: { message: `no route ${req.method} ${path}`, type: "invalid_request_error" } })
      }
      let body: Received["body"] = {}
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
      } catch {
        return json(res, 400, { error: { message: "the body is not JSON", type: "invalid_request_error" } })
      }
      const user = body.messages?.find((m) => m.role === "user")?.content
      let brief: unknown
      try {
        brief = user === undefined ? undefined : JSON.parse(user)
      } catch {
        brief = user
      }
      const request: Received = { headers: req.headers, body, brief }
      received.push(request)
      answer(res, scripted.shift() ?? fallback, request)
    })
  })

  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      resolve({
        url: `http://${options.host ?? "127.0.0.1"}:${port}/v1`,
        port,
        received,
        answerNext: (behaviour, times = 1) => {
          for (let i = 0; i < times; i++) scripted.push(behaviour)
        },
        setDefault: (behaviour) => {
          fallback = behaviour
        },
        close: () =>
          new Promise<void>((done) => {
            for (const timer of timers) clearTimeout(timer)
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
}

/** The fake for a scope's lifetime, on a free port. */
export const make = (options: { readonly behaviour?: Behaviour } = {}): Effect.Effect<FakeOpenAi, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => start(options)),
    (fake) => Effect.promise(() => fake.close())
  )
