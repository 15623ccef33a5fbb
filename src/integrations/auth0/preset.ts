import * as oauth from 'oauth4webapi';
import { auth0BaseUrl, auth0Issuer } from '../../auth/authorizers/auth0.js';
import type { Authorizer } from '../../auth/types.js';
import type { Auth0AuthorizerConfig, RouteConfig } from '../../config/schema.js';
import type { Handler } from '../../context.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { extraAuthorizationParams } from '../../oidc/authorization-params.js';
import type { Platform } from '../../platform.js';
import { perAuthorizer, requireFlowAuthorizer, type WithFields } from '../identity/authorizer.js';
import type { AUTH0_LOGIN_AUTHORIZER_FIELDS } from '../identity/login-fields.js';
import { oauthProviderCall } from '../identity/oauth-call.js';
import { DEFAULT_FLOW_TIMEOUT_MS } from '../identity/provider-call.js';
import type { IntegrationDeps } from '../definition.js';
import type { LoginFlows, OidcFlows } from '../oidc/client.js';
import { classifyProviderResult, describe, type FlowErrors, type OidcAction } from '../oidc/errors.js';
import { matchState, TRANSACTION_MAX_AGE_MS, type LoginTransactions } from '../oidc/transactions.js';
import {
  createTransactionCookies,
  transactionCookieName,
  type TransactionCookies,
} from './transaction-cookie.js';

/**
 * The `auth0` type as a preset of the OpenID Connect flows (docs/FLOWS.md "Auth0"): the same
 * login, callback, userinfo and refresh code as `oidc_*`, with what Auth0 fixes —
 *   - the issuer is `https://{domain}/` and the endpoints are Auth0's known layout
 *     (`/authorize`, `/oauth/token`, `/userinfo`, `/.well-known/jwks.json`), so no discovery
 *     round trip is made;
 *   - the client authenticates with client_secret_post (`client_id` and `client_secret` in the
 *     form body);
 *   - the login sends no nonce, takes the client's `?state=` when given, writes `audience` last;
 *   - the transaction cookie is the signed `gatehouse_auth0` (transaction-cookie.ts);
 *   - the codes of the Serverless API Gateway (`missing_code`, `invalid_state`, …) and the
 *     AUTH0_* rows, whose provider 4xx/5xx status is passed on (docs/ERRORS.md);
 *   - `auth0_refresh` verifies the bearer token first (`token_still_valid`), one grant per
 *     request; faults of the gateway itself are 500 AUTH0_ERROR.
 */
const presets = perAuthorizer<OidcFlows>();

/** Auth0's default when `scope` is not configured: an ID token plus the usual profile claims. */
export const DEFAULT_AUTH0_SCOPE = 'openid profile email';

export function auth0Flows(route: RouteConfig, deps: IntegrationDeps): OidcFlows {
  return auth0FlowsOf(requireFlowAuthorizer(route, deps, 'auth0'), deps);
}

/** The preset's flows of an authorizer, built once per compiled config. */
export function auth0FlowsOf(
  authorizer: Authorizer<Auth0AuthorizerConfig>,
  deps: Pick<IntegrationDeps, 'platform'>,
): OidcFlows {
  return presets(authorizer, () => createAuth0Flows(authorizer, deps.platform));
}

