import { type Errors, Validation } from "@taskdesk/core"
import { Effect } from "effect"

/**
 * The most common passwords of the public breach lists (of 8 characters or more, since shorter
 * ones fail the length rule anyway), compared case-insensitively.
 */
const common = new Set(
  `12345678 123456789 1234567890 password password1 password12 password123 passw0rd p@ssword p@ssw0rd
  qwertyui qwerty123 qwerty1234 qwertyuiop 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y q1w2e3r4 q1w2e3r4t5 1qaz2wsx
  zaq12wsx zaq1zaq1 11111111 00000000 12341234 11223344 87654321 88888888 99999999 12121212 abcd1234
  abc12345 abcdefgh iloveyou iloveyou1 sunshine princess football baseball basketball superman batman123
  starwars whatever trustno1 letmein1 welcome1 welcome123 admin123 administrator adminadmin root1234
  changeme changeme1 default1 computer internet michael1 jennifer jordan23 master123 mustang1 shadow12
  dragon12 monkey12 freedom1 charlie1 pokemon1 liverpool chelsea1 arsenal1 secret12 secret123 test1234
  testtest test12345 guest123 hello123 helloworld login123 pass1234 password! password1! qwerty12
  asdfghjk asdfasdf asdf1234 zxcvbnm1 zxcvbnm123 1234qwer qwer1234 aa123456 a1234567 a12345678 1234abcd
  987654321 123123123 123321123 147258369 159753123 789456123 741852963 111111111 555555555 666666666
  777777777 123456789a 12345678a 123qweasd qweasdzxc qazwsxedc 1qazxsw2 abc123456 iloveyou2 loveyou1
  babygirl1 lovely12 princess1 sunshine1 football1 baseball1 superman1 michelle daniel12 jessica1
  ashley12 nicole12 chocolate password2 password11 passwort passwort1 motdepasse contraseña
  пароль123 пароль1234 йцукенгш qwertyqwerty 1234567890q 0987654321 5201314520 woaini1314 iloveyou!
  taskdesk taskdesk1 taskdesk123`
    .split(/\s+/)
    .filter((p) => p !== "")
)

/** The minimum length, in characters (code points). */
export const minLength = 8
export const maxLength = 1_024

/**
 * Checks a new password: at least 8 characters, at most 1,024, not one of the most common
 * passwords, not the username. Fails with `InvalidInput` on `field`.
 */
export const check = (
  password: string,
  options: { readonly field: string; readonly username?: string | undefined }
): Effect.Effect<void, Errors.InvalidInput> => {
  const length = [...password].length
  const fail = (message: string) => Effect.fail(Validation.invalidField([options.field], message))
  if (length < minLength) return fail(`a password needs at least ${minLength} characters`)
  if (length > maxLength) return fail(`a password may have at most ${maxLength} characters`)
  const lower = password.toLowerCase()
  if (common.has(lower) || common.has(lower.trim()))
    return fail("this password is among the most common ones; choose another")
  if (/^(.)\1+$/u.test(password)) return fail("a password of one repeated character is too easy to guess")
  if (options.username !== undefined && lower === options.username.toLowerCase()) {
    return fail("a password may not be the username")
  }
  return Effect.void
}
