/**
 * The parts of RFC 9111 a shared cache needs, as plain functions: directive parsing, whether a
 * response may be stored, and its freshness lifetime.
 */

export type Directives = ReadonlyMap<string, string | true>;

const EMPTY: Directives = new Map();

/** `Cache-Control` as lower-case directive → value (or `true` for a bare directive). */
export function parseCacheControl(value: string | null | undefined): Directives {
  if (!value) return EMPTY;
  const directives = new Map<string, string | true>();
  for (const part of value.split(',')) {
    const [rawName, ...rest] = part.split('=');
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    const raw = rest.join('=').trim();
    directives.set(name, raw === '' ? true : raw.replace(/^"(.*)"$/, '$1'));
  }
  return directives;
}

function seconds(directives: Directives, name: string): number | undefined {
  const value = directives.get(name);
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** Statuses a cache may store without explicit freshness (RFC 9110 §15.1 "heuristically cacheable"). */
const CACHEABLE_STATUS = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);

/**
 * Whether a shared cache may store this response (RFC 9111 §3): not `no-store` or `private`,
 * not `Vary: *`, no `Set-Cookie` (one user's cookie must never reach another), a cacheable
 * status, and — when the request carried `Authorization` — only if the response allows it
 * (`public`, `s-maxage`, `must-revalidate`, §3.5) or the route's key includes the identity.
 */
export function mayStore(
  status: number,
  response: Directives,
  headers: { get(name: string): string | null },
  requestHadAuthorization: boolean,
  keyHasIdentity: boolean,
): boolean {
  if (!CACHEABLE_STATUS.has(status)) return false;
  if (response.has('no-store') || response.has('private')) return false;
  if (headers.get('set-cookie') !== null) return false;
  if ((headers.get('vary') ?? '').split(',').some((name) => name.trim() === '*')) return false;
  if (requestHadAuthorization && !keyHasIdentity) {
    return response.has('public') || response.has('s-maxage') || response.has('must-revalidate');
  }
  return true;
}

/**
 * Freshness lifetime in seconds (RFC 9111 §4.2.1): `s-maxage`, then `max-age`, then `Expires`
 * minus `Date`; the route's `ttl_s` when the response says nothing. `no-cache` means stored but
 * always revalidated (lifetime 0).
 */
export function freshnessLifetime(
  response: Directives,
  headers: { get(name: string): string | null },
  ttlS: number,
): number {
  if (response.has('no-cache')) return 0;
  const shared = seconds(response, 's-maxage') ?? seconds(response, 'max-age');
  if (shared !== undefined) return shared;
  const expires = headers.get('expires');
  if (expires !== null) {
    const expiresAt = Date.parse(expires);
    if (Number.isNaN(expiresAt)) return 0; // an invalid Expires means already expired (§5.3)
    const date = Date.parse(headers.get('date') ?? '');
    return Math.max(0, Math.floor((expiresAt - (Number.isNaN(date) ? Date.now() : date)) / 1000));
  }
  return ttlS;
}

/**
 * How long past its lifetime a stored answer may still be served (RFC 5861): while revalidating
 * (`stale-while-revalidate`) and instead of an upstream error (`stale-if-error`), in ms. The
 * response's directives win; the route's `stale_while_revalidate_s` / `stale_if_error_s` apply
 * when it says nothing. `must-revalidate`, `proxy-revalidate` and `s-maxage` forbid serving
 * stale (RFC 9111 §4.2.4), as does `no-cache`.
 */
export function staleWindows(
  response: Directives,
  route: { stale_while_revalidate_s?: number; stale_if_error_s?: number },
): { staleWhileRevalidateMs: number; staleIfErrorMs: number } {
  if (['no-cache', 'must-revalidate', 'proxy-revalidate', 's-maxage'].some((name) => response.has(name)))
    return { staleWhileRevalidateMs: 0, staleIfErrorMs: 0 };
  const whileRevalidate = seconds(response, 'stale-while-revalidate') ?? route.stale_while_revalidate_s ?? 0;
  const ifError = seconds(response, 'stale-if-error') ?? route.stale_if_error_s ?? 0;
  return { staleWhileRevalidateMs: whileRevalidate * 1000, staleIfErrorMs: ifError * 1000 };
}
