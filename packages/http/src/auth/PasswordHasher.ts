import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import * as Argon2 from "@node-rs/argon2"
import { Context, Effect, Layer, Redacted } from "effect"

/** Hashes and checks passwords. A port so tests can swap the deliberately slow hash for a fast one. */
export class PasswordHasher extends Context.Tag("@taskdesk/http/PasswordHasher")<
  PasswordHasher,
  {
    readonly hash: (password: Redacted.Redacted<string>) => Effect.Effect<string>
    readonly verify: (hash: string, password: Redacted.Redacted<string>) => Effect.Effect<boolean>
  }
>() {
  /** Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), off the event loop. */
  static readonly layerArgon2: Layer.Layer<PasswordHasher> = Layer.succeed(PasswordHasher, {
    hash: (password) =>
      Effect.promise((signal) =>
        Argon2.hash(Redacted.value(password), { memoryCost: 19_456, timeCost: 2, parallelism: 1 }, signal)
      ),
    verify: (hash, password) =>
      hash.startsWith("$argon2")
        ? Effect.promise((signal) => Argon2.verify(hash, Redacted.value(password), undefined, signal)).pipe(
            Effect.catchAllDefect(() => Effect.succeed(false))
          )
        : Effect.succeed(false)
  })

  /**
   * INSECURE: salted SHA-256, fast on purpose. For tests only, where Argon2's cost would dominate
   * the run; hashes it makes are refused by `layerArgon2`.
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
