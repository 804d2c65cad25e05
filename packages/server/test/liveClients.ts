/**
 * Clients of the live endpoints for tests and the benchmark: SSE over fetch (messages parsed as the
 * EventSource spec says), WebSocket over the `ws` package.
 */
import WebSocket from "ws"

/** An event as the live endpoints send it (the shape of an item of `GET /api/events`). */
export interface LiveEvent {
  readonly sequence: number
  readonly type?: string
  readonly subject: { readonly kind: string; readonly id: string }
  readonly payload: { readonly _tag: string; readonly [key: string]: unknown }
  readonly [key: string]: unknown
}

/** Resolves once `ready()` holds, rejecting after `timeoutMs`. */
const until = (ready: () => boolean, timeoutMs: number, what: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const check = () => {
      if (ready()) return resolve()
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(check, 5)
    }
    check()
  })

export interface SseMessage {
  readonly id: string | undefined
  readonly event: string | undefined
  readonly data: string
}

export interface SseClient {
  readonly status: number
  readonly contentType: string | null
  readonly messages: Array<SseMessage>
  readonly comments: Array<string>
  /** The default-type messages' events. */
  readonly events: () => Array<LiveEvent>
  readonly ended: () => boolean
  readonly waitFor: (ready: (client: SseClient) => boolean, timeoutMs?: number) => Promise<void>
  readonly close: () => void
}

/** Opens an SSE stream; a refused request resolves with its status and no messages. */
export const openSse = async (url: string, headers: Record<string, string> = {}): Promise<SseClient> => {
  const abort = new AbortController()
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal })
  const messages: Array<SseMessage> = []
  const comments: Array<string> = []
  let done = false
  const client: SseClient = {
    status: response.status,
    contentType: response.headers.get("content-type"),
    messages,
    comments,
    events: () => messages.filter((m) => m.event === undefined).map((m) => JSON.parse(m.data) as LiveEvent),
    ended: () => done,
    waitFor: (ready, timeoutMs = 10_000) => until(() => ready(client), timeoutMs, "SSE messages"),
    close: () => abort.abort()
  }
  if (response.status !== 200 || response.body === null) {
    await response.text().catch(() => undefined)
    done = true
    return client
  }
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ""
  void (async () => {
    try {
      for (;;) {
        const { value, done: finished } = await reader.read()
        if (finished) break
        text += decoder.decode(value, { stream: true })
        let end = text.indexOf("\n\n")
        while (end >= 0) {
          const block = text.slice(0, end)
          text = text.slice(end + 2)
          end = text.indexOf("\n\n")
          let id: string | undefined
          let event: string | undefined
          const data: Array<string> = []
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line.slice(1).trim())
            else if (line.startsWith("id: ")) id = line.slice(4)
            else if (line.startsWith("event: ")) event = line.slice(7)
            else if (line.startsWith("data: ")) data.push(line.slice(6))
          }
          if (data.length > 0) messages.push({ id, event, data: data.join("\n") })
        }
      }
    } catch {
      // aborted
    } finally {
      done = true
    }
  })()
  return client
}

export interface WsClient {
  readonly socket: WebSocket
  readonly events: Array<LiveEvent>
  readonly closed: () => { readonly code: number; readonly reason: string } | undefined
  readonly waitFor: (ready: (client: WsClient) => boolean, timeoutMs?: number) => Promise<void>
  readonly send: (message: unknown) => void
  readonly close: () => void
}

/** A WebSocket that could not be opened: the HTTP status the server answered the upgrade with. */
export class Refused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with ${status}`)
  }
}

/** Opens a WebSocket and collects its messages; rejects with `Refused` when the upgrade is answered otherwise. */
export const openWs = (url: string, headers: Record<string, string> = {}): Promise<WsClient> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers })
    const events: Array<LiveEvent> = []
    let closed: { code: number; reason: string } | undefined
    socket.on("message", (data) => events.push(JSON.parse(String(data)) as LiveEvent))
    socket.on("close", (code, reason) => {
      closed = { code, reason: String(reason) }
    })
    socket.on("unexpected-response", (_request, response) => {
      response.resume()
      reject(new Refused(response.statusCode ?? 0))
    })
    socket.on("error", (error) => reject(error))
    socket.on("open", () => {
      const client: WsClient = {
        socket,
        events,
        closed: () => closed,
        waitFor: (ready, timeoutMs = 10_000) => until(() => ready(client), timeoutMs, "WebSocket messages"),
        send: (message) => socket.send(JSON.stringify(message)),
        close: () => socket.close()
      }
      resolve(client)
    })
  })

/** The status an upgrade is refused with, or 101 when it succeeds (the socket is closed again). */
export const upgradeStatus = (url: string, headers: Record<string, string> = {}): Promise<number> =>
  openWs(url, headers).then(
    (client) => {
      client.close()
      return 101
    },
    (error) => (error instanceof Refused ? error.status : Promise.reject(error))
  )
