import { type ReactNode, useCallback, useEffect, useState } from "react"
import { useT } from "./i18n.js"
import { describe, isSignedOut } from "./problem.js"
import { useSession } from "./session.js"

/** A message in a live region, so screen readers announce it. */
export const Notice = ({ kind, children }: { kind: "error" | "info"; children: ReactNode }) =>
  children === undefined || children === "" ? null : (
    <p className={`notice ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </p>
  )

/** Loads with `load` and reloads on `reload()`; a failure becomes a human message. */
export const useLoad = <A,>(load: () => Promise<A>, deps: ReadonlyArray<unknown>) => {
  const { t } = useT()
  const session = useSession()
  const [data, setData] = useState<A | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [tick, setTick] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on
  useEffect(() => {
    let current = true
    load().then(
      (value) => {
        if (current) {
          setData(value)
          setError(undefined)
        }
      },
      (failure: unknown) => {
        if (!current) return
        if (isSignedOut(failure)) session.onFailure(failure)
        else setError(describe(failure, t))
      }
    )
    return () => {
      current = false
    }
  }, [...deps, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { data, error, reload, setData }
}

/** Runs an action, turning its failure into a message; returns whether it worked. */
export const useAction = () => {
  const { t } = useT()
  const session = useSession()
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const run = async (action: () => Promise<unknown>, onFailure?: (failure: unknown) => void): Promise<boolean> => {
    setBusy(true)
    setError(undefined)
    try {
      await action()
      return true
    } catch (failure) {
      if (isSignedOut(failure)) session.onFailure(failure)
      else {
        setError(describe(failure, t))
        onFailure?.(failure)
      }
      return false
    } finally {
      setBusy(false)
    }
  }
  return { run, error, setError, busy }
}

// One formatter per language and style: making one per call (toLocaleString) costs about a millisecond,
// which a board of 500 cards pays 500 times.
const formatters = new Map<string, Intl.DateTimeFormat>()
const formatter = (language: string, withTime: boolean) => {
  const key = `${language}:${withTime}`
  let f = formatters.get(key)
  if (f === undefined) {
    f = new Intl.DateTimeFormat(
      language,
      withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" }
    )
    formatters.set(key, f)
  }
  return f
}

export const formatDate = (d: { epochMillis: number } | undefined, language: string): string =>
  d === undefined ? "" : formatter(language, true).format(d.epochMillis)

export const formatDay = (d: { epochMillis: number }, language: string): string =>
  formatter(language, false).format(d.epochMillis)
