import { Option, Schema } from "effect"
import { ProjectId, UserId } from "./Ids.js"
import type { Relation } from "./Policy.js"
import { multiLine, singleLine } from "./Text.js"

/** A project's name: one line, 1–200 characters. */
export const ProjectName = singleLine(Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(200)))
/** A project's description: up to 20,000 characters, several lines allowed. */
export const ProjectDescription = multiLine(Schema.String.pipe(Schema.maxLength(20_000)))

/** A body of work: tasks and documents may belong to one. Partners manage the projects they own. */
export class Project extends Schema.Class<Project>("Project")({
  id: ProjectId,
  name: ProjectName,
  description: ProjectDescription,
  ownerId: UserId,
  memberIds: Schema.Array(UserId),
  archived: Schema.Boolean,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc,
  version: Schema.Int
}) {}

/** How a user stands to a project, for the policy. */
export const projectRelations = (project: Option.Option<Project>, userId: UserId): ReadonlyArray<Relation> =>
  Option.match(project, {
    onNone: () => [],
    onSome: (p) => [
      ...(p.ownerId === userId ? (["projectOwner", "projectMember"] as const) : []),
      ...(p.memberIds.includes(userId) ? (["projectMember"] as const) : [])
    ]
  })

/** What a caller supplies to create a project. */
export class CreateProject extends Schema.Class<CreateProject>("CreateProject")({
  name: ProjectName,
  description: Schema.optional(ProjectDescription),
  ownerId: Schema.optional(UserId),
  memberIds: Schema.optional(Schema.Array(UserId))
}) {}

/** A partial change to a project. */
export class UpdateProject extends Schema.Class<UpdateProject>("UpdateProject")({
  name: Schema.optional(ProjectName),
  description: Schema.optional(ProjectDescription),
  ownerId: Schema.optional(UserId),
  memberIds: Schema.optional(Schema.Array(UserId)),
  archived: Schema.optional(Schema.Boolean)
}) {}
