/**
 * A repair shop's day (seed 001): clients file requests, the manager assigns technicians and
 * deadlines, technicians work (one waits for a part), clients rate, and the manager reads the day's
 * statistics. Time runs on Effect's clock, moved forward by hand, so the figures are the same on
 * every run and every storage.
 */
import { Actor, RepairRequests, Statistics, StatisticsRepo, type Storage, TaskDesk, Users } from "@taskdesk/core"
import { DateTime, Effect, Layer, Option, TestClock, TestContext } from "effect"

const hours = (n: number) => TestClock.adjust(`${n} hours`)

export const repairShopDay = Effect.gen(function* () {
  const morning = DateTime.unsafeMake("2026-03-02T06:00:00Z") // 09:00 in Moscow
  yield* TestClock.setTime(DateTime.toEpochMillis(morning))
  const users = yield* Users.Users
  const repairs = yield* RepairRequests.RepairRequests
  const statistics = yield* Statistics.Statistics
  const person = (name: string, username: string, role: "manager" | "worker" | "client") =>
    users.create({ name, username, role, language: "ru" }).pipe(Actor.asSystem)
  const manager = yield* person("Ольга Менеджер", "olga", "manager")
  const petr = yield* person("Пётр Мастер", "petr", "worker")
  const anna = yield* person("Анна Мастер", "anna", "worker")
  const ivan = yield* person("Иван Клиент", "ivan", "client")
  const maria = yield* person("Мария Клиент", "maria", "client")

  const washer = yield* repairs
    .create({ deviceType: "стиральная машина", deviceModel: "Bosch WAN28", problemDescription: "Не сливает воду" })
    .pipe(Actor.as(ivan))
  const fridge = yield* repairs
    .create({
      deviceType: "холодильник",
      deviceModel: "Атлант ХМ-4021",
      problemDescription: "Не морозит",
      category: "охлаждение"
    })
    .pipe(Actor.as(maria))
  yield* Effect.log(`filed ${washer.reference} and ${fridge.reference}`)

  yield* hours(1)
  yield* repairs.assign(washer.id, petr.id).pipe(Actor.as(manager))
  yield* repairs.assign(fridge.id, anna.id).pipe(Actor.as(manager))
  yield* repairs.update(fridge.id, { deadline: DateTime.add(morning, { days: 2 }) }).pipe(Actor.as(manager))

  yield* hours(1)
  yield* repairs.start(washer.id).pipe(Actor.as(petr))
  yield* repairs.start(fridge.id).pipe(Actor.as(anna))
  yield* repairs.comment(fridge.id, "Нужен новый термостат, заказан").pipe(Actor.as(anna))
  yield* repairs.hold(fridge.id, "ждём запчасть").pipe(Actor.as(anna))

  yield* hours(2)
  yield* repairs.complete(washer.id, "Прочищен сливной насос").pipe(Actor.as(petr))
  yield* repairs.rate(washer.id, 5, "Быстро и аккуратно").pipe(Actor.as(ivan))

  yield* hours(3)
  yield* repairs.resume(fridge.id).pipe(Actor.as(anna))
  yield* repairs.complete(fridge.id, "Заменён термостат").pipe(Actor.as(anna))
  yield* repairs.rate(fridge.id, 4).pipe(Actor.as(maria))

  const day = new StatisticsRepo.StatisticsRange({ from: morning, to: DateTime.add(morning, { days: 1 }) })
  const stats = yield* statistics.repairs(day).pipe(Actor.as(manager))
  const names = new Map([petr, anna].map((u) => [u.id, u.name]))
  return {
    completed: stats.byStatus.completed,
    averageHoursToComplete: Option.getOrNull(stats.toComplete.averageHours),
    medianHoursInWork: Option.getOrNull(stats.inWork.medianHours),
    averageRating: Option.getOrNull(stats.averageRating),
    byDeviceType: stats.byDeviceType.map((k) => `${k.key}: ${k.count}`),
    technicians: stats.technicians.map((t) => ({
      name: names.get(t.technicianId),
      completed: t.completed,
      averageRating: Option.getOrNull(t.averageRating)
    }))
  }
})

/** The domain over the given storage (SQLite, PostgreSQL, memory), with the default policy and ids. */
export const layer = <E>(storage: Layer.Layer<Storage.Storage, E>) =>
  TaskDesk.layer.pipe(Layer.provideMerge(Layer.merge(storage, TaskDesk.layerDefaults)))

/**
 * Runs the day on `storage` and returns its statistics. The storage is built on the real clock;
 * only the day runs on the test clock, which the example steers itself.
 */
export const run = <E>(storage: Layer.Layer<Storage.Storage, E>) =>
  Effect.runPromise(repairShopDay.pipe(Effect.provide(TestContext.TestContext), Effect.provide(layer(storage))))
