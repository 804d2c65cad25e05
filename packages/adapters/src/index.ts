/**
 * @taskdesk/adapters: the world outside the core. SQL storage (SQLite, PostgreSQL, MySQL/MariaDB) on `@effect/sql`.
 */
export * as Notify from "./notify/index.js"
export * as SqlDialect from "./sql/Dialect.js"
export * as SqlMigrations from "./sql/Migrations.js"
export * as SqlStorage from "./sql/SqlStorage.js"
