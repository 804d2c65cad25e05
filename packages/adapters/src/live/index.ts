export * as LocalFanout from "./LocalFanout.js"
export * as PgFanout from "./PgFanout.js"
