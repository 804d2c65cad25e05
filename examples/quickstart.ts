import { Actor, Assignments, TaskDesk, Tasks, Users } from "@taskdesk/core"
import { Effect } from "effect"

const program = Effect.gen(function* () {
  const users = yield* Users.Users
  const tasks = yield* Tasks.Tasks
  const assignments = yield* Assignments.Assignments
  const olga = yield* users.create({ name: "Ольга", username: "olga", role: "manager" }).pipe(Actor.asSystem)
  const ivan = yield* users.create({ name: "Иван", username: "ivan", role: "worker" }).pipe(Actor.asSystem)
  const task = yield* tasks.create({ title: "Repair the fridge", priority: "high" }).pipe(Actor.as(olga))
  const [offer] = yield* assignments.batch({ items: [{ taskId: task.id, assigneeId: ivan.id }] }).pipe(Actor.as(olga))
  yield* assignments.accept(offer!.id).pipe(Actor.as(ivan))
  for (const event of yield* tasks.history(task.id).pipe(Actor.as(olga))) {
    console.log(event.sequence, event.type, event.actorId === olga.id ? "Ольга" : "Иван")
  }
})

Effect.runPromise(program.pipe(Effect.provide(TaskDesk.layerMemory)))
