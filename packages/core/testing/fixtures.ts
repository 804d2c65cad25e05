import { DateTime, Option } from "effect"
import { Assignment } from "../src/Assignment.js"
import { Comment } from "../src/Comment.js"
import { AssignmentId, CommentId, ProjectId, TaskId, TemplateId, UserId } from "../src/Ids.js"
import { Project } from "../src/Project.js"
import { Task } from "../src/Task.js"
import { TaskTemplate } from "../src/Template.js"
import { User } from "../src/User.js"

let counter = 0
// A per-process prefix keeps ids unique when a suite shares one database across runs.
const run = Math.random().toString(36).slice(2, 8)

/** A fresh unique id string for fixtures. */
export const uniqueId = (prefix: string): string => `${prefix}-${run}-${String(++counter).padStart(6, "0")}`

export const at = (iso: string): DateTime.Utc => DateTime.unsafeMake(iso)

/** A valid user; override any field. */
export const makeUser = (overrides: Partial<ConstructorParameters<typeof User>[0]> = {}): User => {
  const id = UserId.make(uniqueId("user"))
  return new User({
    id,
    name: `User ${id}`,
    username: id.replace(/[^A-Za-z0-9_.-]/g, "_"),
    email: Option.none(),
    telegramId: Option.none(),
    dingtalkId: Option.none(),
    role: "worker",
    language: "en",
    active: true,
    createdAt: at("2026-01-01T00:00:00Z"),
    updatedAt: at("2026-01-01T00:00:00Z"),
    ...overrides
  })
}

/** A valid task; override any field. */
export const makeTask = (overrides: Partial<ConstructorParameters<typeof Task>[0]> = {}): Task =>
  new Task({
    id: TaskId.make(uniqueId("task")),
    title: "A task",
    description: "",
    status: "todo",
    priority: "normal",
    assigneeIds: [],
    createdBy: UserId.make("creator"),
    projectId: Option.none(),
    dueAt: Option.none(),
    tags: [],
    createdAt: at("2026-01-01T00:00:00Z"),
    updatedAt: at("2026-01-01T00:00:00Z"),
    completedAt: Option.none(),
    version: 1,
    ...overrides
  })

/** A valid project; override any field. */
export const makeProject = (overrides: Partial<ConstructorParameters<typeof Project>[0]> = {}): Project =>
  new Project({
    id: ProjectId.make(uniqueId("project")),
    name: "A project",
    description: "",
    ownerId: UserId.make("owner"),
    memberIds: [],
    archived: false,
    createdAt: at("2026-01-01T00:00:00Z"),
    updatedAt: at("2026-01-01T00:00:00Z"),
    version: 1,
    ...overrides
  })

/** A valid template; override any field. */
export const makeTemplate = (overrides: Partial<ConstructorParameters<typeof TaskTemplate>[0]> = {}): TaskTemplate =>
  new TaskTemplate({
    id: TemplateId.make(uniqueId("template")),
    title: "A template",
    description: "",
    estimatedMinutes: Option.none(),
    createdBy: UserId.make("creator"),
    createdAt: at("2026-01-01T00:00:00Z"),
    updatedAt: at("2026-01-01T00:00:00Z"),
    version: 1,
    ...overrides
  })

/** A valid pending assignment; override any field. */
export const makeAssignment = (overrides: Partial<ConstructorParameters<typeof Assignment>[0]> = {}): Assignment =>
  new Assignment({
    id: AssignmentId.make(uniqueId("assignment")),
    taskId: TaskId.make("task"),
    assigneeId: UserId.make("assignee"),
    assignedBy: UserId.make("manager"),
    status: "pending",
    dueAt: Option.none(),
    rejectionReason: Option.none(),
    createdAt: at("2026-01-01T00:00:00Z"),
    respondedAt: Option.none(),
    completedAt: Option.none(),
    updatedAt: at("2026-01-01T00:00:00Z"),
    version: 1,
    ...overrides
  })

/** A valid comment; override any field. */
export const makeComment = (overrides: Partial<ConstructorParameters<typeof Comment>[0]> = {}): Comment =>
  new Comment({
    id: CommentId.make(uniqueId("comment")),
    taskId: TaskId.make("task"),
    authorId: UserId.make("author"),
    body: "A comment",
    createdAt: at("2026-01-01T00:00:00Z"),
    ...overrides
  })
