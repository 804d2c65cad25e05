import { SqlClient } from "@effect/sql"
import { ProjectRepo, TaskRepo, TemplateRepo, UserRepo } from "@taskdesk/core"
import { Context, DateTime, Effect, Layer, Option } from "effect"

/** Asks the storage whether it answers and how many rows it holds; one implementation per kind of storage. */
export class HealthProbe extends Context.Tag("@taskdesk/http/HealthProbe")<
  HealthProbe,
  {
    readonly kind: "memory" | "sqlite" | "postgres" | "mysql"
    /** Whether storage answers at all (`SELECT 1`): cheap, for liveness and readiness. */
    readonly ping: Effect.Effect<boolean>
    /** Rows per table: a scan each, for administrators only. */
    readonly counts: Effect.Effect<Readonly<Record<string, number>>>
  }
>() {
  /** Counts through the storage ports (the in-memory store holds little). */
  static readonly layerMemory: Layer.Layer<
    HealthProbe,
    never,
    UserRepo.UserRepo | TaskRepo.TaskRepo | TemplateRepo.TemplateRepo | ProjectRepo.ProjectRepo
  > = Layer.effect(
    HealthProbe,
    Effect.gen(function* () {
      const users = yield* UserRepo.UserRepo
      const tasks = yield* TaskRepo.TaskRepo
      const templates = yield* TemplateRepo.TemplateRepo
      const projects = yield* ProjectRepo.ProjectRepo
      return {
        kind: "memory" as const,
        ping: Effect.succeed(true),
        counts: Effect.gen(function* () {
          const now = yield* DateTime.now
          const allTasks = yield* tasks.list({
            filter: {},
            visibility: { _tag: "All" },
            sort: "created",
            order: "asc",
            after: Option.none(),
            limit: Number.MAX_SAFE_INTEGER,
            now
          })
          return {
            users: (yield* users.list({})).length,
            tasks: allTasks.length,
            templates: (yield* templates.list({})).length,
            projects: (yield* projects.list({})).length
          }
        })
      }
    })
  )

  /** `SELECT 1`, and a count per table of the SQL storage (tables that do not exist yet are left out). */
  static readonly layerSql = (
    kind: "sqlite" | "postgres" | "mysql"
  ): Layer.Layer<HealthProbe, never, SqlClient.SqlClient> =>
    Layer.effect(
      HealthProbe,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const tables = [
          "users",
          "tasks",
          "templates",
          "assignments",
          "projects",
          "documents",
          "repair_requests",
          "events"
        ]
        return {
          kind,
          ping: sql`SELECT 1 AS ok`.pipe(
            Effect.as(true),
            Effect.catchAll(() => Effect.succeed(false)),
            Effect.timeoutTo({ duration: "5 seconds", onSuccess: (x) => x, onTimeout: () => false })
          ),
          counts: Effect.gen(function* () {
            const counts: Record<string, number> = {}
            for (const table of tables) {
              const rows = yield* sql<{ n: unknown }>`SELECT count(*) AS n FROM ${sql(table)}`.pipe(
                Effect.catchAll(() => Effect.succeed([]))
              )
              if (rows[0] !== undefined) counts[table] = Number(rows[0].n)
            }
            return counts
          })
        }
      })
    )
}
