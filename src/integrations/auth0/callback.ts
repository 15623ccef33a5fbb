import * as oauth from 'oauth4webapi';
import type { RouteConfig } from '../../config/schema.js';
import type { Handler, RequestContext } from '../../context.js';
import { isGatewayError } from '../../errors/gateway-error.js';
import type { IntegrationDefinition, IntegrationDeps } from '../definition.js';
import { auth0Flows, replayAnswer, type Auth0Flows } from './client.js';
import { createPostLoginHook, type PostLoginHook } from './post-process.js';
import {
  failedCall,
  internalError,
  invalidState,
  invalidIssuer,
  missingCode,
  TOKEN_HEADERS,
  upstreamError,
} from './responses.js';
import type { LoginTransaction } from './transaction-cookie.js';

/**
 * `auth0_callback` (docs/FLOWS.md): the provider's redirect back with `code` and `state`.
 * Checks, in order: one `code` (else 400 missing_code), a transaction cookie whose `state`
 * matches (else 400 invalid_state), then exactly one call — the code exchange at
 * `/oauth/token` with the PKCE verifier — then the ID token: oauth4webapi checks the response
 * shape and the OIDC claims, the Auth0 authorizer verifies the signature with audience =
 * client_id. Then `post_process`, then 200 with the provider's token JSON as it came.
 * The transaction cookie is cleared on every answer after it was matched (a code is single-use).
 */
/** The authorizer fields this flow sends (client_secret also keys the state cookie). */
export const auth0CallbackIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'auth0', authorizerFields: ['client_id', 'client_secret', 'redirect_uri'] },
  create: createAuth0CallbackIntegration,
};

export function createAuth0CallbackIntegration(route: RouteConfig, deps: IntegrationDeps): Handler {
  const flows = auth0Flows(route, deps);
  const postLogin = createPostLoginHook(route, deps);
  const secureCookie = flows.redirectUri?.startsWith('https:') ?? false;
  return async (ctx) => {
    const params = new URLSearchParams(ctx.search);
    const codes = params.getAll('code');
    if (codes.length !== 1 || !codes[0]) {
      ctx.log.code = 'missing_code';
      ctx.log.detail = { codes: codes.length, providerError: safeParam(params.get('error')) };
      return missingCode();
    }
    let transaction: LoginTransaction | undefined;
    try {
      transaction = await matchingTransaction(flows, ctx, params);
    } catch (error) {
      return internalError(ctx, 'token exchange', error);
    }
    if (!transaction) return invalidState();
    const response = await exchange(flows, ctx, params, transaction, postLogin);
    response.headers.append(
      'set-cookie',
      flows.cookies.clear(secureCookie || ctx.client.protocol === 'https'),
    );
    return response;
  };
}

async function matchingTransaction(
  flows: Auth0Flows,
  ctx: RequestContext,
  params: URLSearchParams,
): Promise<LoginTransaction | undefined> {
  const states = params.getAll('state');
  const candidates = await flows.cookies.read(ctx.request.headers.get('cookie'));
  const state = states.length === 1 ? states[0] : undefined;
  const match = state === undefined ? undefined : candidates.find((t) => equalText(t.state, state));
  if (!match) {
    ctx.log.code = 'invalid_state';
    ctx.log.detail = {
      reason:
        states.length !== 1
          ? `${states.length} state parameters`
          : candidates.length === 0
            ? 'no valid transaction cookie (missing, altered or expired)'
            : 'state does not match the transaction cookie',
    };
  }
  return match;
}

async function exchange(
  flows: Auth0Flows,
  ctx: RequestContext,
  params: URLSearchParams,
  transaction: LoginTransaction,
  postLogin: PostLoginHook | undefined,
): Promise<Response> {
  const action = 'token exchange';
  try {
    let callback: URLSearchParams;
    try {
      // RFC 9207 `iss` when present, error responses, implicit-flow parameters.
      callback = oauth.validateAuthResponse(flows.as, flows.client, params, transaction.state);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // RFC 9207 mix-up defence: an answer from another issuer is not a state problem.
      const issuer = reason.includes('"iss" (issuer)');
      ctx.log.code = issuer ? 'invalid_issuer' : 'invalid_state';
      ctx.log.detail = { reason };
      return issuer ? invalidIssuer() : invalidState();
    }
    const result = await flows.call(ctx, (options) =>
      oauth.authorizationCodeGrantRequest(
        flows.as,
        flows.client,
        flows.clientAuth,
        callback,
        flows.redirectUri ?? '',
        transaction.verifier,
        options,
      ),
    );
    const failed = failedCall(ctx, action, result);
    if (failed || result.kind !== 'answer') return failed ?? internalError(ctx, action, 'no answer');

    let tokens: oauth.TokenEndpointResponse;
    try {
      tokens = await oauth.processAuthorizationCodeResponse(flows.as, flows.client, replayAnswer(result), {
        requireIdToken: true,
      });
    } catch (error) {
      return upstreamError(ctx, action, 502, { reason: describe(error) });
    }
    if (typeof tokens.id_token !== 'string')
      return upstreamError(ctx, action, 502, { reason: 'no id_token' });
    try {
      ctx.claims = await flows.authorizer.verifyToken(tokens.id_token, { audience: flows.clientId });
    } catch (error) {
      if (!isGatewayError(error)) throw error;
      return upstreamError(ctx, action, 502, {
        reason: 'id_token refused',
        check: error.code,
        ...error.detail,
      });
    }
    ctx.log.auth = 'login';
    if (postLogin) await postLogin(ctx);
    return new Response(result.text, { status: 200, headers: TOKEN_HEADERS });
  } catch (error) {
    return internalError(ctx, action, error);
  }
}

/** Library messages name the failed check; they never contain the token. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The provider's `error` parameter (e.g. access_denied), if it is a short printable code. */
function safeParam(value: string | null): string | undefined {
  return value !== null && /^[\x20-\x7e]{1,64}$/.test(value) ? value : undefined;
}

/** Constant-time comparison, so the cookie's state cannot be guessed a character at a time. */
export function equalText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
