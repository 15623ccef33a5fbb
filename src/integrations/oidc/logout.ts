import * as oauth from 'oauth4webapi';
import type { RouteConfig } from '../../config/schema.js';
import type { Handler, RequestContext } from '../../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { csrfRefusal } from '../../session/csrf.js';
import { endSession } from '../../session/store.js';
import type { IntegrationDefinition, IntegrationDeps } from '../definition.js';
import { oidcFlows, type OidcFlows } from './client.js';
import { describe } from './errors.js';
import { forgetRefreshGrant } from './refresh-grant.js';
import { ANSWER_STATUS } from '../../errors/statuses.js';

/**
 * `oidc_logout` (docs/FLOWS.md "Logout"): clears the session cookie, then sends the browser to
 * the provider's `end_session_endpoint` (OpenID Connect RP-Initiated Logout 1.0) with
 * `id_token_hint`, `client_id` and `post_logout_redirect_uri` — the configured one, else the
 * allowed `?return_to=` made absolute on the gateway's public origin — so the provider ends its
 * own session and sends the browser back (the provider must have that URL registered). A
 * provider without that endpoint: straight to that URL. The session's refresh token is revoked
 * first where the provider has a `revocation_endpoint` (RFC 7009). A POST must pass the session
 * Origin check (a GET logout is harmless to forge: it only ends a session).
 */
export const oidcLogoutIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: { provider: 'oidc', authorizerFields: ['client_id'] },
  create: createOidcLogoutIntegration,
};

export function createOidcLogoutIntegration(route: RouteConfig, deps: IntegrationDeps): Handler {
  const flows = oidcFlows(route, deps);
  const trusted = new Set(flows.session?.returnTo.origins ?? []);
  if (flows.redirectUri) trusted.add(new URL(flows.redirectUri).origin);
  return async (ctx) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      const refused = csrfRefusal(ctx, trusted);
      if (refused) throw new GatewayError('SESSION_CSRF_REJECTED', { detail: { reason: refused } });
    }
    const cookieHeader = ctx.request.headers.get('cookie');
    const secure = flows.secureCookies || ctx.client.protocol === 'https';
    const session = flows.session;
    let back: string | undefined = flows.postLogoutRedirectUri;
    if (back === undefined && session) {
      back = session.returnTo.resolve(new URLSearchParams(ctx.search).get('return_to'));
      if (back === undefined)
        throw new GatewayError('OIDC_RETURN_TO_NOT_ALLOWED', {
          detail: { reason: 'logout return_to is not on session.return_to' },
        });
    }
    const as = await flows.metadata();
    // Even an expired session names the ID token the provider should end its session for.
    const record = session ? await endSession(session, cookieHeader) : undefined;
    if (record?.rt !== undefined) {
      forgetRefreshGrant(flows, record.rt);
      await revokeRefreshToken(flows, ctx, as, record.rt);
    }
    let location: string;
    if (typeof as.end_session_endpoint === 'string') {
      const url = new URL(as.end_session_endpoint);
      if (record?.it) url.searchParams.set('id_token_hint', record.it);
      url.searchParams.set('client_id', flows.clientId);
      const returnUri = back === undefined ? undefined : absolute(back, flows.redirectUri);
      if (returnUri) url.searchParams.set('post_logout_redirect_uri', returnUri);
      location = url.href;
    } else {
      location = back ?? '/';
    }
    const headers = new Headers({ location, 'cache-control': 'no-store' });
    for (const line of session?.cookies.clear(cookieHeader, secure) ?? []) headers.append('set-cookie', line);
    ctx.log.auth = 'logout';
    return new Response(null, { status: ANSWER_STATUS.flowRedirect, headers });
  };
}

/**
 * RFC 7009: the session's refresh token is revoked where the provider offers it, so a copy of
 * the session taken before the logout cannot obtain new access tokens (an `offline_access`
 * grant outlives the provider's login session). Best effort: a failure is logged, the logout
 * goes on.
 */
async function revokeRefreshToken(
  flows: OidcFlows,
  ctx: RequestContext,
  as: oauth.AuthorizationServer,
  refreshToken: string,
): Promise<void> {
  if (typeof as.revocation_endpoint !== 'string') return;
  try {
    const clientAuth = await flows.clientAuth();
    const result = await flows.call(ctx, (options) =>
      oauth.revocationRequest(as, flows.client, clientAuth, refreshToken, {
        ...options,
        additionalParameters: { token_type_hint: 'refresh_token' },
      }),
    );
    const failed = flows.errors.providerFailure('logout', result);
    ctx.log.revocation = failed ? (failed.detail ?? 'failed') : 'ok';
  } catch (error) {
    ctx.log.revocation = { reason: describe(error) };
  }
}

/** A relative return URL on the gateway's public origin (the redirect_uri's). */
function absolute(location: string, redirectUri: string | undefined): string | undefined {
  if (!location.startsWith('/')) return location;
  return redirectUri === undefined ? undefined : new URL(location, redirectUri).href;
}
