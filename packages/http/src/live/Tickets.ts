import { randomBytes } from "node:crypto"
import { Clock, Effect, Option } from "effect"
import * as Tokens from "../auth/Tokens.js"

/** How long a WebSocket ticket may wait to be used. */
export const ticketSeconds = 30

// Beyond this many unexpired tickets, issuing refuses to grow further (the oldest are dropped).
const maxTickets = 10_000

/**
 * Short-lived, single-use tickets for `GET /api/ws?ticket=…`: a browser cannot set headers on a
 * WebSocket. A ticket stands for the credential that asked for it (kept in memory, by hash), so
 * using it authenticates that credential again: an expired token or a deactivated user is refused
 * then as anywhere. Tickets live in the instance that issued them; behind several instances, route
 * the ticket request and the upgrade to the same one, or use the session cookie or a bearer token.
 */
export class WsTickets extends Effect.Service<WsTickets>()("@taskdesk/http/WsTickets", {
  sync: () => {
    const tickets = new Map<string, { readonly credential: string; readonly expiresAt: number }>()

    const purge = (now: number) => {
      for (const [key, ticket] of tickets) if (ticket.expiresAt <= now) tickets.delete(key)
      while (tickets.size >= maxTickets) tickets.delete(tickets.keys().next().value!)
    }

    const issue = (credential: string): Effect.Effect<string> =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        purge(now)
        const ticket = `tdw_${randomBytes(32).toString("base64url")}`
        tickets.set(Tokens.hash(ticket), { credential, expiresAt: now + ticketSeconds * 1000 })
        return ticket
      })

    /** The credential a ticket stands for, once: the ticket is gone after this. */
    const redeem = (ticket: string): Effect.Effect<Option.Option<string>> =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const key = Tokens.hash(ticket)
        const found = tickets.get(key)
        tickets.delete(key)
        return found === undefined || found.expiresAt <= now ? Option.none() : Option.some(found.credential)
      })

    return { issue, redeem } as const
  }
}) {}
