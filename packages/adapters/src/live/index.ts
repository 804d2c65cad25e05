export * as LocalFanout from "./LocalFanout.js"
export * as PgFanout from "./PgFanout.js"
export * as PollFanout from "./PollFanout.js"
