import type { User } from "@taskdesk/core"
import { lazy, type ReactNode, Suspense, useEffect, useMemo, useState } from "react"
import { call, forget } from "./api.js"
import { dropPrefetched, prefetchBoard } from "./data.js"
import {
  type Dictionary,
  en,
  fromBrowser,
  I18n,
  type Language,
  languages,
  loadDictionary,
  translator,
  useT
} from "./i18n.js"
import { Board } from "./pages/Board.js"
import { SignIn } from "./pages/SignIn.js"
import { isSignedOut } from "./problem.js"
import { navigate, onLink, usePath } from "./router.js"
import { home, mayUse, type Page, SessionContext } from "./session.js"
import { callbackPath } from "./telegram.js"

// Pages a role uses less often load when first opened, keeping the first load small.
const Inbox = lazy(() => import("./pages/Inbox.js"))
const TaskPage = lazy(() => import("./pages/TaskPage.js"))
const Library = lazy(() => import("./pages/Library.js"))
const Repairs = lazy(() => import("./pages/Repairs.js"))
const Projects = lazy(() => import("./pages/Projects.js"))
const Statistics = lazy(() => import("./pages/Statistics.js"))
const Admin = lazy(() => import("./pages/Admin.js"))

const storedLanguage = (): Language | undefined => {
  const saved = localStorage.getItem("taskdesk.language")
  return saved === "en" || saved === "ru" || saved === "zh" ? saved : undefined
}

const nav: ReadonlyArray<Page> = ["board", "inbox", "library", "repairs", "projects", "statistics", "admin"]

export const App = () => {
  const [language, setLanguageState] = useState<Language>(() => storedLanguage() ?? fromBrowser(navigator.languages))
  const [dictionary, setDictionary] = useState<Dictionary>(en)
  const t = useMemo(() => translator(dictionary), [dictionary])
  const setLanguage = (l: Language) => {
    localStorage.setItem("taskdesk.language", l)
    setLanguageState(l)
  }
  useEffect(() => {
    let current = true
    loadDictionary(language).then((d) => {
      if (!current) return
      setDictionary(d)
      document.documentElement.lang = language
    })
    return () => {
      current = false
    }
  }, [language])
  const [user, setUser] = useState<User.User | undefined | null>(undefined)
  useEffect(() => {
    if (location.pathname === "/board") prefetchBoard()
    call((c) => c.account.me()).then(
      (me) => setUser(me),
      () => setUser(null)
    )
  }, [])
  const i18n = { t, language, setLanguage }
  const signOut = () => {
    call((c) => c.account.logout()).finally(() => {
      forget()
      dropPrefetched()
      setUser(null)
    })
  }
  return (
    <I18n.Provider value={i18n}>
      {user === undefined ? (
        <p className="loading">{t("loading")}</p>
      ) : user === null ? (
        <SignIn
          onSignedIn={(u) => {
            dropPrefetched()
            setUser(u)
            if (location.pathname === "/" || location.pathname === "/signin") navigate(home(u.role))
          }}
        />
      ) : (
        <SessionContext.Provider
          value={{
            user,
            signOut,
            onFailure: (failure) => {
              if (isSignedOut(failure)) setUser(null)
            }
          }}
        >
          <Shell user={user} onSignOut={signOut} />
        </SessionContext.Provider>
      )}
    </I18n.Provider>
  )
}

export const LanguagePicker = () => {
  const { t, language, setLanguage } = useT()
  return (
    <label className="language">
      <span>{t("language")}</span>
      <select value={language} onChange={(e) => setLanguage(e.currentTarget.value as Language)}>
        {languages.map((l) => (
          <option key={l.code} value={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  )
}

const Shell = ({ user, onSignOut }: { user: User.User; onSignOut: () => void }) => {
  const { t } = useT()
  const path = usePath()
  const [first] = path.split("/").filter((s) => s !== "")
  useEffect(() => {
    if (path === "/" || path === "/signin" || path === callbackPath) navigate(home(user.role))
  }, [path, user.role])
  // A new page takes the focus, so keyboard and screen-reader users start at its content.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the page changes
  useEffect(() => {
    document.getElementById("main")?.focus()
  }, [first])
  let page: ReactNode
  const allowed = (p: Page, node: ReactNode) => (mayUse(user.role, p) ? node : <p>{t("err_forbidden")}</p>)
  switch (first) {
    case "board":
      page = allowed("board", <Board />)
      break
    case "inbox":
      page = allowed("inbox", <Inbox />)
      break
    case "tasks":
      page = <TaskPage id={path.split("/")[2] ?? ""} />
      break
    case "library":
      page = allowed("library", <Library />)
      break
    case "repairs":
      page = allowed("repairs", <Repairs />)
      break
    case "projects":
      page = allowed("projects", <Projects />)
      break
    case "statistics":
      page = allowed("statistics", <Statistics />)
      break
    case "admin":
      page = allowed("admin", <Admin />)
      break
    default:
      page = null
  }
  return (
    <>
      <a className="skip" href="#main">
        {t("skip")}
      </a>
      <header className="top">
        <strong className="brand">{t("appName")}</strong>
        <nav aria-label={t("menu")}>
          <ul>
            {nav
              .filter((p) => mayUse(user.role, p))
              .map((p) => (
                <li key={p}>
                  <a href={`/${p}`} onClick={onLink(`/${p}`)} aria-current={first === p ? "page" : undefined}>
                    {t(p)}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div className="me">
          <span>
            {user.name} ({user.role})
          </span>
          <LanguagePicker />
          <button type="button" onClick={onSignOut}>
            {t("signOut")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="loading">{t("loading")}</p>}>{page}</Suspense>
      </main>
    </>
  )
}
