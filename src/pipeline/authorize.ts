import { requireScopes } from '../auth/scopes.js';
import type { Authorizer } from '../auth/types.js';
import type { Step } from '../context.js';

/**
 * The authorization step of a protected route (docs/BEHAVIOUR.md). Built only for routes with
 * `auth`, so unprotected routes pay nothing. Failures are GatewayErrors from the auth table; the
 * gateway's exit renders them and logs their detail.
 */
export function createAuthorizeStep(authorizer: Authorizer, scopes: readonly string[] | undefined): Step {
  const requiredScopes = scopes && scopes.length > 0 ? scopes : undefined;
  return async (ctx, next) => {
    const claims = await authorizer.authenticate(ctx.request.headers);
    ctx.claims = claims;
    ctx.log.auth = 'ok';
    if (requiredScopes) requireScopes(claims, requiredScopes);
    return next(ctx);
  };
}
