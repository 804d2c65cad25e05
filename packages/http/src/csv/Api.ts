import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Imports } from "@taskdesk/core"
import { Schema } from "effect"
import { Authentication } from "../Authentication.js"
import { RepairListParams } from "../repairs/Api.js"
import { exact, strict } from "../Schemas.js"
import { RangeQuery } from "../statistics/Api.js"
import { TaskListParams } from "../tasks/Api.js"

/** `?bom=1` starts the file with a byte-order mark, so spreadsheets read it as UTF-8. */
const Bom = exact(Schema.Literal("1", "0", "true", "false"))
/** `?dryRun=1` checks the whole file and reports, changing nothing. */
const DryRun = exact(Schema.Literal("1", "0", "true", "false"))

const { limit: _tl, cursor: _tc, ...taskFilters } = TaskListParams.fields
const { limit: _rl, cursor: _rc, ...repairFilters } = RepairListParams.fields

export const TaskExportParams = strict(Schema.Struct({ ...taskFilters, bom: Bom }))
export const RepairExportParams = strict(Schema.Struct({ ...repairFilters, bom: Bom }))
export const StatisticsExportParams = strict(Schema.Struct({ ...RangeQuery.fields, bom: Bom }))
export const ImportParams = strict(Schema.Struct({ dryRun: DryRun }))

/** A CSV file in the answer (documentation only: the handlers stream it themselves). */
const CsvFile = HttpApiSchema.Text({ contentType: "text/csv" })

const importDescription = (what: string) =>
  `Imports ${what} from a CSV file sent as \`text/csv\` or as the \`file\` part of \`multipart/form-data\` ` +
  "(administrators). The whole file is checked first; any bad row refuses it all with every problem listed " +
  "(422, `errors`: line, column, reason). Size and row limits answer 413. See docs/http.md for the columns and the " +
  "value mapping."

/** CSV exports of the lists and reports, and imports of people and tasks (seed 000's files). */
export class CsvApi extends HttpApiGroup.make("csv")
  .add(
    HttpApiEndpoint.get("exportTasks", "/tasks/export.csv")
      .setUrlParams(TaskExportParams)
      .addSuccess(CsvFile)
      .annotate(OpenApi.Description, "The tasks the caller may see, with the list's filters and sort, as CSV.")
  )
  .add(
    HttpApiEndpoint.get("exportRepairs", "/repair-requests/export.csv")
      .setUrlParams(RepairExportParams)
      .addSuccess(CsvFile)
      .annotate(
        OpenApi.Description,
        "The repair requests the caller may see, with the list's filters and sort, as CSV."
      )
  )
  .add(
    HttpApiEndpoint.get("exportRepairStatistics", "/statistics/repairs/export.csv")
      .setUrlParams(StatisticsExportParams)
      .addSuccess(CsvFile)
      .annotate(OpenApi.Description, "The repair statistics of a range as CSV rows of section, key, metric, value.")
  )
  .add(
    HttpApiEndpoint.post("importUsers", "/import/users")
      .setUrlParams(ImportParams)
      .addSuccess(Imports.ImportSummary)
      .annotate(OpenApi.Description, importDescription("people"))
  )
  .add(
    HttpApiEndpoint.post("importTasks", "/import/tasks")
      .setUrlParams(ImportParams)
      .addSuccess(Imports.ImportSummary)
      .annotate(OpenApi.Description, importDescription("tasks"))
  )
  .middleware(Authentication)
  .prefix("/api") {}
