/**
 * Where a browser may be sent after login, logout or a failed login (docs/FLOWS.md "Browser
 * sessions"): only to an entry of `session.return_to` — never an open redirect. An entry is
 *   - a path (`/app`): that path and everything below it on the gateway's own origin; the
 *     redirect stays relative, so the browser stays on the origin it used;
 *   - an origin or URL (`https://app.example`, `https://app.example/dashboard`): that origin,
 *     at that path and below.
 * A requested value is compared after URL parsing, so `//evil.example`, `/\evil.example`,
 * `https://app.example.evil.example` or `https://app.example@evil.example` never match.
 */
export interface ReturnToPolicy {
  /** The URL to redirect to for a requested value, or undefined when it is not allowed. */
  resolve(requested: string | null): string | undefined;
  /** Origins of the absolute entries (the CSRF check trusts them). */
  readonly origins: ReadonlySet<string>;
  /** The first entry: where the browser goes when nothing was requested. */
  readonly fallback: string;
}

interface Entry {
  readonly origin: string | undefined;
  readonly path: string;
}

/** The entry as a rule, or a message explaining why it is not one (used by lint too). */
export function parseReturnToEntry(value: string): Entry | string {
  if (value.startsWith('/')) {
    if (value.startsWith('//') || value.includes('\\')) return 'a path entry starts with a single "/"';
    if (/[?#]/.test(value)) return 'a path entry has no query or fragment';
    return { origin: undefined, path: value };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a path ("/app") or an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http(s) URLs';
  if (url.username || url.password || url.search || url.hash) return 'no credentials, query or fragment';
  return { origin: url.origin, path: url.pathname };
}

function underPath(pathname: string, prefix: string): boolean {
  if (prefix === '/' || pathname === prefix) return true;
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return pathname.startsWith(base);
}

/**
 * `selfOrigin` is the gateway's public origin (the redirect_uri's): an absolute URL there is
 * judged like the relative path it names.
 */
export function createReturnToPolicy(values: readonly string[], selfOrigin?: string): ReturnToPolicy {
  const entries: Entry[] = [];
  for (const value of values) {
    const entry = parseReturnToEntry(value);
    if (typeof entry !== 'string') entries.push(entry);
  }
  const origins = new Set(entries.flatMap((e) => (e.origin ? [e.origin] : [])));
  const first = values[0] ?? '/';
  return {
    origins,
    fallback: first,
    resolve(requested) {
      if (requested === null || requested === '') return first;
      if (requested.length > 2048 || hasControlOrBackslash(requested)) return undefined;
      if (requested.startsWith('/') && !requested.startsWith('//')) {
        // Relative: parsed against a placeholder origin to normalise `..` and encodings.
        const url = new URL(requested, 'http://gatehouse.invalid');
        if (url.origin !== 'http://gatehouse.invalid') return undefined;
        const ok = entries.some((e) => e.origin === undefined && underPath(url.pathname, e.path));
        return ok ? `${url.pathname}${url.search}${url.hash}` : undefined;
      }
      let url: URL;
      try {
        url = new URL(requested);
      } catch {
        return undefined;
      }
      if (url.username || url.password) return undefined;
      const ok = entries.some(
        (e) => (e.origin ?? selfOrigin) === url.origin && underPath(url.pathname, e.path),
      );
      return ok ? url.href : undefined;
    },
  };
}

/** Control characters (header splitting) and backslashes (read as `/` by browsers) are never allowed. */
function hasControlOrBackslash(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/** `location` plus `error` and `error_description` parameters (a failed login, RFC 6749 §4.1.2.1). */
export function withParams(location: string, params: Readonly<Record<string, string | undefined>>): string {
  const relative = location.startsWith('/');
  const url = new URL(location, 'http://gatehouse.invalid');
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return relative ? `${url.pathname}${url.search}${url.hash}` : url.href;
}
