import { randomBytes } from "node:crypto"
import { MemoryTelegramLinks, type TelegramLinks } from "@taskdesk/core"
import { Effect, type Layer } from "effect"

/** 128 random bits from the operating system, base64url: 22 characters, fit for `/start <code>`. */
export const newCode: Effect.Effect<string> = Effect.sync(() => randomBytes(16).toString("base64url"))

/** One-time Telegram link codes in process memory, made from `node:crypto` (a SQL store may replace it). */
export const layerMemory: Layer.Layer<TelegramLinks.TelegramLinks> = MemoryTelegramLinks.layer(newCode)
