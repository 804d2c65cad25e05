import { storageConformance } from "@taskdesk/core/testing"
import { describeMysql, layerMysqlFresh } from "../testing/Mysql.js"

describeMysql("MySQL", () => {
  // Each group of the suite gets a database of its own, created for the run and dropped after it.
  storageConformance("MySQL", layerMysqlFresh("conformance"))
})
