import { createHash, createHmac, timingSafeEqual } from "node:crypto"

/** Why a Telegram login was refused. */
export type TelegramRefusal = "bad-signature" | "stale" | "from-the-future"

/**
 * The data-check-string of the Telegram Login Widget: every received field but `hash`, as
 * `key=value`, sorted by key, joined by newlines.
 */
export const dataCheckString = (fields: Readonly<Record<string, string | number>>): string =>
  Object.keys(fields)
    .filter((k) => k !== "hash")
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("\n")

/** The widget's signature: HMAC-SHA-256 of the data-check-string, keyed by SHA-256 of the bot token, in hex. */
export const sign = (fields: Readonly<Record<string, string | number>>, botToken: string): string =>
  createHmac("sha256", createHash("sha256").update(botToken).digest()).update(dataCheckString(fields)).digest("hex")

/**
 * Checks a Telegram Login Widget payload (https://core.telegram.org/widgets/login#checking-authorization):
 * the signature, and that `auth_date` is at most `maxAgeSeconds` old (and not ahead of us by more than a minute).
 */
export const verify = (
  fields: Readonly<Record<string, string | number>> & { readonly hash: string; readonly auth_date: number },
  options: { readonly botToken: string; readonly maxAgeSeconds: number; readonly nowMillis: number }
): TelegramRefusal | undefined => {
  const expected = Buffer.from(sign(fields, options.botToken), "hex")
  const given = Buffer.from(fields.hash, "hex")
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "bad-signature"
  const age = options.nowMillis / 1000 - fields.auth_date
  if (age > options.maxAgeSeconds) return "stale"
  if (age < -60) return "from-the-future"
  return undefined
}
