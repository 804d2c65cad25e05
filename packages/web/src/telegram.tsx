import { useEffect, useRef } from "react"

/**
 * Where the Telegram Login Widget sends the browser back, with the signed fields in the query. The
 * widget's other mode, `data-onauth`, evaluates its callback with `new Function`, which the pages'
 * policy forbids.
 */
export const callbackPath = "/auth/telegram/callback"

/**
 * The widget's fields from the callback's query, as `POST /api/auth/telegram` takes them (`id` and
 * `auth_date` as numbers; the rest verbatim, since the signature covers each as sent).
 */
export const widgetFields = (
  search: string
): ({ id: number; auth_date: number; hash: string } & Record<string, string | number>) | undefined => {
  const query = new URLSearchParams(search)
  const id = Number(query.get("id"))
  const authDate = Number(query.get("auth_date"))
  const hash = query.get("hash")
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(authDate) || hash === null) return undefined
  return { ...Object.fromEntries(query), id, auth_date: authDate, hash }
}

/** The Telegram Login Widget's button for `bot`: Telegram's script, which draws it in a frame of its own. */
export const TelegramButton = ({ bot }: { bot: string }) => {
  const slot = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const script = document.createElement("script")
    script.async = true
    script.src = "https://telegram.org/js/telegram-widget.js?22"
    script.dataset.telegramLogin = bot
    script.dataset.size = "large"
    script.dataset.authUrl = `${location.origin}${callbackPath}`
    const node = slot.current
    node?.append(script)
    return () => node?.replaceChildren()
  }, [bot])
  return <div className="telegram-login" ref={slot} />
}
