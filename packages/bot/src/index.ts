/**
 * @taskdesk/bot: the Telegram bot. People link their Telegram account with a one-time code and then
 * see and answer their work as their taskdesk user: by long polling in development, by webhook on
 * the reference server in production.
 */
export * as Bot from "./Bot.js"
export * as Texts from "./Texts.js"
export * as Webhook from "./Webhook.js"
