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
  Effect.flatMap(
    Csv.parseTableInTurns(text),
    (parsed): Effect.Effect<Imports.ImportTable, Imports.ImportRejected | Problem.TooManyRows> => {
      if (Either.isLeft(parsed)) {
        return Effect.fail(new Imports.ImportRejected({ entity, errors: [parsed.left], omitted: 0 }))
      }
      const table = parsed.right
      return table.rows.length > maxRows
        ? Effect.fail(new Problem.TooManyRows({ limitRows: maxRows, rows: table.rows.length }))
        : Effect.succeed(table)
    }
  )
