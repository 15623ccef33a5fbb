import type { Auth0AuthorizerConfig, AuthorizerConfig } from '../../config/schema.js';
import { configError, configWarning, type ConfigProblem } from '../../config/problems.js';
import { jwksUriIgnored, lintAlgorithms, lintHttpUrl, lintInlineJwks, type LintEnv } from '../lint-rules.js';
import type { AuthorizerKind, AuthorizerSettings } from '../types.js';
import { EXTRA_PARAM_FIELDS, lintAuthorizationParams } from '../../oidc/authorization-params.js';
import { issuerSettings } from './common.js';

/**
 * `type: "auth0"` — tokens of an Auth0 tenant: issuer `https://{domain}/` (trailing slash, as
 * Auth0 writes it), keys from `jwks`, `jwks_uri` or the tenant's `/.well-known/jwks.json`,
 * RS256 unless configured otherwise. (ext) `audience` is enforced when set (docs/COMPAT.md row 6);
 * (ext) `domain` may carry a scheme (`http://127.0.0.1:9000`) for tests against a local server.
 * The flow fields (client_id, client_secret, …) are read by the Auth0 integrations.
 */
const FIELDS = [
  'domain',
  'client_id',
  'client_secret',
  'redirect_uri',
  'callback_uri',
  'scope',
  // (ext) extra authorization parameters, shared with the oidc type (docs/CONFIG.md)
  ...EXTRA_PARAM_FIELDS,
  'jwks',
  'jwks_uri',
  'audience',
  'algorithm',
  'algorithms',
  'clock_tolerance',
  'required_claims',
  'max_token_age',
  'timeout_ms',
] as const;

/** `https://tenant.auth0.com` for `tenant.auth0.com`; a domain with a scheme keeps it. No trailing slash. */
export function auth0BaseUrl(domain: string): string {
  const withScheme = /^https?:\/\//i.test(domain) ? domain : `https://${domain}`;
  return new URL(withScheme).origin;
}

/** The issuer Auth0 writes into its tokens: the base URL with a trailing slash. */
export function auth0Issuer(domain: string): string {
  return `${auth0BaseUrl(domain)}/`;
}

function lint(def: AuthorizerConfig, pointer: string, env: LintEnv): ConfigProblem[] {
  if (def.domain === undefined)
    return [configError(pointer, 'an auth0 authorizer needs "domain" (e.g. "tenant.eu.auth0.com")')];
  const problems = lintDomain(def.domain, `${pointer}/domain`);
  if (def.jwks !== undefined && def.jwks_uri !== undefined) problems.push(jwksUriIgnored(pointer));
  problems.push(
    ...lintAlgorithms(def, pointer, {
      defaults: ['RS256'],
      secretField: undefined,
      hasSecret: false,
      hasPublicKeys: true,
      publicKeyFields: '"jwks" or "jwks_uri"',
    }),
  );
  if (def.jwks !== undefined)
    problems.push(...lintInlineJwks(def.jwks, `${pointer}/jwks`, env.verifiesTokens ?? true));
  else if (def.jwks_uri !== undefined)
    problems.push(...lintHttpUrl(def.jwks_uri, `${pointer}/jwks_uri`, 'jwks_uri'));
  problems.push(...lintAuthorizationParams(def, pointer));
  return problems;
}

function lintDomain(domain: string, pointer: string): ConfigProblem[] {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(domain);
  if (hasScheme && !/^https?:\/\//i.test(domain))
    return [configError(pointer, 'domain may only carry an http(s) scheme')];
  let url: URL;
  try {
    url = new URL(hasScheme ? domain : `https://${domain}`);
  } catch {
    return [configError(pointer, `"${domain}" is not a host name`)];
  }
  if (
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    return [
      configError(pointer, 'domain is a host name (optionally with scheme and port), without path or query'),
    ];
  }
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    return [configWarning(pointer, 'plain http domain: tokens and keys can be tampered with in transit')];
  }
  return [];
}

/** The `oidc` settings with Auth0's fixes: issuer `https://{domain}/`, RS256, the tenant's key set. */
function settings(def: Auth0AuthorizerConfig): AuthorizerSettings {
  const issuer = auth0Issuer(def.domain);
  return issuerSettings(def, issuer, ['RS256'], { jwksUri: `${issuer}.well-known/jwks.json` });
}

export const auth0Authorizer: AuthorizerKind<Auth0AuthorizerConfig> = {
  type: 'auth0',
  accepts: (def): def is Auth0AuthorizerConfig => def.type === 'auth0' && def.domain !== undefined,
  fields: FIELDS,
  lint,
  settings,
};
