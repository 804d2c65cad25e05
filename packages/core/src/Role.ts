import { Schema } from "effect"

/** The roles of taskdesk. The seeds' boss is a manager; master, employee and technician are workers. */
export const Role = Schema.Literal("admin", "manager", "worker", "client", "supervisor", "partner")
export type Role = typeof Role.Type

/** Every role, as a list. */
export const roles: ReadonlyArray<Role> = Role.literals

const aliases: Record<string, Role> = {
  admin: "admin",
  administrator: "admin",
  администратор: "admin",
  manager: "manager",
  boss: "manager",
  менеджер: "manager",
  руководитель: "manager",
  管理员: "admin",
  worker: "worker",
  master: "worker",
  employee: "worker",
  technician: "worker",
  мастер: "worker",
  работник: "worker",
  员工: "worker",
  client: "client",
  клиент: "client",
  supervisor: "supervisor",
  супервайзер: "supervisor",
  partner: "partner",
  партнёр: "partner",
  партнер: "partner"
}

/** Maps a role name used by the systems taskdesk replaces (any case) to a taskdesk role. */
export const fromLegacyName = (name: string): Role | undefined => aliases[name.trim().toLowerCase()]
