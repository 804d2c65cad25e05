import { createHash, createHmac } from "node:crypto"

/** What the Telegram Login Widget hands the page after the person confirms in Telegram. */
export type TelegramLoginData = {
  readonly id: number
  readonly first_name: string
  readonly username: string
  readonly auth_date: number
  readonly hash: string
}

/**
 * Signs login data as Telegram does (https://core.telegram.org/widgets/login#checking-authorization): HMAC-SHA-256
 * of the fields as sorted `key=value` lines, keyed by the SHA-256 of the bot token. In real life Telegram signs and
 * the page only forwards; the example plays Telegram, so it needs the token the server checks with.
 */
export const signLogin = (fields: Omit<TelegramLoginData, "hash">, botToken: string): TelegramLoginData => {
  const dataCheckString = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key as keyof typeof fields]}`)
    .join("\n")
  const secret = createHash("sha256").update(botToken).digest()
  return { ...fields, hash: createHmac("sha256", secret).update(dataCheckString).digest("hex") }
}
