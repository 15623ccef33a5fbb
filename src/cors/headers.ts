/** Header edits the CORS decision makes on an outgoing response. */

const ACCESS_CONTROL_PREFIX = 'access-control-';

/**
 * Removes every `Access-Control-*` header (an upstream's own CORS answer): the gateway's
 * decision replaces it, so an upstream cannot widen the policy (docs/BEHAVIOUR.md "8. CORS on every response").
 */
export function removeAccessControlHeaders(headers: Headers): void {
  const names: string[] = [];
  // Collected first: deleting while iterating a Headers object skips entries.
  for (const name of headers.keys()) {
    if (name.startsWith(ACCESS_CONTROL_PREFIX)) names.push(name);
  }
  for (const name of names) headers.delete(name);
}

/**
 * Adds `Origin` to `Vary`, keeping what is there (docs/COMPAT.md row 10: caches need the upstream's
 * own Vary too). Idempotent, so decorating a response twice never duplicates the token; a
 * `Vary: *` already covers Origin.
 */
export function appendVaryOrigin(headers: Headers): void {
  const vary = headers.get('vary');
  const next = varyWithOrigin(vary ?? undefined);
  if (next !== vary) headers.set('vary', next);
}

/** The Vary value with `Origin` added, unless it is already covered. */
export function varyWithOrigin(vary: string | undefined): string {
  if (vary === undefined || vary.trim() === '') return 'Origin';
  for (const token of vary.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === 'origin' || name === '*') return vary;
  }
  return `${vary}, Origin`;
}
