import * as Argon2 from "@node-rs/argon2"
import { PasswordHasher } from "@taskdesk/http/auth/PasswordHasher.js"
import { Effect, Layer, Redacted } from "effect"

/** Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), off the event loop: the server's password hasher. */
export const layer: Layer.Layer<PasswordHasher> = Layer.succeed(PasswordHasher, {
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
