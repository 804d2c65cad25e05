import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

/** Prefixes tell the kinds apart at a glance (and to secret scanners). */
export const prefixes = { access: "tda_", refresh: "tdr_", api: "tdk_", csrf: "tdc_" } as const

/** A new secret token of a kind: the prefix and 256 random bits, base64url. */
export const generate = (kind: keyof typeof prefixes): string => prefixes[kind] + randomBytes(32).toString("base64url")

/** A new public id for a stored token (what lists show and deletes name). */
export const newId = (): string => randomBytes(12).toString("base64url")

/**
 * How a token is stored: its SHA-256. Tokens carry 256 random bits, so a fast hash suffices and a
 * stolen table reveals no usable token.
 */
export const hash = (token: string): string => createHash("sha256").update(token).digest("base64url")

/** Whether a string looks like a token of a kind, before anything is looked up. */
export const looksLike = (kind: keyof typeof prefixes, token: string): boolean =>
  token.length === prefixes[kind].length + 43 && token.startsWith(prefixes[kind])

/**
 * Whether a token someone sent is the one stored as `storedHash`, in constant time: the digests
 * compared are of equal length whatever was sent, so the time taken tells nothing about the secret.
 */
export const matchesHash = (given: string, storedHash: string): boolean => {
  const digest = createHash("sha256").update(given).digest()
  const stored = Buffer.from(storedHash, "base64url")
  return stored.length === digest.length && timingSafeEqual(digest, stored)
}
