import * as Net from "node:net"
import type { HttpServerRequest } from "@effect/platform"
import { Option } from "effect"

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) as `192.0.2.1`, so one client has one address. */
const canonical = (address: string): string =>
  address.startsWith("::ffff:") && Net.isIPv4(address.slice(7)) ? address.slice(7) : address

/** Whether a string is an address or a CIDR block (`10.0.0.0/8`, `fd00::/8`) that `trusted_proxies` accepts. */
export const isAddressOrCidr = (entry: string): boolean => {
  const [address = "", prefix, ...rest] = entry.split("/")
  const version = Net.isIP(address)
  if (version === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128)
}

/**
 * Finds the address of the client a request comes from. The peer is the client unless it is a
 * trusted proxy; only then is `X-Forwarded-For` read, from the right (each proxy appends the
 * address it saw), and the first address that is not itself a trusted proxy is the client. Left of
 * it the header is whatever the client wrote, so it is never read. An entry that is not an address
 * stops the walk at the proxy that reported it.
 */
export const make = (trusted: ReadonlyArray<string>) => {
  const proxies = new Net.BlockList()
  for (const entry of trusted) {
    const [given = "", prefix] = entry.split("/")
    const address = prefix === undefined ? canonical(given) : given
    const type = Net.isIPv4(address) ? "ipv4" : "ipv6"
    if (prefix === undefined) proxies.addAddress(address, type)
    else proxies.addSubnet(address, Number(prefix), type)
  }
  const isTrusted = (address: string) => {
    const version = Net.isIP(address)
    return version !== 0 && proxies.check(address, version === 4 ? "ipv4" : "ipv6")
  }
  return (request: HttpServerRequest.HttpServerRequest): string => {
    const peer = canonical(Option.getOrElse(request.remoteAddress, () => "unknown"))
    if (trusted.length === 0 || !isTrusted(peer)) return peer
    const header = request.headers["x-forwarded-for"]
    if (header === undefined) return peer
    const hops = header.split(",")
    let client = peer
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = canonical(hops[i]!.trim())
      if (Net.isIP(hop) === 0) return client
      client = hop
      if (!isTrusted(hop)) return hop
    }
    return client
  }
}
