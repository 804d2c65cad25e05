import { useEffect, useState } from "react"

/** The pages' paths; the server answers index.html for each, and the app picks the page. */
export const navigate = (path: string) => {
  if (path === location.pathname) return
  history.pushState(null, "", path)
  dispatchEvent(new PopStateEvent("popstate"))
}

export const usePath = (): string => {
  const [path, setPath] = useState(location.pathname)
  useEffect(() => {
    const update = () => setPath(location.pathname)
    addEventListener("popstate", update)
    return () => removeEventListener("popstate", update)
  }, [])
  return path
}

/** A link that changes page without a reload. */
export const onLink =
  (path: string) => (event: { preventDefault: () => void; ctrlKey?: boolean; metaKey?: boolean }) => {
    if (event.ctrlKey === true || event.metaKey === true) return
    event.preventDefault()
    navigate(path)
  }
