import { Imports } from "@taskdesk/core"
import { Effect, Either } from "effect"
import * as Problem from "../Problem.js"
import * as Csv from "./Csv.js"

/**
 * An uploaded file as the import reads it: parsed, within the row limit (else `TooManyRows`, 413),
 * or refused whole when it is not CSV at all. The server and the CLI both read files through here.
 */
export const read = (
  entity: "users" | "tasks",
  text: string,
  maxRows: number
): Effect.Effect<Imports.ImportTable, Imports.ImportRejected | Problem.TooManyRows> =>
  Either.match(Csv.parseTable(text), {
    onLeft: (error) => Effect.fail(new Imports.ImportRejected({ entity, errors: [error], omitted: 0 })),
    onRight: (table) =>
      table.rows.length > maxRows
        ? Effect.fail(new Problem.TooManyRows({ limitRows: maxRows, rows: table.rows.length }))
        : Effect.succeed(table)
  })
