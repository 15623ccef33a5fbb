import type { JWTPayload } from 'jose';
import * as oauth from 'oauth4webapi';
import type { RouteConfig } from '../../config/schema.js';
import type { Handler, RequestContext } from '../../context.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { withParams } from '../../session/return-to.js';
import { sessionFromTokens } from '../../session/record.js';
import { sealSession } from '../../session/store.js';
import type { IntegrationDefinition, IntegrationDeps, ResolvedHook } from '../definition.js';
import { requireFlowAuthorizer } from '../identity/authorizer.js';
import { OIDC_LOGIN_AUTHORIZER_FIELDS } from '../identity/login-fields.js';
import { oidcFlowsOf, oidcLoginFlows, replayAnswer, type LoginFlows, type OidcFlows } from './client.js';
import { describe, loginFailed, safeCode, safeDescription, TOKEN_HEADERS } from './errors.js';
import { createPostLoginHook, type PostLoginHook } from './post-login.js';
import type { LoginTransaction } from './transactions.js';
import { ANSWER_STATUS } from '../../errors/statuses.js';

/**
 * The login callback (docs/FLOWS.md "OpenID Connect", "Auth0"): the provider's redirect back.
 * In order:
 *   1. (`oidc`) a provider error (`access_denied`, `login_required`, …) of a known login sends
 *      the browser back to its return URL with `error` and `error_description`, else answers
 *      400 OIDC_LOGIN_FAILED carrying the provider's code as `provider_error`;
 *   2. exactly one non-empty `code` (else 400 missing_code / OIDC_MISSING_CODE);
 *   3. a transaction cookie whose `state` matches the one returned (else 400 invalid_state /
 *      OIDC_INVALID_STATE) — no provider call is made for a callback that fails 1–3;
 *   4. RFC 9207: an `iss` parameter must be the issuer (required when the metadata says the
 *      provider sends it) — else invalid_issuer / OIDC_ISSUER_MISMATCH, no code redeemed;
 *   5. the code is redeemed once with the PKCE verifier and the client's authentication; the ID
 *      token must verify with the issuer's keys and audience = client_id (and carry the
 *      login's `nonce`, where one was sent);
 *   6. `post_process`, then with `session`: the tokens go into the session and the browser is
 *      redirected (302) to the return URL; without: 200 with the provider's token JSON.
 * Once the transaction matched, every answer clears its cookie (a code and a state are
 * single-use); a callback that matches nothing leaves the cookie of a login in progress alone.
 */
export const oidcCallbackIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: { provider: 'oidc', authorizerFields: OIDC_LOGIN_AUTHORIZER_FIELDS },
  create: (route, deps) => {
    const authorizer = requireFlowAuthorizer(route, deps, 'oidc', OIDC_LOGIN_AUTHORIZER_FIELDS);
    return callbackHandler(oidcFlowsOf(authorizer, deps), oidcLoginFlows(authorizer, deps), route, deps);
  },
};

/** The callback route of a preset's flows (`oidc_callback`, `auth0_callback`). */
export function callbackHandler(
  flows: OidcFlows,
  login: LoginFlows,
  route: RouteConfig,
  deps: IntegrationDeps,
  /** `auth0_callback`'s `post_process` with its binding, resolved by the config checks. */
  postProcess?: ResolvedHook,
): Handler {
  const postLogin = postProcess && createPostLoginHook(postProcess, route, deps);
  return async (ctx) => {
    const cookieHeader = ctx.request.headers.get('cookie');
    const secure = flows.secureCookies || ctx.client.protocol === 'https';
    const params = new URLSearchParams(ctx.search);
    const states = params.getAll('state');
    const state = states.length === 1 ? states[0] : undefined;
    const now = flows.platform.now();

    const providerError = flows.reportsProviderErrors ? params.get('error') : null;
    if (providerError === null) {
      const codes = params.getAll('code');
      if (codes.length !== 1 || !codes[0]) {
        throw new GatewayError(flows.errors.missingCode, {
          detail: { codes: codes.length, providerError: safeCode(params.get('error')) },
        });
      }
    }
    const found = await login.transactions.match(cookieHeader, state, now);
    if (!found.ok) {
      if (providerError === null) {
        throw new GatewayError(flows.errors.invalidState, { detail: { reason: found.reason } });
      }
      // The provider's refusal of no known login: there is no transaction cookie to clear.
      return refusedLogin(ctx, undefined, providerError, params);
    }
    const transaction = found.transaction;
    const clear = login.transactions.clear(cookieHeader, secure);
    try {
      const response =
        providerError === null
          ? await redeem(flows, login.redirectUri, ctx, params, transaction, postLogin, secure)
          : refusedLogin(ctx, transaction, providerError, params);
      for (const line of clear) response.headers.append('set-cookie', line);
      return response;
    } catch (error) {
      if (!isGatewayError(error)) throw error;
      throw new GatewayError(error.code, {
        ...(error.detail ? { detail: error.detail } : {}),
        ...(error.variation ? { variation: error.variation } : {}),
        ...(error.headers ? { headers: error.headers } : {}),
        setCookies: [...(error.setCookies ?? []), ...clear],
      });
    }
  };
}

