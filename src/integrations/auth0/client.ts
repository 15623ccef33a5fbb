import * as oauth from 'oauth4webapi';
import { auth0BaseUrl, auth0Issuer } from '../../auth/authorizers/auth0.js';
import type { Authorizer } from '../../auth/types.js';
import type { Auth0AuthorizerConfig, RouteConfig } from '../../config/schema.js';
import type { Platform } from '../../platform.js';
import { perAuthorizer, requireFlowAuthorizer } from '../identity/authorizer.js';
import { oauthProviderCall, type OAuthProviderCall } from '../identity/oauth-call.js';
import { DEFAULT_FLOW_TIMEOUT_MS, type ProviderResult } from '../identity/provider-call.js';
import type { IntegrationDeps } from '../definition.js';
import {
  createTransactionCookies,
  TRANSACTION_MAX_AGE_SECONDS,
  transactionCookieName,
  type TransactionCookies,
} from './transaction-cookie.js';

/**
 * Everything the Auth0 flows of one authorizer share, built once per compiled config: the
 * provider's endpoints as oauth4webapi metadata (fixed by Auth0's layout, so no discovery call),
 * the client and its authentication (client_secret_post: `client_id` and `client_secret` in the
 * form body, as docs/FLOWS.md specifies), the timeout and the transaction cookies.
 */
export interface Auth0Flows {
  readonly authorizer: Authorizer;
  readonly as: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  readonly clientId: string;
  readonly clientAuth: oauth.ClientAuth;
  readonly redirectUri: string | undefined;
  readonly scope: string;
  /** Auth0's `audience` authorization parameter: the API the access token is for. */
  readonly audience: string | undefined;
  readonly cookies: TransactionCookies;
  /** Sends exactly one request through oauth4webapi with the flow's fetch, deadline and signal. */
  readonly call: OAuthProviderCall;
}

/** Auth0's default when `scope` is not configured: an ID token plus the usual profile claims. */
export const DEFAULT_SCOPE = 'openid profile email';

const flows = perAuthorizer<Auth0Flows>();

export function auth0Flows(route: RouteConfig, deps: IntegrationDeps): Auth0Flows {
  const authorizer = requireFlowAuthorizer(route, deps, 'auth0');
  return flows(authorizer, () => createAuth0Flows(authorizer, deps.platform));
}

export function createAuth0Flows(
  authorizer: Authorizer<Auth0AuthorizerConfig>,
  platform: Pick<Platform, 'fetch' | 'now'>,
): Auth0Flows {
  const def = authorizer.config;
  const domain = def.domain;
  const base = auth0BaseUrl(domain);
  const issuer = auth0Issuer(domain);
  const as: oauth.AuthorizationServer = {
    issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/oauth/token`,
    userinfo_endpoint: `${base}/userinfo`,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    id_token_signing_alg_values_supported: def.algorithms ?? [def.algorithm ?? 'RS256'],
  };
  // auth0_userinfo needs no client credentials; oauth4webapi still wants a client id.
  const clientId = def.client_id ?? 'gatehouse';
  const timeoutMs = def.timeout_ms ?? DEFAULT_FLOW_TIMEOUT_MS;
  // Plain http only for a domain that names it (docs/AUTH.md: a local provider in tests).
  const insecure = new URL(base).protocol === 'http:';
  const audience = Array.isArray(def.audience)
    ? def.audience.length === 1
      ? def.audience[0]
      : undefined
    : def.audience;
  return {
    authorizer,
    as,
    client: { client_id: clientId },
    clientId,
    clientAuth: oauth.ClientSecretPost(def.client_secret ?? ''),
    redirectUri: def.redirect_uri,
    scope: def.scope ?? DEFAULT_SCOPE,
    audience: typeof audience === 'string' ? audience : undefined,
    cookies: createTransactionCookies({
      name: transactionCookieName(authorizer.name),
      secret: def.client_secret ?? '',
      context: `${issuer}|${clientId}`,
      maxAgeSeconds: TRANSACTION_MAX_AGE_SECONDS,
      now: () => platform.now(),
    }),
    call: oauthProviderCall(platform.fetch, timeoutMs, insecure),
  };
}

/**
 * The provider's answer as a Response oauth4webapi can process: the body was already read
 * (bounded), so it is replayed from text with the headers the library looks at.
 */
export function replayAnswer(result: Extract<ProviderResult, { kind: 'answer' }>): Response {
  return new Response(result.text, {
    status: result.status,
    headers: result.contentType ? { 'content-type': result.contentType } : {},
  });
}
