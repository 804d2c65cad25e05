import { randomInt } from "node:crypto"
import {
  Actor,
  Assignments,
  Projects,
  RepairRequests,
  type Role,
  Tasks,
  Templates,
  type User,
  UserRepo,
  Users
} from "@taskdesk/core"
import { Accounts } from "@taskdesk/http/auth/Accounts.js"
import { DateTime, Effect, Option, Redacted } from "effect"

/** A sign-in to print once: the password is stored only as a hash. */
export interface Login {
  readonly username: string
  readonly role: Role.Role
  readonly password: string
}

const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

/** A random password of 16 unambiguous letters and digits (about 94 bits). */
export const randomPassword = (): string =>
  Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]).join("")

/** Creates a user with a password, as the system. */
export const createUser = (input: {
  readonly username: string
  readonly name: string
  readonly role: Role.Role
  readonly password: Redacted.Redacted<string>
}) =>
  Effect.gen(function* () {
    const users = yield* Users.Users
    const accounts = yield* Accounts
    const user = yield* users
      .create({ name: input.name, username: input.username, role: input.role })
      .pipe(Actor.asSystem)
    yield* accounts.setPassword(user, input.password)
    return user
  })

/**
 * Makes sure the administrator `admin` exists. On first start it is created with the given password
 * or a random one, returned so it can be printed once.
 */
export const ensureAdmin = (password: Redacted.Redacted<string> | undefined) =>
  Effect.gen(function* () {
    const repo = yield* UserRepo.UserRepo
    if (Option.isSome(yield* repo.findByUsername("admin"))) return Option.none<Login>()
    const chosen = password === undefined ? randomPassword() : Redacted.value(password)
    yield* createUser({ username: "admin", name: "Administrator", role: "admin", password: Redacted.make(chosen) })
    return Option.some<Login>({
      username: "admin",
      role: "admin",
      password: password === undefined ? chosen : "(TASKDESK_ADMIN_PASSWORD)"
    })
  })

/** Whether the database holds nobody but (perhaps) the administrator: demo data goes only there. */
export const isEmpty = Effect.map(
  Effect.flatMap(UserRepo.UserRepo, (repo) => repo.list({})),
  (users) => users.every((u) => u.username === "admin")
)

/**
 * Demo data: a manager, two workers, two clients, a project, tasks, templates, a batch of
 * assignments (pending, accepted, rejected) and repair requests in every state. Returns the sign-ins.
 */
