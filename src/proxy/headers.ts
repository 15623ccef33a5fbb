import { HOP_BY_HOP_HEADERS } from './hop-by-hop.js';
import type { ClientInfo, UpstreamClient } from '../platform.js';
import type { HeaderReader, ResolvedClient } from './client-address.js';
import {
  appendForwardingHeaders,
  FORWARDING_HEADERS,
  setForwardingHeaders,
  SPOOFABLE_HEADERS,
} from './forwarding-headers.js';
import { compileHeaderDrops, type HeaderDrops, type HeaderPolicyOptions } from './request-header-policy.js';

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
  ...FORWARDING_HEADERS,
  ...SPOOFABLE_HEADERS,
  'expect',
  // httpoxy (CVE-2016-5385): CGI turns it into HTTP_PROXY, which HTTP clients read as their proxy.
  'proxy',
];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

export interface RequestHeaderRuleOptions extends HeaderPolicyOptions {
  readonly stripAuthorization: boolean;
  /** Headers that mapping sets: a client-sent value must never survive (docs/COMPAT.md row 15). */
  readonly mappedHeaderNames: readonly string[];
}

/** The lower-case names a route removes from every request before forwarding. */
export function compileRequestDrops(options: RequestHeaderRuleOptions): HeaderDrops {
  const drops = new Set<string>([...HOP_BY_HOP_HEADERS, ...REQUEST_ONLY_DROPS]);
  if (options.stripAuthorization) drops.add('authorization');
  for (const name of options.mappedHeaderNames) drops.add(name.toLowerCase());
  return compileHeaderDrops(drops, ['x-request-id', 'authorization'], options);
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
  fixed: Pick<ReadonlySet<string>, 'has'>,
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
  /** proxy/client-address.ts: the client and the hops to it. */
  readonly clientAddress: ResolvedClient;
}

/**
 * Builds the upstream request headers from the incoming ones. The forwarding headers come from
 * the resolved client only (proxy/forwarding-headers.ts), and `X-Request-Id` carries the
 * gateway's request id so upstream logs can be joined with ours.
 */
export function buildUpstreamHeaders(incoming: Headers, drops: HeaderDrops, facts: ForwardingFacts): Headers {
  const connectionNamed = connectionNamedHeaders(incoming.get('connection'));
  const headers = new Headers();
  for (const [name, value] of incoming) {
    if (!isHopByHop(name, drops, connectionNamed)) headers.append(name, value);
  }
  headers.set('x-request-id', facts.requestId);
  setForwardingHeaders(headers, {
    resolved: facts.clientAddress,
    protocol: facts.client.protocol,
    host: facts.host,
    localPort: facts.client.localPort,
    incoming,
  });
  return headers;
}

/**
 * The same upstream headers as buildUpstreamHeaders, as flat `[name, value, …]` pairs read
 * straight from the HTTP parser's header lines (Node's `rawHeaders`): no Web Headers is built
 * for the request or for the upstream call (docs/ARCHITECTURE.md "Speed devices"). Names are
 * lower-cased as Headers would; a repeated header stays as its lines (the same field, RFC 9110
 * §5.3); HTTP/2 pseudo-headers (`:path`, …) are not headers. `incoming` reads the same request.
 */
export function buildUpstreamHeaderList(
  raw: readonly string[],
  incoming: HeaderReader,
  drops: HeaderDrops,
  facts: ForwardingFacts,
): string[] {
  const connectionNamed = connectionNamedHeaders(incoming.get('connection'));
  const flat: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name.charCodeAt(0) === 0x3a /* : */ || name === 'x-request-id') continue;
    if (!isHopByHop(name, drops, connectionNamed)) flat.push(name, raw[i + 1]!);
  }
  flat.push('x-request-id', facts.requestId);
  appendForwardingHeaders(flat, {
    resolved: facts.clientAddress,
    protocol: facts.client.protocol,
    host: facts.host,
    localPort: facts.client.localPort,
    incoming,
  });
  return flat;
}

/**
 * `set`/`delete` over a flat pair list, as mapping writes into a Headers object: names lower-
 * cased, values stripped of surrounding spaces and tabs as `Headers.set` does (the mapping
 * refused CR, LF, NUL and non-Latin-1 values before).
 */
export class HeaderPairs {
  constructor(private readonly list: string[]) {}

  /** Replaces every line of `name` with one; appends at the end when there was none (the usual case). */
  set(name: string, value: string): void {
    const lower = name.toLowerCase();
    removeLines(this.list, lower);
    this.list.push(lower, trimHeaderValue(value));
  }

