/**
 * The one URL splitter of the gateway: absolute URLs cut into their parts without `new URL`
 * (runtimes hand the gateway an already-parsed, absolute URL, and the upstream URL is built from
 * a parsed base; re-parsing either per request is wasted work). Fragments never reach a server,
 * so they are not handled.
 */
export interface UrlParts {
  readonly host: string;
  readonly pathname: string;
  readonly search: string;
}

/** Where the authority of `url` starts: just after `//`. */
function authorityStart(url: string): number {
  return url.indexOf('//') + 2;
}

/**
 * Where the authority ends: the first `/` after `start`, unless the query (`queryStart`, the
 * first `?` after `start`, or -1) comes first; the end of the URL when neither exists.
 */
function authorityEnd(url: string, start: number, queryStart: number): number {
  const slash = url.indexOf('/', start);
  if (slash !== -1 && (queryStart === -1 || slash < queryStart)) return slash;
  return queryStart === -1 ? url.length : queryStart;
}

/** The request URL's host, pathname (`/` when empty) and search (with its `?`, or empty). */
export function splitRequestUrl(url: string): UrlParts {
  const start = authorityStart(url);
  const queryStart = url.indexOf('?', start);
  const end = authorityEnd(url, start, queryStart);
  const host = url.slice(start, end);
  if (end === queryStart || end === url.length)
    return { host, pathname: '/', search: queryStart === -1 ? '' : url.slice(queryStart) };
  return queryStart === -1
    ? { host, pathname: url.slice(end), search: '' }
    : { host, pathname: url.slice(end, queryStart), search: url.slice(queryStart) };
}

/** `http://host:port/p?q` → origin (`http://host:port`) and path with its query (`/` when empty). */
export function splitOrigin(url: string): { readonly origin: string; readonly path: string } {
  const start = authorityStart(url);
  const end = authorityEnd(url, start, url.indexOf('?', start));
  const rest = url.slice(end);
  return { origin: url.slice(0, end), path: rest.charCodeAt(0) === 0x2f ? rest : '/' + rest };
}

/** `http://host:port/p?q` → `http://host:port`. */
export function originOf(url: string): string {
  const start = authorityStart(url);
  return url.slice(0, authorityEnd(url, start, url.indexOf('?', start)));
}

/**
 * `host[:port]` (the host possibly a bracketed IPv6 literal) split in two: the host as written,
 * and the port written, else the scheme's default (`https` 443, anything else 80).
 */
export function splitAuthority(
  authority: string,
  protocol: string,
): { readonly host: string; readonly port: string } {
  const colon = authority.lastIndexOf(':');
  if (colon !== -1 && colon > authority.lastIndexOf(']')) {
    const port = authority.slice(colon + 1);
    if (/^\d{1,5}$/.test(port)) return { host: authority.slice(0, colon), port };
  }
  return { host: authority, port: protocol === 'https' ? '443' : '80' };
}