/** Step 1: the provider's own refusal, back to the app when the login is known. */
function refusedLogin(
  ctx: RequestContext,
  transaction: LoginTransaction | undefined,
  providerError: string,
  params: URLSearchParams,
): Response {
  const code = safeCode(providerError) ?? 'invalid_error';
  const description = safeDescription(params.get('error_description'));
  if (transaction?.returnTo === undefined) throw loginFailed(code, description);
  ctx.log.code = 'OIDC_LOGIN_FAILED';
  ctx.log.detail = { providerError: code, redirected: true };
  return redirect(withParams(transaction.returnTo, { error: code, error_description: description }));
}

/** Steps 4–6. */
async function redeem(
  flows: OidcFlows,
  redirectUri: string,
  ctx: RequestContext,
  params: URLSearchParams,
  transaction: LoginTransaction,
  postLogin: PostLoginHook | undefined,
  secure: boolean,
): Promise<Response> {
  const as = await flows.metadata();
  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(as, flows.client, params, transaction.state);
  } catch (error) {
    const reason = describe(error);
    // RFC 9207 mix-up defence: an answer from another issuer is not a state problem.
    const issuer = /"iss"/.test(reason);
    throw new GatewayError(issuer ? flows.errors.issuerMismatch : flows.errors.invalidState, {
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
      redirectUri,
      transaction.verifier,
      options,
    ),
  );
  const failed = flows.errors.providerFailure(action, result);
  if (failed) throw failed;
  if (result.kind !== 'answer')
    throw new GatewayError('ERR_INTERNAL', { detail: { action, reason: 'no answer' } });

  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await oauth.processAuthorizationCodeResponse(as, flows.client, replayAnswer(result), {
      ...(transaction.nonce === undefined ? {} : { expectedNonce: transaction.nonce }),
      requireIdToken: true,
    });
  } catch (error) {
    throw flows.errors.invalidAnswer(action, true, { reason: describe(error) });
  }
  if (typeof tokens.id_token !== 'string')
    throw flows.errors.invalidAnswer(action, true, { reason: 'no id_token' });
  let claims: JWTPayload;
  try {
    claims = await flows.authorizer.verifyToken(tokens.id_token, { audience: flows.clientId });
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    throw flows.errors.invalidAnswer(action, true, {
      reason: 'id_token refused',
      check: error.code,
      ...error.detail,
    });
  }
  ctx.claims = claims;
  ctx.log.auth = 'login';
  if (postLogin) await postLogin(ctx);
  if (!flows.session || transaction.returnTo === undefined) {
    return new Response(result.text, { status: ANSWER_STATUS.flowSuccess, headers: TOKEN_HEADERS });
  }
  const now = flows.platform.now();
  const cookieHeader = ctx.request.headers.get('cookie');
  const record = sessionFromTokens(tokens, claims, now);
  const cookies = await sealSession(flows.session, record, now, secure, cookieHeader);
  const response = redirect(transaction.returnTo);
  for (const line of cookies) response.headers.append('set-cookie', line);
  return response;
}

function redirect(location: string): Response {
  return new Response(null, {
    status: ANSWER_STATUS.flowRedirect,
    headers: { location, 'cache-control': 'no-store' },
  });
}
