import type { JWTPayload } from 'jose';
import { GatewayError } from '../errors/gateway-error.js';
import { preview } from './format.js';

/**
 * Route scopes (docs/CONFIG.md `scopes`, ext): the token must carry every listed scope, found in
 * `scope` (space-separated, RFC 8693 §4.2 / RFC 9068), or in `scp` / `scopes` (arrays, as
 * Azure AD and others issue them, or space-separated strings). Missing → 403 with an RFC 6750
 * §3.1 `insufficient_scope` challenge naming what the route needs.
 */

/** Parsed once per claims object: cached verifications hand out the same frozen object. */
const parsed = new WeakMap<JWTPayload, ReadonlySet<string>>();

export function tokenScopes(claims: JWTPayload): ReadonlySet<string> {
  let scopes = parsed.get(claims);
  if (!scopes) {
    const found = new Set<string>();
    for (const value of [claims.scope, claims.scp, claims.scopes]) addScopes(found, value);
    scopes = found;
    parsed.set(claims, scopes);
  }
  return scopes;
}

function addScopes(into: Set<string>, value: unknown): void {
  if (typeof value === 'string') {
    for (const scope of value.split(' ')) if (scope) into.add(scope);
  } else if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'string' && item) into.add(item);
  }
}

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\` — safe inside the quoted challenge. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Throws GatewayError('ERR_INSUFFICIENT_SCOPE') unless the claims carry every scope. */
export function requireScopes(claims: JWTPayload, scopes: readonly string[]): void {
  if (scopes.length === 0) return;
  const granted = tokenScopes(claims);
  const missing = scopes.filter((scope) => !granted.has(scope));
  if (missing.length === 0) return;
  const challengeScopes = scopes.filter((scope) => SCOPE_TOKEN.test(scope)).join(' ');
  throw new GatewayError('ERR_INSUFFICIENT_SCOPE', {
    headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${challengeScopes}"` },
    detail: {
      check: 'scope',
      expected: [...scopes],
      actual: preview([...granted]),
      message: `missing scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      hint: 'request a token with these scopes (scope, scp or scopes claim)',
    },
  });
}
