/**
 * A server base URL, parsed and normalized once at compile time, so that building the upstream
 * URL of a request is string concatenation only (no `new URL` per request).
 */
export interface UpstreamBase {
  /** `scheme://authority` plus the path without its trailing slash: `https://b.example.com/base`. */
  readonly prefix: string;
  /** The server URL's own query, encoded, with its `?`; empty when it has none. */
  readonly search: string;
}

const NOT_ABSOLUTE =
  'server URL must be an absolute http:// or https:// URL, or a path ("/upstream": this gateway itself)';

/**
 * One server URL, checked and parsed in one pass: an absolute URL becomes its base; a path
 * (`/upstream`) means this gateway itself, whose origin is known only once it listens.
 */
export type ServerUrl =
  | { readonly kind: 'absolute'; readonly base: UpstreamBase }
  | { readonly kind: 'self'; readonly path: string };

/**
 * The parsed URL, or why it cannot be used. The message never repeats the URL: a rejected one
 * may carry credentials (userinfo), and problems are printed and logged.
 */
export function checkServerUrl(raw: string): { readonly url: ServerUrl } | { readonly problem: string } {
  if (isSelfPath(raw)) {
    return raw.includes('#') || raw.includes('?') || raw.includes('\\')
      ? { problem: 'a server URL written as a path must be a plain path (no query, fragment or backslash)' }
      : { url: { kind: 'self', path: raw } };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: NOT_ABSOLUTE };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: NOT_ABSOLUTE };
  // A fragment is never sent, so one in the config is a mistake (`raw`: a bare `#` parses to '').
  if (raw.includes('#')) return { problem: 'server URL must not contain a fragment (#)' };
  if (url.username !== '' || url.password !== '') {
    return {
      problem: 'server URL must not contain credentials (user:password@); set headers with mapping instead',
    };
  }
  return { url: { kind: 'absolute', base: baseOf(url) } };
}

/**
 * A server URL written as a path (`/upstream`): this gateway itself, at its own origin
 * (docs/CONFIG.md "Top level"), so an example works on whatever port it is started.
 */
export function isSelfPath(raw: string): boolean {
  return raw.startsWith('/') && !raw.startsWith('//');
}

/** The base of a path server once the gateway knows its origin (the path was checked). */
export function selfBase(path: string, selfOrigin: string): UpstreamBase {
  return baseOf(new URL(path, selfOrigin));
}

function baseOf(url: URL): UpstreamBase {
  const path = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return { prefix: url.origin + path, search: url.search };
}

/**
 * The path appended to the server's: for a route ending in `/{.+}`, `/` plus what the wildcard
 * matched (`/api/v1/proxy/{.+}` + `/api/v1/proxy/orders/1` → `/orders/1`, and `/` for the bare
 * prefix); for any other route, the whole canonical request path.
 */
export function upstreamPath(path: string, wildcardRest: string | undefined): string {
  return wildcardRest === undefined ? path : '/' + wildcardRest;
}

/**
 * The upstream URL: server prefix + path, then the server's query parameters, then the
 * request's. `rawSearch` (with its `?`, or empty) is appended as the client sent it unless
 * mapping produced `query`, whose serialization then replaces it.
 */
export function buildUpstreamUrl(
  base: UpstreamBase,
  path: string,
  rawSearch: string,
  query?: URLSearchParams,
): string {
  const requestQuery = query === undefined ? rawSearch : '?' + query.toString();
  if (base.search === '')
    return requestQuery.length > 1 ? base.prefix + path + requestQuery : base.prefix + path;
  if (requestQuery.length <= 1) return base.prefix + path + base.search;
  return base.prefix + path + base.search + '&' + requestQuery.slice(1);
}
