import { PgFanout } from "@taskdesk/adapters/live"
import { describePg, freshSchema, pgUrl } from "@taskdesk/adapters/testing/postgres"
import { Effect } from "effect"
import * as ServerStorage from "../src/Storage.js"
import { acrossInstances } from "./acrossInstances.js"

describePg("live events across instances over PostgreSQL", () => {
  // The fan-out's periodic read far off: what arrives came by notification.
  acrossInstances((purpose) =>
    Effect.map(freshSchema(purpose), (schema) => ({
      storage: ServerStorage.layerPg({ url: pgUrl, schema }),
      fanout: PgFanout.layer({ url: pgUrl, schema, pollInterval: "60 seconds" })
    }))
  )
})
