import { useEffect, useRef, useState } from "react"

/** How the page learns about others' changes: the server's event stream, or refreshing. */
export type LiveMode = "connecting" | "sse" | "poll"

/** An item as `GET /api/events` lists it; its type is `type` or, in the audit log's own shape, `payload._tag`. */
export interface LiveEvent {
  readonly type?: string
  readonly payload?: { readonly _tag?: string }
  readonly subject?: { readonly kind?: string; readonly id?: string } | string
}

/** The event's type (`task.updated`) or, failing that, its subject's kind (`task`), for matching by prefix. */
export const kindOf = (event: LiveEvent): string => {
  if (typeof event.type === "string") return event.type
  if (typeof event.payload?._tag === "string") return event.payload._tag
  if (typeof event.subject === "string") return `${event.subject.split(":")[0]}.`
  return typeof event.subject?.kind === "string" ? `${event.subject.kind}.` : ""
}

/** Whether the event is about one of `kinds` (`"task"`, `"assignment"`, …). */
export const about =
  (...kinds: ReadonlyArray<string>) =>
  (event: LiveEvent): boolean => {
    const kind = kindOf(event)
    return kinds.some((k) => kind.startsWith(`${k}.`))
  }

const pollMs = 30_000

/**
 * Calls `refresh` when something relevant changes: on each event of `GET /api/events/stream` whose
 * type passes `relevant`, or, when the stream is not there (older servers answer 404), when the
 * window regains focus and every 30 s.
 */
export const useLive = (refresh: () => void, relevant: (event: LiveEvent) => boolean): LiveMode => {
  const [mode, setMode] = useState<LiveMode>("connecting")
  const latest = useRef({ refresh, relevant })
  latest.current = { refresh, relevant }
  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setInterval> | undefined
    const onFocus = () => latest.current.refresh()
    const fallBack = () => {
      if (stopped || timer !== undefined) return
      setMode("poll")
      addEventListener("focus", onFocus)
      timer = setInterval(() => latest.current.refresh(), pollMs)
    }
    const source = typeof EventSource === "undefined" ? undefined : new EventSource("/api/events/stream")
    if (source === undefined) fallBack()
    else {
      source.onopen = () => {
        if (!stopped) setMode("sse")
      }
      source.onmessage = (message) => {
        try {
          const event = JSON.parse(message.data as string) as LiveEvent
          if (latest.current.relevant(event)) latest.current.refresh()
        } catch {
          latest.current.refresh()
        }
      }
      source.onerror = () => {
        // A closed stream (404, refused) does not come back by itself; a dropped one reconnects.
        if (source.readyState === EventSource.CLOSED) fallBack()
      }
    }
    return () => {
      stopped = true
      source?.close()
      if (timer !== undefined) clearInterval(timer)
      removeEventListener("focus", onFocus)
    }
  }, [])
  return mode
}
