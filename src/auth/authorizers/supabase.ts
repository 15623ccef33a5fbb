import type { AuthorizerConfig, SupabaseAuthorizerConfig } from '../../config/schema.js';
import { configError, type ConfigProblem } from '../../config/problems.js';
import { isHmacAlgorithm, type JwsAlgorithm } from '../algorithms.js';
import { lintAlgorithms, lintHttpUrl, lintSecret, type LintEnv } from '../lint-rules.js';
import type { AuthorizerKind, AuthorizerSettings } from '../types.js';
import { algorithmsOf, claimSettings } from './common.js';

/**
 * `type: "supabase"` — Supabase Auth access tokens: HS256 with the project's `jwt_secret`, or
 * (ext) the project's asymmetric signing keys from `jwks_uri` (RS256/ES256); both may be set
 * while a project migrates. Verified with the same jose table as every other type (docs/COMPAT.md
 * row 7, not the anchor's jsonwebtoken codes), and `sub` is always required: the anon and
 * service_role keys are valid HS256 tokens without `sub`, and are not user tokens.
 */
const FIELDS = [
  'jwt_secret',
  'jwks_uri',
  'issuer',
  'audience',
  'algorithm',
  'algorithms',
  'clock_tolerance',
  'required_claims',
  'max_token_age',
  'timeout_ms',
  'allow_weak_secret',
] as const;

function defaultAlgorithms(def: AuthorizerConfig): JwsAlgorithm[] {
  return [
    ...(def.jwt_secret === undefined ? [] : (['HS256'] as const)),
    ...(def.jwks_uri === undefined ? [] : (['RS256', 'ES256'] as const)),
  ];
}

function lint(def: AuthorizerConfig, pointer: string, env: LintEnv): ConfigProblem[] {
  if (def.jwt_secret === undefined && def.jwks_uri === undefined) {
    return [
      configError(
        pointer,
        'a supabase authorizer needs "jwt_secret" (HS256) or "jwks_uri" (asymmetric keys)',
      ),
    ];
  }
  const problems = lintAlgorithms(def, pointer, {
    defaults: defaultAlgorithms(def),
    secretField: 'jwt_secret',
    hasSecret: def.jwt_secret !== undefined,
    hasPublicKeys: def.jwks_uri !== undefined,
    publicKeyFields: '"jwks_uri"',
  });
  if (def.jwt_secret !== undefined)
    problems.push(
      ...lintSecret(def.jwt_secret, `${pointer}/jwt_secret`, env, {
        algorithms: algorithmsOf(def, defaultAlgorithms(def)),
        allowWeak: def.allow_weak_secret ?? false,
      }),
    );
  if (def.jwks_uri !== undefined)
    problems.push(...lintHttpUrl(def.jwks_uri, `${pointer}/jwks_uri`, 'jwks_uri'));
  return problems;
}

function settings(def: AuthorizerConfig): AuthorizerSettings {
  const algorithms = algorithmsOf(def, defaultAlgorithms(def));
  return {
    algorithms,
    ...(def.issuer === undefined ? {} : { issuer: def.issuer }),
    ...claimSettings(def, ['sub']),
    keys: {
      ...(def.jwt_secret !== undefined && algorithms.some(isHmacAlgorithm) ? { secret: def.jwt_secret } : {}),
      ...(def.jwks_uri === undefined ? {} : { jwksUri: def.jwks_uri }),
    },
  };
}

export const supabaseAuthorizer: AuthorizerKind<SupabaseAuthorizerConfig> = {
  type: 'supabase',
  accepts: (def): def is SupabaseAuthorizerConfig => def.type === 'supabase',
  fields: FIELDS,
  lint,
  settings,
};
