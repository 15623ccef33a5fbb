import { importJWK, importPKCS8, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { clientAuthentication, oidcIssuer } from '../../auth/authorizers/oidc.js';
import { DEFAULT_REMOTE_KEY_SET_OPTIONS } from '../../auth/remote-key-set.js';
import type { Authorizer } from '../../auth/types.js';
import type { GatewayConfig, RouteConfig } from '../../config/schema.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { DiscoveryError, getIssuerDiscovery, type IssuerDiscovery } from '../../oidc/discovery.js';
import type { Platform } from '../../platform.js';
import { createSealedCookies } from '../../session/sealed-cookie.js';
import {
  cookieSecret,
  createSessionSettings,
  sessionConfigOf,
  type SessionSettings,
} from '../../session/settings.js';
import { perAuthorizer, requireFlowAuthorizer, type WithFields } from '../identity/authorizer.js';
import type { OIDC_LOGIN_AUTHORIZER_FIELDS } from '../identity/login-fields.js';
import type { OidcAuthorizerConfig } from '../../config/schema.js';
import { oauthProviderCall, type OAuthProviderCall } from '../identity/oauth-call.js';
import { DEFAULT_FLOW_TIMEOUT_MS, type ProviderResult } from '../identity/provider-call.js';
import type { IntegrationDeps } from '../definition.js';
import { extraAuthorizationParams } from '../../oidc/authorization-params.js';
import { OIDC_ERRORS, type FlowErrors } from './errors.js';
import { sealedTransactions, type LoginTransactions } from './transactions.js';

/**
 * Everything the provider flows of one authorizer share, built once per compiled config
 * (docs/FLOWS.md "OpenID Connect"): the provider's metadata, the client and its authentication,
 * the authorization parameters, the login transaction cookie and, when the login route has
 * `session`, the browser session. The `oidc` type builds it from `issuer` with discovery
 * (createOidcFlows); the `auth0` type is a preset of it (auth0/preset.ts: `domain` → issuer
 * `https://{domain}/` and Auth0's fixed endpoints, its cookie, its error codes), and both run
 * the same login, callback, userinfo and refresh code.
 */
export interface OidcFlows {
  readonly authorizer: Authorizer;
  readonly issuer: string;
  readonly client: oauth.Client;
  readonly clientId: string;
  readonly redirectUri: string | undefined;
  readonly scope: string;
  /** Fixed authorization parameters (prompt, audience, organization, … and `authorization_params`). */
  readonly authorizationParams: readonly (readonly [string, string])[];
  readonly postLogoutRedirectUri: string | undefined;
  /** The catalogue rows this preset answers with. */
  readonly errors: FlowErrors;
  readonly login: LoginShape;
  readonly refresh: RefreshShape;
  /**
   * The callback answers a provider `error` itself (redirect to the app, or OIDC_LOGIN_FAILED);
   * the `auth0` preset treats a callback without a code as `missing_code`, whatever it carries.
   */
  readonly reportsProviderErrors: boolean;
  readonly session: SessionSettings | undefined;
  /** Cookies get `Secure` when the callback the provider redirects to is https. */
  readonly secureCookies: boolean;
  /** The provider metadata; throws GatewayError OIDC_DISCOVERY_FAILED / OIDC_ISSUER_MISMATCH. */
  metadata(): Promise<oauth.AuthorizationServer>;
  clientAuth(): Promise<oauth.ClientAuth>;
  /** Sends exactly one request through oauth4webapi with the flow's fetch, deadline and signal. */
  readonly call: OAuthProviderCall;
  /** The deadline of one provider call (`timeout_ms`). */
  readonly providerTimeoutMs: number;
  readonly platform: Pick<Platform, 'fetch' | 'now'>;
}

/** How a preset's login request is written. */
export interface LoginShape {
  /** The client's own `?state=` (at most MAX_CLIENT_STATE_LENGTH) is used when given (`auth0`). */
  readonly clientState: boolean;
  /** An OpenID Connect `nonce` is sent and checked (`oidc`). */
  readonly nonce: boolean;
  /** The request may choose `?login_hint=`, `?prompt=`, `?screen_hint=` (`oidc`). */
  readonly requestChoices: boolean;
  /** Parameters written after the protocol's own (the `auth0` preset's `audience`). */
  readonly trailingParams: readonly (readonly [string, string])[];
}

/** How a preset's `*_refresh` route reads and judges its request. */
export interface RefreshShape {
  /**
   * (`auth0`) The bearer token is verified first: still valid → `token_still_valid` and no
   * provider call; expired → the grant; any other failure → the auth error table.
   */
  readonly stillValidCheck: boolean;
  /** (`oidc`) A body is read only when its content type is JSON. */
  readonly jsonBodyOnly: boolean;
  /** (`oidc`) Concurrent grants with one refresh token share one call (refresh-grant.ts). */
  readonly shareGrants: boolean;
}

export const DEFAULT_OIDC_SCOPES = ['openid', 'profile', 'email'] as const;

const flows = perAuthorizer<OidcFlows>();

export function oidcFlows(route: RouteConfig, deps: IntegrationDeps): OidcFlows {
  return oidcFlowsOf(requireFlowAuthorizer(route, deps, 'oidc'), deps);
}

/** The flows of an authorizer (shared with the routes it protects by session). */
export function oidcFlowsOf(
  authorizer: Authorizer,
  deps: Pick<IntegrationDeps, 'config' | 'platform'>,
): OidcFlows {
  return flows(authorizer, () => createOidcFlows(authorizer, deps.config, deps.platform));
}

/**
 * What the login and callback routes add to an authorizer's flows, from the fields the checks
 * require on those routes: the redirect URI and the login transactions (state, PKCE verifier,
 * nonce and return URL in a short-lived cookie).
 */
export interface LoginFlows {
  readonly redirectUri: string;
  readonly transactions: LoginTransactions;
}

export type OidcLoginAuthorizer = Authorizer<
  WithFields<OidcAuthorizerConfig, (typeof OIDC_LOGIN_AUTHORIZER_FIELDS)[number]>
>;

const logins = perAuthorizer<LoginFlows>();

/** The login part of an `oidc` authorizer's flows, built once per compiled config. */
export function oidcLoginFlows(
  authorizer: OidcLoginAuthorizer,
  deps: Pick<IntegrationDeps, 'config'>,
): LoginFlows {
  return logins(authorizer, () => {
    const def = authorizer.config;
    return {
      redirectUri: def.redirect_uri,
      transactions: sealedTransactions(
        createSealedCookies({
          name: transactionCookieName(authorizer.name),
          // The checks require a key for these routes: session.secret, client_secret or a private key.
          secret: cookieSecret(authorizer, sessionConfigOf(deps.config, authorizer.name)),
          context: `login|${oidcIssuer(def)}|${def.client_id}`,
        }),
      ),
    };
  });
}

export function transactionCookieName(authorizerName: string): string {
  return authorizerName === 'default'
    ? 'gatehouse_oidc_tx'
    : `gatehouse_oidc_tx_${authorizerName.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function createOidcFlows(
  authorizer: Authorizer,
  config: GatewayConfig,
  platform: Pick<Platform, 'fetch' | 'now' | 'bindings' | 'redisStore'>,
): OidcFlows {
  const def = authorizer.config;
  const issuer = oidcIssuer(def);
  const clientId = def.client_id ?? 'gatehouse';
  const timeoutMs = def.timeout_ms ?? DEFAULT_FLOW_TIMEOUT_MS;
  const insecure = new URL(issuer).protocol === 'http:';
  const discovery = getIssuerDiscovery(issuer, DEFAULT_REMOTE_KEY_SET_OPTIONS, platform.fetch);
  const sessionConfig = sessionConfigOf(config, authorizer.name);
  let auth: Promise<oauth.ClientAuth> | undefined;
  return {
    authorizer,
    issuer,
    client: { client_id: clientId },
    clientId,
    redirectUri: def.redirect_uri,
    scope: (def.scopes ?? DEFAULT_OIDC_SCOPES).join(' '),
    authorizationParams: authorizationParams(def),
    postLogoutRedirectUri: def.post_logout_redirect_uri,
    errors: OIDC_ERRORS,
    login: { clientState: false, nonce: true, requestChoices: true, trailingParams: [] },
    refresh: { stillValidCheck: false, jsonBodyOnly: true, shareGrants: true },
    reportsProviderErrors: true,
    // A session exists only beside an oidc_login route, which requires client_id (login.ts).
    session: sessionConfig
      ? createSessionSettings(authorizer, sessionConfig, { issuer, clientId }, platform)
      : undefined,
    secureCookies: def.redirect_uri?.startsWith('https:') ?? false,
    metadata: () => metadataOf(discovery, platform.now()),
    clientAuth: () =>
      (auth ??= createClientAuth(authorizer).catch((error: unknown) => {
        auth = undefined;
        throw error;
      })),
    call: oauthProviderCall(platform.fetch, timeoutMs, insecure),
    providerTimeoutMs: timeoutMs,
    platform,
  };
}

async function metadataOf(discovery: IssuerDiscovery, now: number): Promise<oauth.AuthorizationServer> {
  try {
    return await discovery.metadata(now);
  } catch (error) {
    if (!(error instanceof DiscoveryError)) throw error;
    throw new GatewayError(
      error.reason === 'issuer_mismatch' ? 'OIDC_ISSUER_MISMATCH' : 'OIDC_DISCOVERY_FAILED',
      {
        detail: { action: 'discovery', url: error.url, reason: error.message },
      },
    );
  }
}

/** `audience` (when it is one value), then the shared extra parameters. */
function authorizationParams(def: Authorizer['config']): [string, string][] {
  const audience = typeof def.audience === 'string' ? def.audience : undefined;
  return [
    ...(audience === undefined ? [] : [['audience', audience] as [string, string]]),
    ...extraAuthorizationParams(def),
  ];
}

async function createClientAuth(authorizer: Authorizer): Promise<oauth.ClientAuth> {
  const auth = clientAuthentication(authorizer.config);
  switch (auth.method) {
    case 'client_secret_post':
      return oauth.ClientSecretPost(auth.secret);
    case 'client_secret_basic':
      return oauth.ClientSecretBasic(auth.secret);
    case 'private_key_jwt':
      return oauth.PrivateKeyJwt(await importClientKey(auth.key));
    case 'none':
      return oauth.None();
  }
}

/** A private JWK (object or JSON text, with `kid` and `alg`) or a PKCS#8 PEM (RS256). */
async function importClientKey(value: unknown): Promise<oauth.PrivateKey> {
  if (typeof value === 'string' && value.trim().startsWith('-----BEGIN PRIVATE KEY-----')) {
    return { key: await importPKCS8(value.trim(), 'RS256') };
  }
  const jwk = (typeof value === 'string' ? JSON.parse(value) : value) as JWK;
  const key = await importJWK(jwk, jwk.alg ?? 'RS256');
  if (key instanceof Uint8Array) throw new Error('client_private_key is a symmetric key');
  return { key, ...(jwk.kid === undefined ? {} : { kid: jwk.kid }) };
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
