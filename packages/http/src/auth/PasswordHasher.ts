import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { Context, Effect, Layer, Redacted } from "effect"

/**
 * Hashes and checks passwords. A port: the server supplies Argon2id (`@taskdesk/server`'s `Argon2.layer`),
 * a host its own, tests the fast one below.
 */
export class PasswordHasher extends Context.Tag("@taskdesk/http/PasswordHasher")<
  PasswordHasher,
  {
    readonly hash: (password: Redacted.Redacted<string>) => Effect.Effect<string>
    readonly verify: (hash: string, password: Redacted.Redacted<string>) => Effect.Effect<boolean>
  }
>() {
  /** For hosts that sign people in themselves: every hash is the same mark, and no password verifies. */
  static readonly layerDisabled: Layer.Layer<PasswordHasher> = Layer.succeed(PasswordHasher, {
    hash: () => Effect.succeed("disabled"),
    verify: () => Effect.succeed(false)
  })

  /**
   * INSECURE: salted SHA-256, fast on purpose. For tests only, where Argon2's cost would dominate
   * the run; hashes it makes are refused by Argon2id's verifier.
   */
  static readonly layerInsecureForTests: Layer.Layer<PasswordHasher> = Layer.succeed(PasswordHasher, {
    hash: (password) =>
      Effect.sync(() => {
        const salt = randomBytes(8).toString("hex")
        return `insecure-test$${salt}$${createHash("sha256")
          .update(salt + Redacted.value(password))
          .digest("hex")}`
      }),
    verify: (hash, password) =>
      Effect.sync(() => {
        const [scheme, salt, digest] = hash.split("$")
        if (scheme !== "insecure-test" || salt === undefined || digest === undefined) return false
        const actual = createHash("sha256")
          .update(salt + Redacted.value(password))
          .digest("hex")
        return actual.length === digest.length && timingSafeEqual(Buffer.from(actual), Buffer.from(digest))
      })
  })
}