export const demo = Effect.gen(function* () {
  const tasks = yield* Tasks.Tasks
  const templates = yield* Templates.Templates
  const assignments = yield* Assignments.Assignments
  const projects = yield* Projects.Projects
  const repairs = yield* RepairRequests.RepairRequests
  const logins: Array<Login> = []
  const person = (username: string, name: string, role: Role.Role) =>
    Effect.gen(function* () {
      const password = randomPassword()
      const user = yield* createUser({ username, name, role, password: Redacted.make(password) })
      logins.push({ username, role, password })
      return user
    })

  const manager = yield* person("manager", "Olga Petrova", "manager")
  const worker1 = yield* person("worker1", "Ivan Sidorov", "worker")
  const worker2 = yield* person("worker2", "Maria Kuznetsova", "worker")
  const client1 = yield* person("client1", "Anna Smirnova", "client")
  const client2 = yield* person("client2", "Pavel Volkov", "client")
  const as = (user: User.User) => Actor.as(user)
  const now = yield* DateTime.now
  const inDays = (days: number) => DateTime.add(now, { days })

  const project = yield* projects
    .create({
      name: "Service centre",
      description: "Day-to-day work of the service centre",
      memberIds: [worker1.id, worker2.id]
    })
    .pipe(as(manager))

  const inspection = yield* tasks
    .create({
      title: "Inspect the workshop's fire extinguishers",
      priority: "high",
      projectId: project.id,
      assigneeIds: [worker1.id],
      dueAt: inDays(3),
      tags: ["safety"]
    })
    .pipe(as(manager))
  yield* tasks.changeStatus(inspection.id, "in_progress").pipe(as(worker1))
  yield* tasks
    .create({
      title: "Order spare parts for the spring season",
      projectId: project.id,
      dueAt: inDays(7),
      tags: ["purchasing"]
    })
    .pipe(as(manager))
  const inventory = yield* tasks
    .create({ title: "Count the stock of filters", projectId: project.id, assigneeIds: [worker2.id] })
    .pipe(as(manager))
  yield* tasks.changeStatus(inventory.id, "in_progress").pipe(as(worker2))
  yield* tasks.changeStatus(inventory.id, "done").pipe(as(worker2))

  const boiler = yield* templates
    .create({
      title: "Quarterly boiler inspection",
      description: "Check pressure, valves and the flue.",
      estimatedMinutes: 90
    })
    .pipe(as(manager))
  const filter = yield* templates.create({ title: "Replace the water filter", estimatedMinutes: 30 }).pipe(as(manager))
  const smoke = yield* templates.create({ title: "Test the smoke detectors", estimatedMinutes: 20 }).pipe(as(manager))

  const [, accepted, rejected] = yield* assignments
    .batch({
      items: [
        { templateId: boiler.id, assigneeId: worker1.id, dueAt: inDays(5), projectId: project.id },
        { templateId: filter.id, assigneeId: worker2.id, dueAt: inDays(2), projectId: project.id },
        { templateId: smoke.id, assigneeId: worker1.id, dueAt: inDays(1), projectId: project.id }
      ]
    })
    .pipe(as(manager))
  yield* assignments.accept(accepted!.id).pipe(as(worker2))
  yield* assignments.reject(rejected!.id, "I am on leave that day").pipe(as(worker1))

  yield* repairs
    .create({ deviceType: "Washing machine", deviceModel: "Bosch WAT28", problemDescription: "Does not drain" })
    .pipe(as(client1))
  const fridge = yield* repairs
    .create({
      deviceType: "Refrigerator",
      deviceModel: "Atlant XM-4021",
      problemDescription: "Freezer is warm",
      category: "cooling"
    })
    .pipe(as(client2))
  yield* repairs.assign(fridge.id, worker1.id).pipe(as(manager))
  yield* repairs.start(fridge.id).pipe(as(worker1))
  const dishwasher = yield* repairs
    .create({ deviceType: "Dishwasher", deviceModel: "Electrolux ESF", problemDescription: "Leaks from the door" })
    .pipe(as(client1))
  yield* repairs.assign(dishwasher.id, worker2.id).pipe(as(manager))
  yield* repairs.start(dishwasher.id).pipe(as(worker2))
  yield* repairs.hold(dishwasher.id, "Waiting for a door seal").pipe(as(worker2))
  const microwave = yield* repairs
    .create({ deviceType: "Microwave", deviceModel: "Samsung ME83", problemDescription: "Does not heat" })
    .pipe(as(client2))
  yield* repairs.assign(microwave.id, worker1.id).pipe(as(manager))
  yield* repairs.start(microwave.id).pipe(as(worker1))
  yield* repairs.comment(microwave.id, "The magnetron is burnt out; replacing it.").pipe(as(worker1))
  yield* repairs.complete(microwave.id, "Replaced the magnetron and tested.").pipe(as(worker1))
  yield* repairs.rate(microwave.id, 5, "Fast and friendly").pipe(as(client2))
  const kettle = yield* repairs
    .create({ deviceType: "Kettle", deviceModel: "Tefal KI", problemDescription: "Switches off at once" })
    .pipe(as(client1))
  yield* repairs.cancel(kettle.id, "Filed twice by mistake").pipe(as(manager))

  return logins as ReadonlyArray<Login>
})

/** The sign-ins as a small table for the terminal. */
export const formatLogins = (logins: ReadonlyArray<Login>): string =>
  logins.map((l) => `  ${l.username.padEnd(10)} ${l.role.padEnd(9)} ${l.password}`).join("\n")
