import type { ResolvedClient } from './client-address.js';
import { splitAuthority } from '../url-parts.js';

/**
 * The forwarding headers the upstream receives (docs/BEHAVIOUR.md "Client address"). They all
 * come from one ResolvedClient, so they never disagree: whatever the client sent under these
 * names was removed before (proxy/headers.ts), and only a trusted proxy's protocol, host and
 * port are honoured.
 */
export const FORWARDING_HEADERS = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
  'forwarded',
] as const;

export interface ForwardingView {
  readonly resolved: ResolvedClient;
  /** `http`/`https` of the connection to the gateway. */
  readonly protocol: string;
  /** Authority the client addressed (Host). */
  readonly host: string;
  /** The gateway's port the connection arrived on, when known. */
  readonly localPort?: number | undefined;
  /** The incoming headers, read for a trusted proxy's X-Forwarded-Proto/-Host/-Port. */
  readonly incoming: { get(name: string): string | null };
}

/**
 * Other headers frameworks read the client's address or scheme from (Rails `Client-IP`, Rack
 * `X-Forwarded-Scheme`/`-Ssl`, Spring `X-Forwarded-Prefix`, …), and headers some servers take as
 * the real request URL (IIS/Symfony `X-Original-URL`, `X-Rewrite-URL`). The gateway sets none of
 * them, and a client's value would contradict what it decided, so they are never forwarded.
 */
export const SPOOFABLE_HEADERS = [
  'client-ip',
  'x-client-ip',
  'true-client-ip',
  'x-cluster-client-ip',
  'x-originating-ip',
  'x-remote-ip',
  'x-remote-addr',
  'fastly-client-ip',
  'cf-connecting-ip',
  'x-forwarded',
  'forwarded-for',
  'x-forwarded-server',
  'x-forwarded-scheme',
  'x-forwarded-ssl',
  'x-forwarded-prefix',
  'x-forwarded-path',
  'x-url-scheme',
  'front-end-https',
  'x-original-url',
  'x-rewrite-url',
  'x-override-url',
] as const;

const PROTOCOLS = new Set(['http', 'https']);

/**
 * The protocol, host and port the client used to reach us: what the gateway saw, or what a
 * trusted proxy in front of it says it saw.
 */
export function publicAuthority(view: ForwardingView): { protocol: string; host: string; port: string } {
  const { resolved, incoming } = view;
  let protocol = view.protocol;
  let host = view.host;
  let port: string | undefined;
  if (resolved.viaTrustedProxy) {
    const proto = lastValue(incoming.get('x-forwarded-proto'))?.toLowerCase();
    if (proto !== undefined && PROTOCOLS.has(proto)) protocol = proto;
    const forwardedHost = lastValue(incoming.get('x-forwarded-host'));
    if (forwardedHost !== undefined && forwardedHost !== '') host = forwardedHost;
    const forwardedPort = lastValue(incoming.get('x-forwarded-port'));
    if (forwardedPort !== undefined && /^\d{1,5}$/.test(forwardedPort)) port = forwardedPort;
  }
  port ??= view.localPort === undefined ? splitAuthority(host, protocol).port : String(view.localPort);
  return { protocol, host, port };
}

export function setForwardingHeaders(headers: Headers, view: ForwardingView): void {
  const pairs: string[] = [];
  appendForwardingHeaders(pairs, view);
  for (let i = 0; i < pairs.length; i += 2) headers.set(pairs[i]!, pairs[i + 1]!);
}

/**
 * The forwarding headers as flat `[name, value, …]` pairs appended to `out` (the form the Node
 * upstream client sends without a Headers object). The caller left out any client-sent copies.
 */
export function appendForwardingHeaders(out: string[], view: ForwardingView): void {
  const { resolved } = view;
  const { protocol, host, port } = publicAuthority(view);
  if (resolved.chain.length > 0) {
    out.push('x-forwarded-for', resolved.chain.join(', '), 'x-real-ip', resolved.address);
  }
  out.push('x-forwarded-proto', protocol);
  if (host !== '') out.push('x-forwarded-host', host);
  out.push('x-forwarded-port', port);
  const forwardedFor = resolved.address === '' ? '' : `for=${forwardedNode(resolved.address)};`;
  out.push('forwarded', `${forwardedFor}${host === '' ? '' : `host=${quotedHost(host)};`}proto=${protocol}`);
}

/**
 * The last host quoted, kept: nearly every request of a gateway names the same Host, and its
 * `host:port` form always needs quoting, a regex test and a replace per proxied request.
 */
let lastHost = '';
let lastQuotedHost = '';

function quotedHost(host: string): string {
  if (host !== lastHost) {
    lastQuotedHost = quoted(host);
    lastHost = host;
  }
  return lastQuotedHost;
}

function lastValue(value: string | null): string | undefined {
  if (value === null) return undefined;
  const comma = value.lastIndexOf(',');
  return (comma === -1 ? value : value.slice(comma + 1)).trim();
}

/** RFC 7239 §6: IPv6 nodes are bracketed and quoted. */
function forwardedNode(address: string): string {
  return address.includes(':') ? `"[${address}]"` : address;
}

function quoted(value: string): string {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}
