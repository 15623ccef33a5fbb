import type { RequestContext } from '../context.js';

/**
 * CSRF protection for requests authorized by a session cookie (docs/FLOWS.md "CSRF"): the
 * cookie is SameSite=Lax, so browsers do not send it on cross-site subrequests or cross-site
 * POST navigations; in addition, a state-changing method (anything but GET, HEAD, OPTIONS)
 * needs an `Origin` header naming a trusted origin — the gateway's own (as the client addressed
 * it), the `redirect_uri`'s, or one of the `session.return_to` origins. Browsers send `Origin`
 * on every such request, so a missing one is refused too (non-browser clients use bearer
 * tokens, which need no CSRF protection). No double-submit token is used.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfRefusal(ctx: RequestContext, trusted: ReadonlySet<string>): string | undefined {
  if (SAFE_METHODS.has(ctx.method)) return undefined;
  const origin = ctx.request.headers.get('origin');
  if (origin === null) return 'no Origin header on a state-changing request';
  if (trusted.has(origin)) return undefined;
  if (origin === `${ctx.client.protocol}://${ctx.host}`) return undefined;
  return `Origin ${origin.slice(0, 100)} is not trusted`;
}
