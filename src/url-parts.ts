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

/** Where the authority ends: the first `/` or `?` after its start, else the end of the URL. */
function authorityEnd(url: string, from: number): number {
  let end = from;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 0x2f /* / */ || c === 0x3f /* ? */) return end;
    end++;
  }
  return end;
}

/** The request URL's host, pathname (`/` when empty) and search (with its `?`, or empty). */
export function splitRequestUrl(url: string): UrlParts {
  const start = authorityStart(url);
  const end = authorityEnd(url, start);
  const host = url.slice(start, end);
  if (end === url.length || url.charCodeAt(end) === 0x3f)
    return { host, pathname: '/', search: url.slice(end) };
  const queryStart = url.indexOf('?', end);
  return queryStart === -1
    ? { host, pathname: url.slice(end), search: '' }
    : { host, pathname: url.slice(end, queryStart), search: url.slice(queryStart) };
}

/** `http://host:port/p?q` → origin (`http://host:port`) and path with its query (`/` when empty). */
export function splitOrigin(url: string): { readonly origin: string; readonly path: string } {
  const end = authorityEnd(url, authorityStart(url));
  const rest = url.slice(end);
  return { origin: url.slice(0, end), path: rest.charCodeAt(0) === 0x2f ? rest : '/' + rest };
}

/** `http://host:port/p?q` → `http://host:port`. */
export function originOf(url: string): string {
  return url.slice(0, authorityEnd(url, authorityStart(url)));
}
