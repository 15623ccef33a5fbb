import { parseIp, type IpRanges } from './ip-ranges.js';

/**
 * The one answer to "who is the client?" (docs/BEHAVIOUR.md "Client address"). The gateway is
 * the edge unless `gateway.trusted_proxies` says otherwise: a peer outside those ranges is the
 * client, whatever forwarding headers it sent. A peer inside them is a proxy of ours, so its
 * `X-Forwarded-For` (or, when absent, `Forwarded`) is read right to left, skipping trusted
 * proxies, and the first address that is not one of them is the client. Everything that keys on
 * the client (the access log, the forwarding headers, rate limiting) calls this function.
 *
 * Pure: no runtime API, no clock, so both runtimes and tests share it.
 */
/**
 * Reads one request header, as `Headers.get` does (repeats joined by `, `, null when absent).
 * `name` must be lower-case: the Node reader looks it up in node:http's lower-case record as
 * given, so a name from the config is lower-cased once, when the config is compiled.
 */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface ResolvedClient {
  /** The client's address, as the gateway decided it. Empty when the runtime gave none. */
  readonly address: string;
  /**
   * The hops from the client to the gateway, client first and the gateway's peer last: what the
   * upstream receives as `X-Forwarded-For`. Entries left of the client (spoofable) are gone.
   */
  readonly chain: readonly string[];
  /** True when the peer is a trusted proxy (its `X-Forwarded-Proto/-Host/-Port` are honoured). */
  readonly viaTrustedProxy: boolean;
}

export function resolveClientAddress(peer: string, headers: HeaderReader, trusted: IpRanges): ResolvedClient {
  const direct = normalizeAddress(peer);
  if (trusted.size === 0 || !trusted.contains(direct)) return edge(direct);
  const hops = forwardedHops(headers);
  hops.push(direct);
  let client = hops.length - 1;
  while (client > 0) {
    const previous = hops[client - 1] as string;
    // A hop that is not an address (`unknown`, an obfuscated `_id`, garbage) ends the walk:
    // nothing left of it can be attributed to anyone.
    if (parseIp(previous) === undefined) break;
    if (!trusted.contains(hops[client] as string)) break;
    client--;
  }
  return { address: hops[client] as string, chain: hops.slice(client), viaTrustedProxy: true };
}

function edge(address: string): ResolvedClient {
  return { address, chain: address === '' ? [] : [address], viaTrustedProxy: false };
}

/** `X-Forwarded-For` entries, else `Forwarded` `for=` values (RFC 7239 §5.2), normalized. */
function forwardedHops(headers: HeaderReader): string[] {
  const xff = headers.get('x-forwarded-for');
  if (xff !== null) return xff.split(',').map((entry) => normalizeAddress(entry.trim()));
  const forwarded = headers.get('forwarded');
  if (forwarded === null) return [];
  const hops: string[] = [];
  for (const element of forwarded.split(',')) {
    const pair = element
      .split(';')
      .map((p) => p.trim())
      .find((p) => p.toLowerCase().startsWith('for='));
    hops.push(pair === undefined ? 'unknown' : normalizeAddress(nodeAddress(pair.slice(4))));
  }
  return hops;
}

/** A Forwarded node (`"[2001:db8::1]:4711"`, `192.0.2.1:80`, `unknown`) → its address. */
function nodeAddress(value: string): string {
  let node = value.trim();
  if (node.startsWith('"') && node.endsWith('"')) node = node.slice(1, -1);
  if (node.startsWith('[')) {
    const close = node.indexOf(']');
    return close === -1 ? node : node.slice(1, close);
  }
  const colon = node.indexOf(':');
  return colon !== -1 && node.indexOf(':', colon + 1) === -1 ? node.slice(0, colon) : node;
}

/** `::ffff:10.0.0.1` (a dual-stack socket's view of an IPv4 peer) → `10.0.0.1`. */
export function normalizeAddress(address: string): string {
  return address.length > 7 && address.slice(0, 7).toLowerCase() === '::ffff:' && address.includes('.')
    ? address.slice(7)
    : address;
}
