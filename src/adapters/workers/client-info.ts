import type { ClientInfo } from '../../platform.js';

/**
 * Connection facts for one request on Workers. The runtime hides the socket, so the client
 * address is the `CF-Connecting-IP` header, which Cloudflare's edge sets on every request (and
 * overwrites when a client sends its own). Under `wrangler dev`/Miniflare the local entry sets it
 * from the socket only when the client did not send one (docs/WORKERS.md).
 */
export function clientInfoFor(request: Request): ClientInfo {
  const malformed = joinedAuthorization(request.headers.get('authorization'));
  return {
    ...(malformed === undefined ? {} : { malformed }),
    address: request.headers.get('cf-connecting-ip') ?? '',
    // The URL the runtime built from the connection; a client's X-Forwarded-Proto is not trusted.
    protocol: request.url.startsWith('https:') ? 'https' : 'http',
    signal: request.signal,
  };
}

/**
 * Workers join repeated headers with ", " before the Worker sees them, so two Authorization
 * headers arrive as one value. One credentials value (RFC 9110 §11.4) only has commas between
 * auth-params (`name=value`), and token68 (Bearer, Basic) has none; a comma followed by
 * `scheme SP something-that-is-not-"="` (outside quoted strings) is therefore a second header.
 * The Node adapter sees the raw header lines and answers the same 400 (client-info.ts there).
 */
const SECOND_CREDENTIALS = /,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]+[^=\s]/;
const QUOTED_STRING = /"(?:[^"\\]|\\.)*"/g;

function joinedAuthorization(value: string | null): string | undefined {
  if (value === null || !value.includes(',')) return undefined;
  return SECOND_CREDENTIALS.test(value.replace(QUOTED_STRING, '""'))
    ? 'duplicate Authorization header'
    : undefined;
}
