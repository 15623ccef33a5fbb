import type { RequestContext } from '../context.js';

/**
 * The request as the upstream sees it when a session authorized it (the backend-for-frontend
 * pattern): `Authorization: Bearer <access token>` from the session, and the `Cookie` header
 * without the session's own cookies — the upstream gets a token, never the sealed session.
 */
export function useSessionCredentials(
  ctx: RequestContext,
  accessToken: string,
  sessionCookies: readonly string[],
): void {
  const original = ctx.request;
  const headers = new Headers(original.headers);
  headers.set('authorization', `Bearer ${accessToken}`);
  const cookie = headers.get('cookie');
  if (cookie !== null) {
    const drop = new Set(sessionCookies);
    const kept = cookie
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part !== '' && !drop.has(part.slice(0, Math.max(0, part.indexOf('='))).trim()));
    if (kept.length > 0) headers.set('cookie', kept.join('; '));
    else headers.delete('cookie');
  }
  const hasBody = ctx.method !== 'GET' && ctx.method !== 'HEAD' && original.body !== null;
  const init: RequestInit & { duplex?: 'half' } = {
    method: original.method,
    headers,
    ...(hasBody ? { body: original.body, duplex: 'half' } : {}),
  };
  (ctx as { request: Request }).request = new Request(original.url, init);
}
