import type { User } from "@taskdesk/core"
import { createContext, useContext } from "react"

export type Role = User.User["role"]

/** The pages and the roles that may use them (the server checks again on every call). */
export const pages = {
  board: ["admin", "manager", "worker", "supervisor", "partner"],
  inbox: ["admin", "manager", "worker", "partner"],
  library: ["admin", "manager"],
  repairs: ["admin", "manager", "worker", "client", "supervisor"],
  projects: ["admin", "manager", "worker", "supervisor", "partner"],
  statistics: ["admin", "manager", "supervisor"],
  admin: ["admin"]
} as const satisfies Record<string, ReadonlyArray<Role>>

export type Page = keyof typeof pages

export const mayUse = (role: Role, page: Page): boolean => (pages[page] as ReadonlyArray<Role>).includes(role)

/** Where a person lands after signing in. */
export const home = (role: Role): string =>
  role === "client" ? "/repairs" : role === "worker" || role === "partner" ? "/inbox" : "/board"

export interface Session {
  readonly user: User.User
  readonly signOut: () => void
  /** Called with a failure: signs out when the session is gone. */
  readonly onFailure: (failure: unknown) => void
}

export const SessionContext = createContext<Session | undefined>(undefined)

export const useSession = (): Session => {
  const session = useContext(SessionContext)
  if (session === undefined) throw new Error("no session")
  return session
}
