import { randomBytes } from "node:crypto"
import { Clock, Effect, Option } from "effect"
import { AuthStore } from "../auth/AuthStore.js"
import * as Tokens from "../auth/Tokens.js"

/** How long a WebSocket ticket may wait to be used. */
export const ticketSeconds = 30

const prefix = "tdw_"

/**
 * Short-lived, single-use tickets for `GET /api/ws?ticket=…`: a browser cannot set headers on a
 * WebSocket. A ticket stands for the credential that asked for it, so using it authenticates that
 * credential again: an expired token or a deactivated user is refused then as anywhere. Tickets are
 * kept in the auth store by hash, with the hash of their credential (never the credential), so any
 * instance on the same database opens the socket a ticket from another was asked for, once.
 */
export class WsTickets extends Effect.Service<WsTickets>()("@taskdesk/http/WsTickets", {
  effect: Effect.gen(function* () {
    const store = yield* AuthStore

    const issue = (credential: string): Effect.Effect<string> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const ticket = prefix + randomBytes(32).toString("base64url")
        return Effect.as(
          store.insertTicket({
            hash: Tokens.hash(ticket),
            credentialHash: Tokens.hash(credential),
            expiresAt: now + ticketSeconds * 1000
          }),
          ticket
        )
      })

    /** The hash of the credential a ticket stands for, once: the ticket is gone after this, on every instance. */
    const redeem = (ticket: string): Effect.Effect<Option.Option<string>> =>
      // What cannot be a ticket is not looked up.
      ticket.length !== prefix.length + 43 || !ticket.startsWith(prefix)
        ? Effect.succeed(Option.none())
        : Effect.flatMap(Clock.currentTimeMillis, (now) => store.takeTicket(Tokens.hash(ticket), now))

    return { issue, redeem } as const
  })
}) {}
