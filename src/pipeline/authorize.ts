import { requireScopes } from '../auth/scopes.js';
import type { Authorizer } from '../auth/types.js';
import type { Step } from '../context.js';
import { requestHeaderReader } from './request-headers.js';

/**
 * The authorization step of a protected route (docs/BEHAVIOUR.md). Built only for routes with
 * `auth`, so unprotected routes pay nothing. Failures are GatewayErrors from the auth table; the
 * gateway's exit renders them and logs their detail.
 */
export function createAuthorizeStep(authorizer: Authorizer, scopes: readonly string[] | undefined): Step {
  const requiredScopes = scopes && scopes.length > 0 ? scopes : undefined;
  return async (ctx, next) => {
    ctx.log.authorizer = authorizer.name;
    // The adapter's reader (Node: the parser's record) spares building the request's Headers;
    // two Authorization headers never get here (the adapter refuses them, 400).
    const claims = await authorizer.authenticate(requestHeaderReader(ctx));
    ctx.claims = claims;
    ctx.log.auth = 'ok';
    if (requiredScopes) requireScopes(claims, requiredScopes);
    return next(ctx);
  };
}
