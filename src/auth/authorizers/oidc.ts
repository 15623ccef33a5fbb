import type { AuthorizerConfig, OidcAuthorizerConfig } from '../../config/schema.js';
import { configError, configWarning, type ConfigProblem } from '../../config/problems.js';
import { lintAlgorithms, lintHttpUrl, lintInlineJwks, type LintEnv } from '../lint-rules.js';
import type { AuthorizerKind, AuthorizerSettings } from '../types.js';
import { EXTRA_PARAM_FIELDS, lintAuthorizationParams } from '../../oidc/authorization-params.js';
import { auth0Issuer } from './auth0.js';
import { issuerSettings } from './common.js';

/**
 * `type: "oidc"` (ext) — any OpenID Connect provider, named by its `issuer` (docs/CONFIG.md
 * "oidc authorizer"). Bearer tokens are verified like a `jwt` authorizer's, with the issuer's
 * key set found by OpenID Connect Discovery unless `jwks`/`jwks_uri` is given. The client
 * fields (client_id, client authentication, scopes, authorization parameters) are read by the
 * `oidc_*` flows (src/integrations/oidc/).
 */
const FIELDS = [
  'issuer',
  'domain',
  'client_id',
  'client_secret',
  'client_auth',
  'client_private_key',
  'redirect_uri',
  'scopes',
  ...EXTRA_PARAM_FIELDS,
  'audience',
  'post_logout_redirect_uri',
  'jwks',
  'jwks_uri',
  'algorithm',
  'algorithms',
  'clock_tolerance',
  'required_claims',
  'max_token_age',
  'timeout_ms',
] as const;

/** What OpenID providers sign with; never an HMAC algorithm (that would need the client secret). */
export const OIDC_DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;

/**
 * The issuer: `issuer` as written, or — the Auth0 preset — `https://{domain}/` from `domain`,
 * exactly as an `auth0` authorizer derives it (Auth0 serves discovery for that issuer).
 */
export function oidcIssuer(def: AuthorizerConfig): string {
  if (def.domain !== undefined && def.issuer === undefined) return auth0Issuer(def.domain);
  return typeof def.issuer === 'string' ? def.issuer : '';
}

function lint(def: AuthorizerConfig, pointer: string): ConfigProblem[] {
  if (def.domain !== undefined && def.issuer !== undefined) {
    return [
      configError(
        `${pointer}/domain`,
        'set only one of "issuer", "domain" (domain means issuer https://{domain}/)',
      ),
    ];
  }
  const issuer = def.domain !== undefined ? oidcIssuer(def) : def.issuer;
  if (typeof issuer !== 'string') {
    return [
      configError(
        `${pointer}${issuer === undefined ? '' : '/issuer'}`,
        'an oidc authorizer needs "issuer": one URL, exactly as the provider writes it (e.g. "https://id.example/realms/x"), or an Auth0 "domain"',
      ),
    ];
  }
  const problems = lintIssuer(issuer, `${pointer}/issuer`);
  if (def.jwks !== undefined && def.jwks_uri !== undefined) {
    problems.push(configError(`${pointer}/jwks_uri`, 'set only one of "jwks", "jwks_uri"'));
  }
  if (def.jwks !== undefined) problems.push(...lintInlineJwks(def.jwks, `${pointer}/jwks`));
  if (def.jwks_uri !== undefined)
    problems.push(...lintHttpUrl(def.jwks_uri, `${pointer}/jwks_uri`, 'jwks_uri'));
  problems.push(
    ...lintAlgorithms(def, pointer, {
      defaults: [...OIDC_DEFAULT_ALGORITHMS],
      secretField: undefined,
      hasSecret: false,
      hasPublicKeys: true,
      publicKeyFields: "the issuer's key set",
    }),
  );
  const method = clientAuthMethod(def);
  if (method === 'private_key_jwt' && def.client_private_key === undefined) {
    problems.push(
      configError(`${pointer}/client_private_key`, 'is required by client_auth "private_key_jwt"'),
    );
  }
  if (def.client_auth !== undefined && method !== 'private_key_jwt' && def.client_secret === undefined) {
    problems.push(configError(`${pointer}/client_secret`, `is required by client_auth "${method}"`));
  }
  if (def.client_private_key !== undefined && method !== 'private_key_jwt') {
    problems.push(
      configError(`${pointer}/client_private_key`, 'is only used with client_auth "private_key_jwt"'),
    );
  }
  problems.push(...lintAuthorizationParams(def, pointer));
  if (def.scopes !== undefined && !def.scopes.includes('openid')) {
    problems.push(configError(`${pointer}/scopes`, 'must include "openid" (the login needs an ID token)'));
  }
  if (def.audience === undefined) {
    problems.push(
      configWarning(
        pointer,
        'no "audience": bearer tokens of this issuer are accepted whatever API they were issued for',
      ),
    );
  }
  return problems;
}

function lintIssuer(issuer: string, pointer: string): ConfigProblem[] {
  const problems = lintHttpUrl(issuer, pointer, 'issuer');
  if (problems.some((p) => p.severity === 'error')) return problems;
  const url = new URL(issuer);
  if (url.search || url.hash)
    problems.push(configError(pointer, 'issuer has no query or fragment (OpenID Connect Discovery §3)'));
  return problems;
}

/** `client_secret_basic` unless configured (RFC 6749 §2.3.1: the method servers must support). */
export function clientAuthMethod(def: AuthorizerConfig): NonNullable<AuthorizerConfig['client_auth']> {
  return (
    def.client_auth ?? (def.client_private_key !== undefined ? 'private_key_jwt' : 'client_secret_basic')
  );
}

/**
 * How the client authenticates at the token endpoint, with the credential that method needs: the
 * lint above refuses an explicit `client_auth` without its credential, so the only client left
 * without one is a public client (`none`, RFC 6749 §2.1).
 */
export type ClientAuthentication =
  | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly secret: string }
  | { readonly method: 'private_key_jwt'; readonly key: NonNullable<AuthorizerConfig['client_private_key']> }
  | { readonly method: 'none' };

export function clientAuthentication(def: AuthorizerConfig): ClientAuthentication {
  const method = clientAuthMethod(def);
  if (method === 'private_key_jwt') {
    return def.client_private_key === undefined
      ? { method: 'none' }
      : { method, key: def.client_private_key };
  }
  return def.client_secret === undefined ? { method: 'none' } : { method, secret: def.client_secret };
}

function settings(def: AuthorizerConfig): AuthorizerSettings {
  const issuer = oidcIssuer(def);
  return issuerSettings(def, issuer, OIDC_DEFAULT_ALGORITHMS, { discoveryIssuer: issuer });
}

export const oidcAuthorizer: AuthorizerKind<OidcAuthorizerConfig> = {
  type: 'oidc',
  accepts: (def): def is OidcAuthorizerConfig =>
    def.type === 'oidc' && (typeof def.issuer === 'string' || def.domain !== undefined),
  fields: FIELDS,
  lint: (def, pointer, _env: LintEnv) => lint(def, pointer),
  settings,
};
