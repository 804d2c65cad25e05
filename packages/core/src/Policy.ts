import { Context, Effect, Layer } from "effect"
import type { Actor } from "./Actor.js"
import { Forbidden, NotFound } from "./Errors.js"
import type { Role } from "./Role.js"

/** Everything an actor may attempt. Reads are separate actions so a policy can hide things. */
export type Action =
  | "user.read"
  | "user.manage"
  | "task.create"
  | "task.read"
  | "task.update"
  | "task.transition"
  | "task.cancel"
  | "task.delete"
  | "task.comment"
  // Asked of the person who would receive work (a task's assignee, an assignment's), with relation `self`.
  | "work.receive"
  | "template.read"
  | "template.manage"
  | "assignment.create"
  | "assignment.read"
  | "assignment.answer"
  | "assignment.cancel"
  | "event.read"
  | "repair.create"
  | "repair.read"
  | "repair.assign"
  // Setting a repair request's deadline, when filing it or later.
  | "repair.setDeadline"
  | "repair.work"
  | "repair.cancel"
  | "repair.comment"
  | "repair.rate"
  | "project.create"
  | "project.read"
  | "project.manage"
  | "document.read"
  | "document.create"
  | "resolution.issue"
  | "report.file"
  | "statistics.read"
  | "scheduler.read"
  | "scheduler.manage"
  // Bulk loading of people and tasks from other systems' files, the CSV import (it bypasses the per-change rules).
  | "data.load"

/**
 * How the actor stands to the thing acted on. A rule grants an action for some relations:
 * `any` grants it outright; the others only when the thing stands in that relation to the actor.
 */
export type Relation =
  | "any"
  | "self" // the user acted on is the actor
  | "creator" // created the task, filed the request, authored the document
  | "assignee" // a task assignee, the assignment's assignee, the request's technician
  | "client" // the repair request's client
  | "projectOwner" // owns the project the thing belongs to
  | "projectMember" // is a member of that project

/** Who may do what: role → action → the relations under which it is granted. */
export type Rules = Readonly<Record<Role, Readonly<Partial<Record<Action, ReadonlyArray<Relation>>>>>>

const everything: ReadonlyArray<Relation> = ["any"]

/** The default rules, as the seeds describe their roles. Replace with `Policy.layer(myRules)`. */
export const defaultRules: Rules = {
  admin: {
    "user.read": everything,
    "user.manage": everything,
    "task.create": everything,
    "task.read": everything,
    "task.update": everything,
    "task.transition": everything,
    "task.cancel": everything,
    "task.delete": everything,
    "task.comment": everything,
    "work.receive": ["self"],
    "template.read": everything,
    "template.manage": everything,
    "assignment.create": everything,
    "assignment.read": everything,
    "assignment.answer": ["assignee"],
    "assignment.cancel": everything,
    "event.read": everything,
    "repair.create": everything,
    "repair.read": everything,
    "repair.assign": everything,
    "repair.setDeadline": everything,
    "repair.work": everything,
    "repair.cancel": everything,
    "repair.comment": everything,
    "repair.rate": ["client"],
    "project.create": everything,
    "project.read": everything,
    "project.manage": everything,
    "document.read": everything,
    "document.create": everything,
    "resolution.issue": everything,
    "report.file": ["assignee"],
    "statistics.read": everything,
    "scheduler.read": everything,
    "scheduler.manage": everything,
    "data.load": everything
  },
  manager: {
    "user.read": everything,
    "task.create": everything,
    "task.read": everything,
    "task.update": everything,
    "task.transition": everything,
    "task.cancel": everything,
    "task.delete": everything,
    "task.comment": everything,
    "work.receive": ["self"],
    "template.read": everything,
    "template.manage": everything,
    "assignment.create": everything,
    "assignment.read": everything,
    "assignment.answer": ["assignee"],
    "assignment.cancel": everything,
    "repair.create": everything,
    "repair.read": everything,
    "repair.assign": everything,
    "repair.setDeadline": everything,
    "repair.cancel": everything,
    "repair.comment": everything,
    "project.create": everything,
    "project.read": everything,
    "project.manage": everything,
    "document.read": everything,
    "document.create": everything,
    "resolution.issue": everything,
    "report.file": ["assignee"],
    "statistics.read": everything
  },
  worker: {
    "user.read": ["self"],
    "task.read": ["assignee"],
    "task.transition": ["assignee"],
    "task.comment": ["assignee"],
    "work.receive": ["self"],
    "template.read": everything,
    "assignment.read": ["assignee"],
    "assignment.answer": ["assignee"],
    "repair.read": ["assignee"],
    "repair.work": ["assignee"],
    "repair.comment": ["assignee"],
    "project.read": ["projectMember"],
    "document.read": ["projectMember", "assignee"],
    "report.file": ["assignee"]
  },
  client: {
    "user.read": ["self"],
    "task.read": ["creator"],
    "task.comment": ["creator"],
    "repair.create": everything,
    "repair.read": ["client"],
    "repair.comment": ["client"],
    "repair.rate": ["client"]
  },
  supervisor: {
    "user.read": everything,
    "task.read": everything,
    "template.read": everything,
    "assignment.read": everything,
    "event.read": everything,
    "repair.read": everything,
    "project.read": everything,
    "document.read": everything,
    "statistics.read": everything,
    "scheduler.read": everything
  },
  partner: {
    "user.read": ["self"],
    "task.create": ["projectOwner"],
    "task.read": ["projectOwner"],
    "task.update": ["projectOwner"],
    "task.transition": ["projectOwner"],
    "task.cancel": ["projectOwner"],
    "task.delete": ["projectOwner"],
    "task.comment": ["projectOwner"],
    "work.receive": ["self"],
    "template.read": everything,
    "assignment.create": ["projectOwner"],
    "assignment.read": ["projectOwner"],
    "assignment.answer": ["assignee"],
    "assignment.cancel": ["projectOwner"],
    "project.create": ["projectOwner"],
    "project.read": ["projectOwner"],
    "project.manage": ["projectOwner"],
    "document.read": ["projectOwner"],
    "document.create": ["projectOwner"],
    "resolution.issue": ["projectOwner"],
    "report.file": ["assignee"]
  }
}

