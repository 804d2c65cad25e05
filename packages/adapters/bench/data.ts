/** The benchmark's data: the same pseudo-random tasks for every store. */
import { Ids, Task } from "@taskdesk/core"
import { DateTime, Option } from "effect"

export const users = Array.from({ length: 50 }, (_, i) => Ids.UserId.make(`bench-user-${i}`))
export const projects = Array.from({ length: 30 }, (_, i) => Ids.ProjectId.make(`bench-project-${i}`))
export const statuses: ReadonlyArray<Task.TaskStatus> = ["todo", "in_progress", "done", "cancelled"]
const priorities: ReadonlyArray<Task.Priority> = ["low", "normal", "high", "urgent"]
const tags = ["repair", "office", "fridge", "washer", "urgent", "client", "parts", "visit", "invoice", "follow-up"]
export const start = Date.UTC(2026, 0, 1)
export const now = DateTime.unsafeMake(start + 200 * 86_400_000)

/** A deterministic pseudo-random sequence, so every store gets the same data. */
export const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  return seed / 2_147_483_648
}

export const makeTasks = (prefix: string, count: number, seed: number): ReadonlyArray<Task.Task> => {
  const r = random(seed)
  const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(r() * xs.length)]!
  return Array.from({ length: count }, (_, i) => {
    const created = start + Math.floor(r() * 180 * 86_400_000)
    const status = pick(statuses)
    const first = pick(users)
    const second = pick(users)
    return new Task.Task({
      id: Ids.TaskId.make(`${prefix}-${String(i).padStart(7, "0")}`),
      title: `${pick(["Починить", "Repair", "检查", "Replace"])} ${pick(["холодильник", "washer", "冰箱", "door"])} ${i}`,
      description: i % 3 === 0 ? "Клиент просит приехать после обеда; needs a spare part" : "",
      status,
      priority: pick(priorities),
      assigneeIds: r() < 0.5 || first === second ? [first] : [first, second],
      createdBy: pick(users),
      projectId: r() < 0.7 ? Option.some(pick(projects)) : Option.none(),
      dueAt: r() < 0.6 ? Option.some(DateTime.unsafeMake(created + Math.floor(r() * 30 * 86_400_000))) : Option.none(),
      tags: r() < 0.5 ? [pick(tags)] : [pick(tags), pick(tags)].filter((t, k, all) => all.indexOf(t) === k),
      createdAt: DateTime.unsafeMake(created),
      updatedAt: DateTime.unsafeMake(created + 3_600_000),
      completedAt: status === "done" ? Option.some(DateTime.unsafeMake(created + 86_400_000)) : Option.none(),
      version: 1
    })
  })
}

/** The list page the benchmark asks for: a status and an assignee, newest first, 50 rows. */
export const pageQueries = (count: number): ReadonlyArray<{ status: Task.TaskStatus; assignee: Ids.UserId }> => {
  const r = random(7)
  return Array.from({ length: count }, () => ({
    status: statuses[Math.floor(r() * statuses.length)]!,
    assignee: users[Math.floor(r() * users.length)]!
  }))
}
