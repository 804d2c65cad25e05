import { PollFanout } from "@taskdesk/adapters/live"
import { describeMysql, freshDatabase, mysqlUrl } from "@taskdesk/adapters/testing/mysql"
import { Effect } from "effect"
import * as ServerStorage from "../src/Storage.js"
import { acrossInstances } from "./acrossInstances.js"

describeMysql("live events across instances over MySQL/MariaDB", () => {
  acrossInstances((purpose) =>
    Effect.map(freshDatabase(purpose), (database) => ({
      storage: ServerStorage.layerMysql({ url: mysqlUrl(database) }),
      fanout: PollFanout.layer({ url: mysqlUrl(database), pollInterval: "100 millis" })
    }))
  )
})
