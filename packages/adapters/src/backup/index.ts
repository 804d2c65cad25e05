/** Database backups: SQLite's online backup, a logical export of PostgreSQL, and the retention of dated copies. */
export * as Backup from "./Backup.js"
export * as Holders from "./Holders.js"
export * as PgExport from "./PgExport.js"
export * as Retention from "./Retention.js"
