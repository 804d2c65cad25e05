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

/** Every task the filters match, page by page (200 a page); `onPage` sees what has come so far after each. */
export const loadTasks = async (
  filters: TaskFilters,
  onPage?: (sofar: ReadonlyArray<Task.Task>) => void
): Promise<ReadonlyArray<Task.Task>> => {
  const tasks: Array<Task.Task> = []
  let cursor: string | undefined
  for (let i = 0; i < maxPages; i++) {
    const page = await call((c) =>
      c.tasks.list({
        urlParams: {
          limit: 200,
          ...(cursor === undefined ? {} : { cursor }),
          ...(filters.assigneeId === undefined ? {} : { assigneeId: filters.assigneeId }),
          ...(filters.projectId === undefined ? {} : { projectId: filters.projectId }),
          ...(filters.priority === undefined ? {} : { priority: [filters.priority] }),
          ...(filters.tag === undefined || filters.tag === "" ? {} : { tag: filters.tag }),
          ...(filters.text === undefined || filters.text.trim() === "" ? {} : { text: filters.text.trim() }),
          ...(filters.dueTo === undefined || filters.dueTo === ""
            ? {}
            : { dueTo: DateTime.unsafeMake(`${filters.dueTo}T23:59:59Z`) })
        }
      })
    )
    tasks.push(...page.items)
    if (page.nextCursor._tag === "None") break
    onPage?.([...tasks])
    cursor = page.nextCursor.value
  }
  return tasks
}
