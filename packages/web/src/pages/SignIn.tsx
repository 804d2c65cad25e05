import type { User } from "@taskdesk/core"
import { useState } from "react"
import { LanguagePicker } from "../App.js"
import { ApiFailure, call, remember } from "../api.js"
import { useT } from "../i18n.js"
import { describe } from "../problem.js"
import { Notice } from "../ui.js"

/** Password sign-in with the server's cookie session: the token stays in an HttpOnly cookie. */
export const SignIn = ({ onSignedIn }: { onSignedIn: (user: User.User) => void }) => {
  const { t } = useT()
  const [username, setUsername] = useState("")
  const [password, setPassword] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
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
      <LanguagePicker />
    </main>
  )
}
