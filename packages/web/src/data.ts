import type { Project, Task, User } from "@taskdesk/core"
import { DateTime } from "effect"
import { call } from "./api.js"

/** Everyone the caller may see, by id (names on cards and in pickers); empty when the policy shows nobody. */
export const loadPeople = async (): Promise<ReadonlyArray<User.User>> => {
  try {
    return await call((c) => c.users.list({ urlParams: {} }))
  } catch {
    return []
  }
}

export const loadProjects = async (): Promise<ReadonlyArray<Project.Project>> => {
  try {
    return await call((c) => c.projects.list({ urlParams: {} }))
  } catch {
    return []
  }
}

export interface TaskFilters {
  readonly assigneeId?: User.User["id"] | undefined
  readonly projectId?: Project.Project["id"] | undefined
  readonly priority?: Task.Priority | undefined
  readonly tag?: string | undefined
  readonly dueTo?: string | undefined
  readonly text?: string | undefined
}

const maxPages = 20

/** The task list's own order (newest first, then by id), for slices fetched apart. */
const newestFirst = (a: Task.Task, b: Task.Task): number =>
  b.createdAt.epochMillis - a.createdAt.epochMillis || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

const priorities: ReadonlyArray<Task.Priority> = ["urgent", "high", "normal", "low"]

// How many tasks the tab's last board load found: a board known to be large is fetched in slices.
const sizeKey = "taskdesk.boardTasks"
const pageSize = 200

/**
 * Every task the filters match, 200 a page; `onPage` sees what has come so far while more pages follow.
 * Pages follow a cursor, one round trip after another, so a board that was larger than a page last time is
 * fetched as one slice per priority side by side (disjoint, merged in the list's order). A small board takes
 * one request, not four: every request counts against the per-user rate limit.
 */
export const loadTasks = async (
  filters: TaskFilters,
  onPage?: (sofar: ReadonlyArray<Task.Task>) => void
): Promise<ReadonlyArray<Task.Task>> => {
  const large = Number(sessionStorage.getItem(sizeKey) ?? 0) > pageSize
  const slices: ReadonlyArray<Task.Priority | undefined> =
    filters.priority !== undefined ? [filters.priority] : large ? priorities : [undefined]
  const found = slices.map((): Array<Task.Task> => [])
  const merged = () => found.flat().sort(newestFirst)
  await Promise.all(
    slices.map(async (priority, slice) => {
      let cursor: string | undefined
      for (let i = 0; i < maxPages; i++) {
        const page = await call((c) =>
          c.tasks.list({
            urlParams: {
              limit: pageSize,
              ...(priority === undefined ? {} : { priority: [priority] }),
              ...(cursor === undefined ? {} : { cursor }),
              ...(filters.assigneeId === undefined ? {} : { assigneeId: filters.assigneeId }),
              ...(filters.projectId === undefined ? {} : { projectId: filters.projectId }),
              ...(filters.tag === undefined || filters.tag === "" ? {} : { tag: filters.tag }),
              ...(filters.text === undefined || filters.text.trim() === "" ? {} : { text: filters.text.trim() }),
              ...(filters.dueTo === undefined || filters.dueTo === ""
                ? {}
                : { dueTo: DateTime.unsafeMake(`${filters.dueTo}T23:59:59Z`) })
            }
          })
        )
        found[slice]!.push(...page.items)
        if (page.nextCursor._tag === "None") break
        onPage?.(merged())
        cursor = page.nextCursor.value
      }
    })
  )
  const tasks = merged()
  sessionStorage.setItem(sizeKey, String(tasks.length))
  return tasks
}

interface BoardData {
  readonly tasks: ReadonlyArray<Task.Task>
  readonly people: ReadonlyArray<User.User>
  readonly projects: ReadonlyArray<Project.Project>
}

let prefetched: Partial<Record<keyof BoardData, Promise<unknown>>> = {}

/**
 * Starts the board's first loads beside the session check when the page opened is the board, so they
 * do not wait for its round trip. Signed out, they fail and the board asks again after the sign-in.
 */
export const prefetchBoard = () => {
  const tasks = loadTasks({})
  tasks.catch(() => undefined)
  prefetched = { tasks, people: loadPeople(), projects: loadProjects() }
}

/** Forgets what was fetched early: after a sign-in or a sign-out it may be someone else's. */
export const dropPrefetched = () => {
  prefetched = {}
}

/** What `prefetchBoard` fetched for `key`, once; otherwise, or when that failed, `load()`. */
export const takePrefetched = <K extends keyof BoardData>(
  key: K,
  load: () => Promise<BoardData[K]>
): Promise<BoardData[K]> => {
  const early = prefetched[key] as Promise<BoardData[K]> | undefined
  delete prefetched[key]
  return early === undefined ? load() : early.catch(() => load())
}
