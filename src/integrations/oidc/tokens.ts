import * as oauth from 'oauth4webapi';
import type { RouteConfig } from '../../config/schema.js';
import type { Handler, RequestContext } from '../../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { csrfRefusal } from '../../session/csrf.js';
import { accessToken } from '../auth0/userinfo.js';
import { readJsonBody, stringField } from '../identity/request-body.js';
import type { IntegrationDefinition, IntegrationDeps } from '../definition.js';
import { oidcFlows, replayAnswer, type OidcFlows } from './client.js';
import { describe, providerFailure, TOKEN_HEADERS } from './errors.js';
import { refreshGrant } from './refresh-grant.js';
import { activeSession } from './session-step.js';

/**
 * `oidc_userinfo` (docs/FLOWS.md): the access token from `X-Access-Token`, the bearer token, or
 * — for a session login — the session (refreshed first when expired) is sent to the provider's
 * `userinfo_endpoint`; its claims are the answer.
 */
export const oidcUserinfoIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'oidc', authorizerFields: [] },
  create: createOidcUserinfoIntegration,
};

export function createOidcUserinfoIntegration(route: RouteConfig, deps: IntegrationDeps): Handler {
  const flows = oidcFlows(route, deps);
  const action = 'userinfo';
  return async (ctx) => {
    let token = accessToken(ctx.request.headers);
    let commit = (response: Response): Promise<Response> | Response => response;
    if (
      token === undefined &&
      flows.session &&
      flows.session.cookies.present(ctx.request.headers.get('cookie')).length > 0
    ) {
      const active = await activeSession(flows, flows.session, ctx);
      if (active instanceof Response) return active;
      token = active.record.at;
      commit = async (response) => (await active.commit(response)) as Response;
    }
    if (token === undefined) {
      throw new GatewayError('OIDC_MISSING_ACCESS_TOKEN', { headers: { 'www-authenticate': 'Bearer' } });
    }
    const as = await flows.metadata();
    const bearer = token;
    const result = await flows.call(ctx, (options) =>
      oauth.userInfoRequest(as, flows.client, bearer, options),
    );
    const failed = providerFailure(action, result);
    if (failed) throw failed;
    if (result.kind !== 'answer')
      throw new GatewayError('ERR_INTERNAL', { detail: { action, reason: 'no answer' } });
    let claims: oauth.UserInfoResponse;
    try {
      claims = await oauth.processUserInfoResponse(
        as,
        flows.client,
        oauth.skipSubjectCheck,
        replayAnswer(result),
      );
    } catch (error) {
      throw new GatewayError('OIDC_PROVIDER_REFUSED', { detail: { action, reason: describe(error) } });
    }
    return commit(new Response(JSON.stringify(claims), { status: 200, headers: TOKEN_HEADERS }));
  };
}

/**
 * `oidc_refresh` (docs/FLOWS.md): with a refresh token from `X-Refresh-Token` or the JSON body's
 * `refresh_token`, exactly one `refresh_token` grant, answered with the provider's JSON. For a
 * session login, a request with only the session cookie refreshes the session now (Origin-checked
 * like any state-changing session request) and answers `{"expires_at": seconds}` with the new
 * cookie; the tokens stay in the cookie.
 */
const MAX_REFRESH_TOKEN_LENGTH = 8 * 1024;

export const oidcRefreshIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'oidc', authorizerFields: ['client_id'] },
  create: createOidcRefreshIntegration,
};

export function createOidcRefreshIntegration(route: RouteConfig, deps: IntegrationDeps): Handler {
  const flows = oidcFlows(route, deps);
  const trusted = new Set(flows.session?.returnTo.origins ?? []);
  if (flows.redirectUri) trusted.add(new URL(flows.redirectUri).origin);
  return async (ctx) => {
    const refreshToken = await readRefreshToken(ctx);
    if (refreshToken === 'too_large') throw new GatewayError('ERR_PAYLOAD_TOO_LARGE');
    if (refreshToken !== undefined) {
      const { text } = await refreshGrant(flows, ctx, refreshToken);
      return new Response(text, { status: 200, headers: TOKEN_HEADERS });
    }
    const session = flows.session;
    if (session && session.cookies.present(ctx.request.headers.get('cookie')).length > 0) {
      const refused = csrfRefusal(ctx, trusted);
      if (refused) throw new GatewayError('SESSION_CSRF_REJECTED', { detail: { reason: refused } });
      return refreshSessionNow(flows, ctx);
    }
    throw new GatewayError('OIDC_MISSING_REFRESH_TOKEN');
  };
}

async function refreshSessionNow(flows: OidcFlows, ctx: RequestContext): Promise<Response> {
  const session = flows.session;
  if (!session) throw new GatewayError('OIDC_MISSING_REFRESH_TOKEN');
  // Treat the access token as expired so activeSession refreshes it.
  const active = await activeSession(flows, session, ctx, { force: true });
  if (active instanceof Response) return active;
  const body = JSON.stringify({ expires_at: Math.floor(active.record.ate / 1000) });
  return (await active.commit(new Response(body, { status: 200, headers: TOKEN_HEADERS }))) as Response;
}

async function readRefreshToken(ctx: RequestContext): Promise<string | 'too_large' | undefined> {
  const header = ctx.request.headers.get('x-refresh-token')?.trim();
  if (header) return header.length <= MAX_REFRESH_TOKEN_LENGTH ? header : undefined;
  if (ctx.method !== 'POST' || ctx.request.headers.get('content-type')?.includes('json') !== true)
    return undefined;
  const body = await readJsonBody(ctx);
  if (body.kind === 'too_large') return 'too_large';
  return body.kind === 'object'
    ? stringField(body.value, 'refresh_token', MAX_REFRESH_TOKEN_LENGTH)
    : undefined;
}