/** Who may do what. Permissions are data: the default rules, or a host application's own. */
export class Policy extends Context.Tag("@taskdesk/core/Policy")<
  Policy,
  {
    /** Whether the actor may perform `action` on something standing in `relations` to them. */
    readonly allows: (actor: Actor, action: Action, relations: ReadonlySet<Relation>) => boolean
    /** The relations under which the actor may perform `action`; `any` means no restriction. */
    readonly grants: (actor: Actor, action: Action) => ReadonlySet<Relation>
  }
>() {
  /** A policy from rules: the default ones, or a replacement the host application supplies. */
  static fromRules(rules: Rules): Policy["Type"] {
    const table = new Map<string, ReadonlySet<Relation>>()
    for (const [role, actions] of Object.entries(rules)) {
      for (const [action, relations] of Object.entries(actions)) {
        table.set(`${role}:${action}`, new Set(relations as ReadonlyArray<Relation>))
      }
    }
    const none: ReadonlySet<Relation> = new Set()
    const grants = (actor: Actor, action: Action) => table.get(`${actor.role}:${action}`) ?? none
    return {
      grants,
      allows: (actor, action, relations) => {
        const granted = grants(actor, action)
        if (granted.has("any")) return true
        for (const relation of relations) if (granted.has(relation)) return true
        return false
      }
    }
  }

  static layer(rules: Rules): Layer.Layer<Policy> {
    return Layer.succeed(Policy, Policy.fromRules(rules))
  }

  static readonly layerDefault: Layer.Layer<Policy> = Policy.layer(defaultRules)
}

/**
 * Checks the actor may see a thing (else `NotFound`, so its existence does not leak),
 * then that they may perform the action on it (else `Forbidden`).
 */
export const authorize = (
  policy: Policy["Type"],
  actor: Actor,
  target: {
    readonly entity: string
    readonly id: string
    readonly read: Action
    readonly action: Action
    readonly relations: ReadonlySet<Relation>
  }
): Effect.Effect<void, NotFound | Forbidden> => {
  if (!policy.allows(actor, target.read, target.relations)) {
    return Effect.fail(new NotFound({ entity: target.entity, id: target.id }))
  }
  if (target.action !== target.read && !policy.allows(actor, target.action, target.relations)) {
    return Effect.fail(new Forbidden({ action: target.action }))
  }
  return Effect.void
}

/** Fails with `Forbidden` unless the actor may perform an action that has no particular target. */
export const ensure = (
  policy: Policy["Type"],
  actor: Actor,
  action: Action,
  relations: ReadonlySet<Relation> = new Set()
): Effect.Effect<void, Forbidden> =>
  policy.allows(actor, action, relations) ? Effect.void : Effect.fail(new Forbidden({ action }))