  /** Adds a line, keeping any already there (Headers' `append`). */
  append(name: string, value: string): void {
    this.list.push(name.toLowerCase(), trimHeaderValue(value));
  }

  get(name: string): string | null {
    const lower = name.toLowerCase();
    const list = this.list;
    let joined: string | null = null;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === lower) joined = joined === null ? list[i + 1]! : `${joined}, ${list[i + 1]!}`;
    }
    return joined;
  }

  delete(name: string): void {
    removeLines(this.list, name.toLowerCase());
  }
}

/** Removes the lines of a lower-case name from a pair list, in place (a scan; splices only on a hit). */
function removeLines(list: string[], lower: string): void {
  for (let i = list.length - 2; i >= 0; i -= 2) if (list[i] === lower) list.splice(i, 2);
}

/** Strips surrounding spaces and tabs as `Headers.set` does; checks two characters in the usual case. */
function trimHeaderValue(value: string): string {
  const last = value.length - 1;
  if (last < 0) return value;
  const first = value.charCodeAt(0);
  const end = value.charCodeAt(last);
  if (first !== 0x20 && first !== 0x09 && end !== 0x20 && end !== 0x09) return value;
  return value.replace(EDGE_WHITESPACE, '');
}

const EDGE_WHITESPACE = /^[\t ]+|[\t ]+$/g;

/** Flat `[name, value, …]` pairs as a Headers object, for a caller that needs one after all. */
export function headersFromList(list: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i < list.length; i += 2) headers.append(list[i]!, list[i + 1]!);
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
 * A Response built on headers from `responseHeadersFrom` (already clean, and possibly carrying
 * the client-side `Trailer` the adapter set): a standard Response copies its init headers, so
 * its own Headers object is the one marked clean.
 */
export function cleanBuiltResponse(response: Response): Response {
  BUILT_CLEAN.add(response.headers);
  return response;
}

/**
 * Removes hop-by-hop headers from an upstream response, in place. Throws TypeError when the
 * headers are immutable (a Workers `fetch` response); see forward.ts.
 */
export function cleanResponseHeaders(headers: Headers): void {
  if (BUILT_CLEAN.has(headers)) return;
  deleteHopByHop(headers);
}

/**
 * The same response with a mutable, clean copy of its headers, for a runtime whose `fetch`
 * responses have immutable headers (Workers): one copy, made where the response arrives, so no
 * later step has to find out by catching the TypeError of a refused `delete` (in workerd that
 * exception cost about a third of a proxied request's CPU, docs/ARCHITECTURE.md). The body is
 * the runtime's own stream, passed on untouched.
 */
export function withMutableCleanHeaders(response: Response): Response {
  const copy = mutableCleanCopy(response);
  BUILT_CLEAN.add(copy.headers);
  return copy;
}

/**
 * withMutableCleanHeaders without the mark, for an upstream client declared with
 * cleanHeadersClient: the proxy never re-checks its responses, so nothing reads a mark.
 */
export function mutableCleanCopy(response: Response): Response {
  const copy = new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  deleteHopByHop(copy.headers);
  return copy;
}

/** Upstream clients whose every Response already has mutable headers free of hop-by-hop ones. */
const CLEAN_CLIENTS = new WeakSet<UpstreamClient>();

/**
 * Declares, once when the client is built, that `client` keeps platform.ts's contract for every
 * Response it resolves (mutable headers, hop-by-hop ones gone), so the proxy step decides at
 * compile time to pass its responses on unchecked instead of looking each one up in a per-request
 * mark (docs/ARCHITECTURE.md "Performance devices"). A wrapper around the client (tracing) is not
 * declared, and its responses are checked as any other client's.
 */
export function cleanHeadersClient<C extends UpstreamClient>(client: C): C {
  CLEAN_CLIENTS.add(client);
  return client;
}

export function isCleanHeadersClient(client: UpstreamClient): boolean {
  return CLEAN_CLIENTS.has(client);
}

function deleteHopByHop(headers: Headers): void {
  // Deleting in place: the same two sources as isHopByHop, the fixed list and Connection's.
  const connectionNamed = connectionNamedHeaders(headers.get('connection'));
  for (const name of HOP_BY_HOP_HEADERS) headers.delete(name);
  if (connectionNamed !== undefined) for (const name of connectionNamed) headers.delete(name);
}
