import type { User } from "@taskdesk/core"
import { useEffect, useState } from "react"
import { LanguagePicker } from "../App.js"
import { ApiFailure, call, remember } from "../api.js"
import { useT } from "../i18n.js"
import { describe } from "../problem.js"
import { callbackPath, TelegramButton, widgetFields } from "../telegram.js"
import { Notice } from "../ui.js"

/**
 * Password sign-in, and the Telegram Login Widget when the server has a bot, both with the server's
 * cookie session: the token stays in an HttpOnly cookie.
 */
export const SignIn = ({ onSignedIn }: { onSignedIn: (user: User.User) => void }) => {
  const { t } = useT()
  const [username, setUsername] = useState("")
  const [password, setPassword] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const [telegramBot, setTelegramBot] = useState<string | null>(null)
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the page opens
  useEffect(() => {
    call((c) => c.auth.providers()).then(
      (providers) => setTelegramBot(providers.telegramBot),
      () => setTelegramBot(null)
    )
    if (location.pathname !== callbackPath) return
    // Back from Telegram: the signed fields are in the query; drop them from the address and history.
    const fields = widgetFields(location.search)
    history.replaceState(null, "", "/signin")
    if (fields === undefined) {
      setError(t("err_telegram"))
      return
    }
    setBusy(true)
    call((c) => c.auth.telegram({ payload: fields, urlParams: { session: "cookie" } })).then(
      (session) => {
        remember(session)
        onSignedIn(session.user)
      },
      (failure) => {
        setBusy(false)
        setError(
          failure instanceof ApiFailure && failure.tag === "Unauthorized" ? t("err_telegram") : describe(failure, t)
        )
      }
    )
  }, [])
  const submit = async (event: { preventDefault: () => void }) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const session = await call((c) => c.auth.login({ payload: { username, password, cookie: true } }))
      remember(session)
      onSignedIn(session.user)
    } catch (failure) {
      setError(
        failure instanceof ApiFailure && failure.tag === "Unauthorized" ? t("err_badLogin") : describe(failure, t)
      )
    } finally {
      setBusy(false)
    }
  }
  return (
    <main id="main" className="signin">
      <h1>{t("appName")}</h1>
      <form onSubmit={submit} aria-label={t("signIn")}>
        <label>
          {t("username")}
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          {t("password")}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <Notice kind="error">{error}</Notice>
        <button type="submit" disabled={busy}>
          {t("signIn")}
        </button>
      </form>
      {telegramBot !== null && (
        <section className="telegram" aria-label={t("signInTelegram")}>
          <p>{t("signInTelegram")}</p>
          <TelegramButton bot={telegramBot} />
        </section>
      )}
      <LanguagePicker />
    </main>
  )
}
