import { HttpServerRequest, HttpServerResponse, Multipart } from "@effect/platform"
import { Imports, RepairRequests, Statistics, StatisticsRepo, Tasks } from "@taskdesk/core"
import { DateTime, Effect, Stream } from "effect"
import { TaskdeskApi } from "../Api.js"
import { ServerSettings } from "../Config.js"
import * as Problem from "../Problem.js"
import * as Dispatcher from "../serve/Dispatcher.js"
import * as Csv from "./Csv.js"
import * as Export from "./Export.js"
import * as ImportFile from "./ImportFile.js"

const yes = (flag: string | undefined) => flag === "1" || flag === "true"

/** The answer of an export: streamed CSV with a file name carrying the date. */
const csvResponse = (name: string, body: Stream.Stream<Uint8Array, unknown>) =>
  Effect.map(DateTime.now, (now) =>
    HttpServerResponse.stream(body, {
      contentType: Csv.contentType,
      headers: {
        "content-disposition": `attachment; filename="${name}-${DateTime.formatIso(now).slice(0, 10)}.csv"`
      }
    })
  )

/**
 * The file of an import request: the body of a `text/csv` request, or the `file` part (else the
 * first file part) of `multipart/form-data`. The pipeline has read the body within the import's size
 * limit; a multipart body is parsed from that same text, so nothing reads the socket twice.
 */
const uploaded = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const text = yield* request.text
  const type = request.headers["content-type"] ?? ""
  if (!/^multipart\/form-data/i.test(type)) return text
  const parts = yield* Stream.succeed(new TextEncoder().encode(text)).pipe(
    Stream.pipeThroughChannel(Multipart.makeChannel<never>(request.headers)),
    Stream.mapEffect((part) =>
      Multipart.isFile(part)
        ? Effect.map(part.contentEffect, (bytes) => ({
            key: part.key,
            file: true,
            text: new TextDecoder().decode(bytes)
          }))
        : Effect.succeed({ key: part.key, file: false, text: Multipart.isField(part) ? part.value : "" })
    ),
    Stream.runCollect
  )
  const all = [...parts]
  const chosen = all.find((p) => p.key === "file") ?? all.find((p) => p.file)
  if (chosen === undefined) {
    return yield* new Problem.MalformedRequest({ reason: "the multipart body has no file part (send it as `file`)" })
  }
  return chosen.text
}).pipe(
  Effect.catchTags({
    MultipartError: (e) => new Problem.MalformedRequest({ reason: `unreadable multipart body: ${e.message}` }),
    RequestError: (e) => Effect.die(e)
  })
)

/** CSV exports and imports. */
export const CsvLive = Dispatcher.group(TaskdeskApi, "csv", (handlers) =>
  Effect.gen(function* () {
    const tasks = yield* Tasks.Tasks
    const repairs = yield* RepairRequests.RepairRequests
    const statistics = yield* Statistics.Statistics
    const imports = yield* Imports.Imports
    const settings = yield* ServerSettings
    const maxRows = settings.csv.exportMaxRows

    const importing = (entity: "users" | "tasks", dryRun: boolean) =>
      Effect.gen(function* () {
        yield* imports.allowed
        const table = yield* ImportFile.read(entity, yield* uploaded, settings.csv.importMaxRows)
        return yield* entity === "users" ? imports.users(table, { dryRun }) : imports.tasks(table, { dryRun })
      })

    return handlers
      .handle("exportTasks", ({ urlParams: { bom, ...query } }) =>
        Effect.flatMap(
          Export.tasks((cursor) => tasks.list({ ...query, limit: Export.pageSize, ...(cursor ? { cursor } : {}) }), {
            bom: yes(bom),
            maxRows
          }),
          (body) => csvResponse("tasks", body)
        )
      )
      .handle("exportRepairs", ({ urlParams: { bom, ...query } }) =>
        Effect.flatMap(
          Export.repairs(
            (cursor) => repairs.list({ ...query, limit: Export.pageSize, ...(cursor ? { cursor } : {}) }),
            {
              bom: yes(bom),
              maxRows
            }
          ),
          (body) => csvResponse("repair-requests", body)
        )
      )
      .handle("exportRepairStatistics", ({ urlParams: { bom, from, to: until } }) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const to = until ?? now
          const report = yield* statistics.repairs(
            new StatisticsRepo.StatisticsRange({ from: from ?? DateTime.subtract(to, { days: 30 }), to })
          )
          const name = yield* Export.statisticsNames(report)
          return yield* csvResponse("repair-statistics", Export.repairStatistics(report, { bom: yes(bom) }, name))
        })
      )
      .handle("importUsers", ({ urlParams }) => importing("users", yes(urlParams.dryRun)))
      .handle("importTasks", ({ urlParams }) => importing("tasks", yes(urlParams.dryRun)))
  })
)
