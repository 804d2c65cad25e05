import { AuditEvent } from "@taskdesk/core"
import { Effect, Schema } from "effect"

const decodeEvent = Schema.decodeUnknownSync(Schema.parseJson(AuditEvent.AuditEvent))

/**
 * Opens an SSE stream with a bearer token, as `EventSource` would (which cannot send headers, hence fetch), and
 * reads it an event at a time, decoded with the core's own schema; comments (`: ping`) are skipped. Closed with the scope.
 */
export const openEventStream = (url: string, token: string) =>
  Effect.gen(function* () {
    const abort = new AbortController()
    yield* Effect.addFinalizer(() => Effect.sync(() => abort.abort()))
    const response = yield* Effect.promise(() =>
      fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" }, signal: abort.signal })
    )
    if (!response.ok || response.body === null) return yield* Effect.die(new Error(`SSE: ${response.status}`))
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ""
    const next: Effect.Effect<AuditEvent.AuditEvent> = Effect.promise(async () => {
      for (;;) {
        const end = buffer.indexOf("\n\n")
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = new Map<string, string>()
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue
            const colon = line.indexOf(":")
            fields.set(
              line.slice(0, colon),
              (fields.get(line.slice(0, colon)) ?? "") + line.slice(colon + 1).trimStart()
            )
          }
          const data = fields.get("data")
          if (data !== undefined) return decodeEvent(data)
          continue
        }
        const chunk = await reader.read()
        if (chunk.done) throw new Error("SSE: the stream ended")
        buffer += chunk.value
      }
    })
    // The server sends a ping at once, so the first read returns when the stream is really open.
    yield* Effect.promise(async () => {
      const chunk = await reader.read()
      if (!chunk.done) buffer += chunk.value
    })
    return { next }
  })
