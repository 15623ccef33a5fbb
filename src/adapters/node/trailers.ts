/**
 * Trailer fields passed from an upstream's chunked response to the client (docs/PROTOCOLS.md
 * "Trailers", RFC 9110 §6.5). Only fields the upstream announced in its `Trailer` header pass, and
 * never one that a recipient must not take from a trailer (RFC 9110 §6.5.1: framing, routing,
 * authentication, controls, content metadata) nor a hop-by-hop one.
 */
const NEVER_IN_TRAILERS: ReadonlySet<string> = new Set([
  'age',
  'authorization',
  'cache-control',
  'connection',
  'content-encoding',
  'content-length',
  'content-range',
  'content-type',
  'date',
  'expect',
  'expires',
  'host',
  'keep-alive',
  'location',
  'max-forwards',
  'pragma',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'range',
  'retry-after',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'vary',
  'www-authenticate',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** The trailer names an upstream's `Trailer` header announces that may pass, or undefined when none. */
export function announcedTrailers(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names: string[] = [];
  for (const token of (typeof value === 'string' ? value : value.join(',')).toLowerCase().split(',')) {
    const name = token.trim();
    if (TOKEN.test(name) && !NEVER_IN_TRAILERS.has(name) && !names.includes(name)) names.push(name);
  }
  return names.length === 0 ? undefined : names;
}

/** The received trailers that were announced, as one value per name (repeats joined by `, `). */
export function passableTrailers(
  received: Readonly<Record<string, string | string[] | undefined>> | null | undefined,
  announced: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!received) return out;
  for (const name of announced) {
    const value = received[name];
    if (value !== undefined) out[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}
