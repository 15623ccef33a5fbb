import { HOP_BY_HOP_HEADERS } from './hop-by-hop.js';
import type { ClientInfo } from '../platform.js';

/**
 * Header rules of `http_proxy` (docs/BEHAVIOUR.md "6. http_proxy", docs/COMPAT.md row 17, RFC 9110 §7.6.1).
 * Every name set is computed once per route; a request only does Set lookups.
 */

/**
 * Request headers the gateway never forwards as the client sent them:
 * - `host`: the upstream's authority is sent instead (the HTTP client derives it from the URL);
 * - forwarding headers: the gateway sets them from what it saw (below);
 * - `expect`: the gateway's own HTTP server already answered any `100-continue`, so the
 *   expectation is met on this hop (and undici refuses to send it).
 */
const REQUEST_ONLY_DROPS = [
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'forwarded',
  'expect',
];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

export interface RequestHeaderRuleOptions {
  readonly stripAuthorization: boolean;
  /** Headers that mapping sets: a client-sent value must never survive (docs/COMPAT.md row 15). */
  readonly mappedHeaderNames: readonly string[];
}

/** The lower-case names a route removes from every request before forwarding. */
export function compileRequestDrops(options: RequestHeaderRuleOptions): ReadonlySet<string> {
  const drops = new Set<string>([...HOP_BY_HOP_HEADERS, ...REQUEST_ONLY_DROPS]);
  if (options.stripAuthorization) drops.add('authorization');
  for (const name of options.mappedHeaderNames) drops.add(name.toLowerCase());
  return drops;
}

/**
 * The header names a `Connection` value lists (RFC 9110 §7.6.1), lower-cased; undefined when
 * it lists nothing beyond the usual `keep-alive`/`close`, which is by far the common case.
 */
export function connectionNamedHeaders(connection: string | null): string[] | undefined {
  if (connection === null) return undefined;
  const lower = connection.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close') return undefined;
  const names: string[] = [];
  for (const token of lower.split(',')) {
    const name = token.trim();
    // Anything that is not a header name could never match one (and `Headers.delete` would throw).
    if (TOKEN.test(name)) names.push(name);
  }
  return names.length === 0 ? undefined : names;
}

/**
 * The one hop-by-hop rule (RFC 9110 §7.6.1), applied in one order in both directions: a name in
 * the fixed set (the hop-by-hop list, plus a route's own request drops) is left out, then a name
 * the message's own `Connection` header lists. `connectionNamed` comes from
 * connectionNamedHeaders, computed once per message.
 */
export function isHopByHop(
  name: string,
  fixed: ReadonlySet<string>,
  connectionNamed: readonly string[] | undefined,
): boolean {
  return fixed.has(name) || (connectionNamed !== undefined && connectionNamed.includes(name));
}

/** The `Connection`-named headers of a Node-style header record (arrays for repeated headers). */
function connectionNamedInRecord(
  record: Readonly<Record<string, string | readonly string[] | undefined>>,
): string[] | undefined {
  const connection = record['connection'];
  return connectionNamedHeaders(
    connection === undefined ? null : typeof connection === 'string' ? connection : connection.join(','),
  );
}

/** What the gateway itself saw of this request, the only source of forwarding headers. */
export interface ForwardingFacts {
  readonly client: ClientInfo;
  /** Host (authority) the client addressed. */
  readonly host: string;
  readonly requestId: string;
}

/**
 * Builds the upstream request headers from the incoming ones.
 *
 * `X-Forwarded-For` gets the client address appended (docs/BEHAVIOUR.md): entries the client sent
 * stay in front, and the last entry is always the address the gateway itself saw — the only one
 * an upstream may trust. `X-Forwarded-Proto`/`-Host` are replaced by what the gateway saw, and
 * `X-Request-Id` carries the gateway's request id so upstream logs can be joined with ours.
 */
export function buildUpstreamHeaders(
  incoming: Headers,
  drops: ReadonlySet<string>,
  facts: ForwardingFacts,
): Headers {
  const connectionNamed = connectionNamedHeaders(incoming.get('connection'));
  const headers = new Headers();
  for (const [name, value] of incoming) {
    if (!isHopByHop(name, drops, connectionNamed)) headers.append(name, value);
  }
  const forwardedFor = incoming.get('x-forwarded-for');
  if (facts.client.address !== '') {
    headers.append(
      'x-forwarded-for',
      forwardedFor ? `${forwardedFor}, ${facts.client.address}` : facts.client.address,
    );
  }
  headers.set('x-request-id', facts.requestId);
  headers.append('x-forwarded-proto', facts.client.protocol);
  if (facts.host !== '') headers.append('x-forwarded-host', facts.host);
  return headers;
}

/** Response headers built by responseHeadersFrom: already clean, so cleaning them is free. */
const BUILT_CLEAN = new WeakSet<Headers>();
const HOP_BY_HOP_SET: ReadonlySet<string> = new Set(HOP_BY_HOP_HEADERS);

/**
 * Builds upstream response headers from a record of lower-case names (as Node HTTP clients
 * give them; arrays for repeated headers such as set-cookie, each value kept as its own line),
 * leaving hop-by-hop ones out. Measured: skipping them here instead of nine `delete` calls
 * afterwards halves the cost of a typical response's headers.
 */
export function responseHeadersFrom(
  record: Readonly<Record<string, string | readonly string[] | undefined>>,
): Headers {
  const connectionNamed = connectionNamedInRecord(record);
  const headers = new Headers();
  for (const name in record) {
    if (isHopByHop(name, HOP_BY_HOP_SET, connectionNamed)) continue;
    const value = record[name];
    if (typeof value === 'string') headers.append(name, value);
    else if (value !== undefined) for (const item of value) headers.append(name, item);
  }
  BUILT_CLEAN.add(headers);
  return headers;
}

/**
 * The same headers as a plain record (for an Answer), or undefined when a header repeats (an
 * array value, such as several Set-Cookie lines), which a plain record cannot hold.
 */
export function responseHeaderRecord(
  record: Readonly<Record<string, string | readonly string[] | undefined>>,
): Record<string, string> | undefined {
  const connectionNamed = connectionNamedInRecord(record);
  const out: Record<string, string> = {};
  for (const name in record) {
    const value = record[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return undefined;
    if (!isHopByHop(name, HOP_BY_HOP_SET, connectionNamed)) out[name] = value;
  }
  return out;
}

/**
 * Removes hop-by-hop headers from an upstream response, in place. Throws TypeError when the
 * headers are immutable (a Workers `fetch` response); see forward.ts.
 */
export function cleanResponseHeaders(headers: Headers): void {
  if (BUILT_CLEAN.has(headers)) return;
  // Deleting in place: the same two sources as isHopByHop, the fixed list and Connection's.
  const connectionNamed = connectionNamedHeaders(headers.get('connection'));
  for (const name of HOP_BY_HOP_HEADERS) headers.delete(name);
  if (connectionNamed !== undefined) for (const name of connectionNamed) headers.delete(name);
}
