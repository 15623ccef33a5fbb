import type { JWTPayload } from 'jose';
import * as oauth from 'oauth4webapi';
import type { RouteConfig } from '../../config/schema.js';
import type { Handler, RequestContext } from '../../context.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { withParams } from '../../session/return-to.js';
import { sessionFromTokens } from '../../session/record.js';
import { sealSession } from '../../session/store.js';
import { equalText } from '../auth0/callback.js';
import type { IntegrationDefinition, IntegrationDeps } from '../definition.js';
import { oidcFlows, replayAnswer, type OidcFlows } from './client.js';
import {
  describe,
  loginFailed,
  providerFailure,
  safeCode,
  safeDescription,
  TOKEN_HEADERS,
} from './errors.js';
import type { LoginTransaction } from './login.js';

/**
 * `oidc_callback` (docs/FLOWS.md "OpenID Connect"): the provider's redirect back. In order:
 *   1. the sealed transaction cookie must be present and its `state` equal the one returned
 *      (else 400 OIDC_INVALID_STATE — or, for a provider error, 400 OIDC_LOGIN_FAILED);
 *   2. a provider error (`access_denied`, `login_required`, …) sends the browser back to the
 *      login's return URL with `error` and `error_description` (session logins), else answers
 *      400 OIDC_LOGIN_FAILED carrying the provider's code as `provider_error`;
 *   3. RFC 9207: an `iss` parameter must be the issuer (required when discovery says the
 *      provider sends it) — else 502 OIDC_ISSUER_MISMATCH;
 *   4. one `code` (else 400 OIDC_MISSING_CODE), redeemed once with the PKCE verifier and the
 *      client's authentication; the ID token must carry the login's `nonce` and verify with
 *      the issuer's keys and audience = client_id (else 502 OIDC_ID_TOKEN_INVALID).
 * Then, with `session`: the tokens go into the sealed session cookie and the browser is
 * redirected (302) to the return URL; without: 200 with the provider's token JSON.
 * The transaction cookie is cleared on every answer (a code and a state are single-use).
 */
export const oidcCallbackIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'oidc', authorizerFields: ['client_id', 'redirect_uri'] },
  create: createOidcCallbackIntegration,
};

export function createOidcCallbackIntegration(route: RouteConfig, deps: IntegrationDeps): Handler {
  const flows = oidcFlows(route, deps);
  return async (ctx) => {
    const cookieHeader = ctx.request.headers.get('cookie');
    const secure = flows.secureCookies || ctx.client.protocol === 'https';
    const clear = flows.transactions.clear(cookieHeader, secure);
    try {
      const response = await callback(flows, ctx, cookieHeader, secure);
      for (const line of clear) response.headers.append('set-cookie', line);
      return response;
    } catch (error) {
      if (!isGatewayError(error)) throw error;
      throw new GatewayError(error.code, {
        ...(error.detail ? { detail: error.detail } : {}),
        // One line: the transaction cookie is never split.
        headers: { ...error.headers, ...(clear[0] ? { 'set-cookie': clear[0] } : {}) },
      });
    }
  };
}

async function callback(
  flows: OidcFlows,
  ctx: RequestContext,
  cookieHeader: string | null,
  secure: boolean,
): Promise<Response> {
  const params = new URLSearchParams(ctx.search);
  const now = flows.platform.now();
  const transaction = asTransaction(await flows.transactions.open(cookieHeader, now));
  const states = params.getAll('state');
  const matched =
    transaction !== undefined && states.length === 1 && equalText(states[0] ?? '', transaction.state);

  const providerError = params.get('error');
  if (providerError !== null) {
    const code = safeCode(providerError) ?? 'invalid_error';
    const description = safeDescription(params.get('error_description'));
    if (matched && transaction.returnTo !== undefined) {
      ctx.log.code = 'OIDC_LOGIN_FAILED';
      ctx.log.detail = { providerError: code, redirected: true };
      return redirect(withParams(transaction.returnTo, { error: code, error_description: description }));
    }
    return loginFailed(ctx, code, description);
  }
  if (!matched) {
    throw new GatewayError('OIDC_INVALID_STATE', {
      detail: {
        reason:
          states.length !== 1
            ? `${states.length} state parameters`
            : transaction === undefined
              ? 'no valid transaction cookie (missing, altered or expired)'
              : 'state does not match the transaction cookie',
      },
    });
  }
  const codes = params.getAll('code');
  if (codes.length !== 1 || !codes[0])
    throw new GatewayError('OIDC_MISSING_CODE', { detail: { codes: codes.length } });

  const as = await flows.metadata();
  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(as, flows.client, params, transaction.state);
  } catch (error) {
    const reason = describe(error);
    throw new GatewayError(/"iss"/.test(reason) ? 'OIDC_ISSUER_MISMATCH' : 'OIDC_INVALID_STATE', {
      detail: { reason, expected: as.issuer, actual: safeCode(params.get('iss')?.slice(0, 64)) },
    });
  }
  const action = 'token exchange';
  const clientAuth = await flows.clientAuth();
  const result = await flows.call(ctx, (options) =>
    oauth.authorizationCodeGrantRequest(
      as,
      flows.client,
      clientAuth,
      validated,
      flows.redirectUri ?? '',
      transaction.verifier,
      options,
    ),
  );
  const failed = providerFailure(action, result);
  if (failed) throw failed;
  if (result.kind !== 'answer')
    throw new GatewayError('ERR_INTERNAL', { detail: { action, reason: 'no answer' } });

  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await oauth.processAuthorizationCodeResponse(as, flows.client, replayAnswer(result), {
      expectedNonce: transaction.nonce,
      requireIdToken: true,
    });
  } catch (error) {
    throw new GatewayError('OIDC_ID_TOKEN_INVALID', { detail: { action, reason: describe(error) } });
  }
  let claims: JWTPayload;
  try {
    claims = await flows.authorizer.verifyToken(String(tokens.id_token), { audience: flows.clientId });
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    throw new GatewayError('OIDC_ID_TOKEN_INVALID', {
      detail: { action, reason: 'id_token refused', check: error.code, ...error.detail },
    });
  }
  ctx.claims = claims;
  ctx.log.auth = 'login';
  if (!flows.session || transaction.returnTo === undefined) {
    return new Response(result.text, { status: 200, headers: TOKEN_HEADERS });
  }
  const record = sessionFromTokens(tokens, claims, now);
  const cookies = await sealSession(flows.session, record, now, secure, cookieHeader);
  const response = redirect(transaction.returnTo);
  for (const line of cookies) response.headers.append('set-cookie', line);
  return response;
}

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { location, 'cache-control': 'no-store' } });
}

function asTransaction(value: Record<string, unknown> | undefined): LoginTransaction | undefined {
  if (!value) return undefined;
  const { state, nonce, verifier, returnTo } = value;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string')
    return undefined;
  if (returnTo !== undefined && typeof returnTo !== 'string') return undefined;
  return { state, nonce, verifier, ...(returnTo === undefined ? {} : { returnTo }) };
}
