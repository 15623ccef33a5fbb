import * as oauth from 'oauth4webapi';
import { MAX_TOKEN_LENGTH, readBearerCredential } from '../../auth/bearer.js';
import type { Handler, RequestContext } from '../../context.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { csrfRefusal } from '../../session/csrf.js';
import { readJsonBody, stringField } from '../identity/request-body.js';
import type { IntegrationDefinition } from '../definition.js';
import { oidcFlows, replayAnswer, type OidcFlows } from './client.js';
import { describe, TOKEN_HEADERS } from './errors.js';
import { refreshGrant } from './refresh-grant.js';
import { activeSession } from './session-step.js';
import { ANSWER_STATUS } from '../../errors/statuses.js';

/**
 * `oidc_userinfo` / `auth0_userinfo` (docs/FLOWS.md): the access token from `X-Access-Token`, the
 * bearer token, or — for a session login — the session (refreshed first when expired) is sent to
 * the provider's `userinfo_endpoint`, which judges it (access tokens may be opaque, so the
 * gateway does not verify them itself); its claims are the answer.
 */
export const oidcUserinfoIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: { provider: 'oidc', authorizerFields: [] },
  create: (route, deps) => userinfoHandler(oidcFlows(route, deps)),
};

export function userinfoHandler(flows: OidcFlows): Handler {
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
      token = active.record.at;
      commit = async (response) => (await active.commit(response)) as Response;
    }
    if (token === undefined) {
      throw new GatewayError(flows.errors.missingAccessToken, { headers: { 'www-authenticate': 'Bearer' } });
    }
    const as = await flows.metadata();
    const bearer = token;
    const result = await flows.call(ctx, (options) =>
      oauth.userInfoRequest(as, flows.client, bearer, options),
    );
    const failed = flows.errors.providerFailure(action, result);
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
      throw flows.errors.invalidAnswer(action, false, { reason: describe(error) });
    }
    return commit(
      new Response(JSON.stringify(claims), { status: ANSWER_STATUS.flowSuccess, headers: TOKEN_HEADERS }),
    );
  };
}

/**
 * `oidc_refresh` / `auth0_refresh` (docs/FLOWS.md): with a refresh token from `X-Refresh-Token`
 * or the JSON body's `refresh_token`, exactly one `refresh_token` grant, answered with the
 * provider's JSON. For a session login, a request with only the session cookie refreshes the
 * session now (Origin-checked like any state-changing session request) and answers
 * `{"expires_at": seconds}` with the new cookie; the tokens stay in the cookie. The `auth0`
 * preset verifies the bearer token first: still valid → `token_still_valid`, no provider call.
 */
const MAX_REFRESH_TOKEN_LENGTH = 8 * 1024;

export const oidcRefreshIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: { provider: 'oidc', authorizerFields: ['client_id'] },
  create: (route, deps) => refreshHandler(oidcFlows(route, deps)),
};

export function refreshHandler(flows: OidcFlows): Handler {
  const trusted = new Set(flows.session?.returnTo.origins ?? []);
  if (flows.redirectUri) trusted.add(new URL(flows.redirectUri).origin);
  return async (ctx) => {
    const refreshToken = await readRefreshToken(ctx, flows.refresh.jsonBodyOnly);
    // Thrown, so the gateway's exit renders the catalogue row and logs its code.
    if (refreshToken === 'too_large') throw new GatewayError('ERR_PAYLOAD_TOO_LARGE');
    if (refreshToken !== undefined) {
      if (flows.refresh.stillValidCheck && (await bearerStillValid(flows, ctx))) return tokenStillValid();
      const { text } = await refreshGrant(flows, ctx, refreshToken);
      return new Response(text, { status: ANSWER_STATUS.flowSuccess, headers: TOKEN_HEADERS });
    }
    const session = flows.session;
    if (session && session.cookies.present(ctx.request.headers.get('cookie')).length > 0) {
      const refused = csrfRefusal(ctx, trusted);
      if (refused) throw new GatewayError('SESSION_CSRF_REJECTED', { detail: { reason: refused } });
      return refreshSessionNow(flows, ctx);
    }
    throw new GatewayError(flows.errors.missingRefreshToken);
  };
}

/**
 * The bearer token, verified by the authorizer: valid → true; expired (the signature and every
 * other claim checked out — jose checks `exp` last) → false, refresh; any other failure is
 * thrown: the auth error table, with its WWW-Authenticate, as on a protected route.
 */
async function bearerStillValid(flows: OidcFlows, ctx: RequestContext): Promise<boolean> {
  try {
    ctx.claims = await flows.authorizer.authenticate(ctx.request.headers);
    ctx.log.auth = 'ok';
    return true;
  } catch (error) {
    if (!isGatewayError(error) || error.code !== 'ERR_JWT_EXPIRED') throw error;
    ctx.log.auth = 'expired';
    return false;
  }
}

/** The success answer of a refresh that was not needed. */
function tokenStillValid(): Response {
  return new Response(JSON.stringify({ message: 'Token is still valid', code: 'token_still_valid' }), {
    status: ANSWER_STATUS.flowSuccess,
    headers: { 'content-type': 'application/json' },
  });
}

async function refreshSessionNow(flows: OidcFlows, ctx: RequestContext): Promise<Response> {
  const session = flows.session;
  if (!session) throw new GatewayError(flows.errors.missingRefreshToken);
  // Treat the access token as expired so activeSession refreshes it.
  const active = await activeSession(flows, session, ctx, { force: true });
  const body = JSON.stringify({ expires_at: Math.floor(active.record.ate / 1000) });
  return (await active.commit(
    new Response(body, { status: ANSWER_STATUS.flowSuccess, headers: TOKEN_HEADERS }),
  )) as Response;
}

async function readRefreshToken(
  ctx: RequestContext,
  jsonBodyOnly: boolean,
): Promise<string | 'too_large' | undefined> {
  const header = ctx.request.headers.get('x-refresh-token')?.trim();
  if (header) return header.length <= MAX_REFRESH_TOKEN_LENGTH ? header : undefined;
  if (ctx.method !== 'POST') return undefined;
  if (jsonBodyOnly && ctx.request.headers.get('content-type')?.includes('json') !== true) return undefined;
  const body = await readJsonBody(ctx);
  if (body.kind === 'too_large') return 'too_large';
  return body.kind === 'object'
    ? stringField(body.value, 'refresh_token', MAX_REFRESH_TOKEN_LENGTH)
    : undefined;
}

/** RFC 6750 §2.1 `b64token`: what may follow `Bearer ` (opaque, JWS and JWE tokens all fit). */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The access token to send to userinfo (`X-Access-Token`, else the bearer token), or undefined. */
export function accessToken(headers: Headers): string | undefined {
  const explicit = headers.get('x-access-token');
  let token: string;
  if (explicit !== null) {
    token = explicit.trim();
  } else {
    try {
      token = readBearerCredential(headers);
    } catch {
      return undefined;
    }
  }
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH && B64TOKEN.test(token) ? token : undefined;
}