export function createAuth0Flows(
  authorizer: Authorizer<Auth0AuthorizerConfig>,
  platform: Pick<Platform, 'fetch' | 'now'>,
): OidcFlows {
  const def = authorizer.config;
  const base = auth0BaseUrl(def.domain);
  const issuer = auth0Issuer(def.domain);
  const as: oauth.AuthorizationServer = Object.freeze({
    issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/oauth/token`,
    userinfo_endpoint: `${base}/userinfo`,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    id_token_signing_alg_values_supported: def.algorithms ?? [def.algorithm ?? 'RS256'],
  });
  // auth0_userinfo needs no client credentials; oauth4webapi still wants a client id.
  const clientId = def.client_id ?? 'gatehouse';
  const audience = Array.isArray(def.audience)
    ? def.audience.length === 1
      ? def.audience[0]
      : undefined
    : def.audience;
  // client_secret_post; a tenant used only by auth0_userinfo routes needs no credentials (and
  // the routes that authenticate require client_secret: see integrations.ts).
  const clientAuth = Promise.resolve(
    def.client_secret === undefined ? oauth.None() : oauth.ClientSecretPost(def.client_secret),
  );
  const timeoutMs = def.timeout_ms ?? DEFAULT_FLOW_TIMEOUT_MS;
  return {
    authorizer,
    issuer,
    client: { client_id: clientId },
    clientId,
    redirectUri: def.redirect_uri,
    scope: def.scope ?? DEFAULT_AUTH0_SCOPE,
    authorizationParams: extraAuthorizationParams(def),
    postLogoutRedirectUri: undefined,
    errors: AUTH0_ERRORS,
    login: {
      clientState: true,
      nonce: false,
      requestChoices: false,
      trailingParams: typeof audience === 'string' ? [['audience', audience]] : [],
    },
    refresh: { stillValidCheck: true, jsonBodyOnly: false, shareGrants: false },
    reportsProviderErrors: false,
    session: undefined,
    secureCookies: def.redirect_uri?.startsWith('https:') ?? false,
    metadata: () => Promise.resolve(as),
    clientAuth: () => clientAuth,
    // Plain http only for a domain that names it (docs/AUTH.md: a local provider in tests).
    call: oauthProviderCall(platform.fetch, timeoutMs, new URL(base).protocol === 'http:'),
    providerTimeoutMs: timeoutMs,
    platform,
  };
}

export type Auth0LoginAuthorizer = Authorizer<
  WithFields<Auth0AuthorizerConfig, (typeof AUTH0_LOGIN_AUTHORIZER_FIELDS)[number]>
>;

const logins = perAuthorizer<LoginFlows>();

/** The login part of the preset: the redirect URI and the signed `gatehouse_auth0` cookie. */
export function auth0LoginFlows(
  authorizer: Auth0LoginAuthorizer,
  platform: Pick<Platform, 'now'>,
): LoginFlows {
  return logins(authorizer, () => {
    const def = authorizer.config;
    return {
      redirectUri: def.redirect_uri,
      transactions: signedTransactions(
        createTransactionCookies({
          name: transactionCookieName(authorizer.name),
          secret: def.client_secret,
          context: `${auth0Issuer(def.domain)}|${def.client_id}`,
          maxAgeSeconds: TRANSACTION_MAX_AGE_MS / 1000,
          now: () => platform.now(),
        }),
      ),
    };
  });
}

/** The signed `gatehouse_auth0` cookie as the flows' login transactions (one Set-Cookie line). */
function signedTransactions(cookies: TransactionCookies): LoginTransactions {
  return {
    issue: async (transaction, _now, secure) => [
      await cookies.issue({ state: transaction.state, verifier: transaction.verifier }, secure),
    ],
    match: async (cookieHeader, state) => matchState(await cookies.read(cookieHeader), state),
    clear: (_cookieHeader, secure) => [cookies.clear(secure)],
  };
}

type Auth0Action = Extract<OidcAction, 'token exchange' | 'userinfo' | 'refresh token'>;

/** Each action's rows: its words ("Auth0 userinfo failed") and public codes are Auth0's. */
const PROVIDER_CODES = {
  'token exchange': {
    refused: 'AUTH0_TOKEN_EXCHANGE_FAILED',
    unreachable: 'AUTH0_TOKEN_EXCHANGE_UNREACHABLE',
    timeout: 'AUTH0_TOKEN_EXCHANGE_TIMEOUT',
  },
  userinfo: {
    refused: 'AUTH0_USERINFO_FAILED',
    unreachable: 'AUTH0_USERINFO_UNREACHABLE',
    timeout: 'AUTH0_USERINFO_TIMEOUT',
  },
  'refresh token': {
    refused: 'AUTH0_REFRESH_FAILED',
    unreachable: 'AUTH0_REFRESH_UNREACHABLE',
    timeout: 'AUTH0_REFRESH_TIMEOUT',
  },
} as const satisfies Record<Auth0Action, unknown>;

function codesOf(action: OidcAction) {
  return action === 'userinfo' || action === 'refresh token'
    ? PROVIDER_CODES[action]
    : PROVIDER_CODES['token exchange'];
}

export const AUTH0_ERRORS: FlowErrors = {
  missingCode: 'missing_code',
  invalidState: 'invalid_state',
  issuerMismatch: 'invalid_issuer',
  missingAccessToken: 'missing_access_token',
  missingRefreshToken: 'missing_refresh_token',
  providerFailure: (action, result) => classifyProviderResult(action, result, codesOf(action)),
  // A 2xx the flow cannot use (not JSON, no or a bad ID token) is 502: there is no status to pass on.
  invalidAnswer: (action, _idToken, detail) =>
    new GatewayError(codesOf(action).refused, { detail: { action, ...detail } }),
};

/** A fault of the gateway itself (a bug, a crypto failure) in an Auth0 flow: 500 AUTH0_ERROR. */
export function withInternalErrors(action: string, handler: Handler): Handler {
  return async (ctx) => {
    try {
      return await handler(ctx);
    } catch (error) {
      if (isGatewayError(error)) throw error;
      throw new GatewayError('AUTH0_ERROR', { detail: { action, reason: describe(error) } });
    }
  };
}
