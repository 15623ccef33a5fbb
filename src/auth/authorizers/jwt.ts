import type { AuthorizerConfig, JwtAuthorizerConfig } from '../../config/schema.js';
import { configError, type ConfigProblem } from '../../config/problems.js';
import {
  jwksUriIgnored,
  lintAlgorithms,
  lintHttpUrl,
  lintInlineJwks,
  lintPublicKey,
  lintSecret,
  type LintEnv,
} from '../lint-rules.js';
import type { AuthorizerKind, AuthorizerSettings } from '../types.js';
import { algorithmsOf, claimSettings } from './common.js';
import { OIDC_DEFAULT_ALGORITHMS } from './oidc.js';

/**
 * `type: "jwt"` — the anchor's HMAC authorizer (`secret`, `algorithm` default HS256, `issuer`,
 * `audience`), extended with public keys (`public_key`, `jwks`, `jwks_uri`), algorithm lists,
 * issuer/audience lists and the claim knobs (docs/AUTH.md "`jwt`").
 */
const FIELDS = [
  'secret',
  'algorithm',
  'algorithms',
  'issuer',
  'audience',
  'public_key',
  'jwks',
  'jwks_uri',
  'clock_tolerance',
  'required_claims',
  'max_token_age',
  'allow_weak_secret',
] as const;

const PUBLIC_KEY_FIELDS = ['public_key', 'jwks', 'jwks_uri'] as const;

/** `jwks` and `jwks_uri` together: the Serverless API Gateway uses `jwks`; so do we, with a warning. */
function keySources(def: AuthorizerConfig): (typeof PUBLIC_KEY_FIELDS)[number][] {
  const set = PUBLIC_KEY_FIELDS.filter((field) => def[field] !== undefined);
  return set.includes('jwks') ? set.filter((field) => field !== 'jwks_uri') : set;
}

function lint(def: AuthorizerConfig, pointer: string, env: LintEnv): ConfigProblem[] {
  const publicSources = keySources(def);
  if (def.secret === undefined && publicSources.length === 0) {
    // (ext) An issuer named alone: its key set comes from OpenID Connect Discovery.
    if (typeof def.issuer === 'string') return lintDiscoveredIssuer(def, pointer);
    return [
      configError(
        pointer,
        'a jwt authorizer needs "secret" (HMAC), one of "public_key", "jwks", "jwks_uri", or an "issuer" alone (keys by OpenID Connect Discovery)',
      ),
    ];
  }
  const problems: ConfigProblem[] = [];
  if (def.jwks !== undefined && def.jwks_uri !== undefined) problems.push(jwksUriIgnored(pointer));
  if (publicSources.length > 1) {
    problems.push(
      configError(
        `${pointer}/${publicSources[1] ?? ''}`,
        `set only one of ${publicSources.map((f) => `"${f}"`).join(', ')}`,
      ),
    );
  }
  problems.push(
    ...lintAlgorithms(def, pointer, {
      defaults: ['HS256'],
      secretField: 'secret',
      hasSecret: def.secret !== undefined,
      hasPublicKeys: publicSources.length > 0,
      publicKeyFields: '"public_key", "jwks" or "jwks_uri"',
    }),
  );
  if (def.secret !== undefined)
    problems.push(
      ...lintSecret(def.secret, `${pointer}/secret`, env, {
        algorithms: algorithmsOf(def, ['HS256']),
        allowWeak: def.allow_weak_secret ?? false,
      }),
    );
  if (def.public_key !== undefined) problems.push(...lintPublicKey(def.public_key, `${pointer}/public_key`));
  if (def.jwks !== undefined)
    problems.push(...lintInlineJwks(def.jwks, `${pointer}/jwks`, env.verifiesTokens ?? true));
  if (publicSources.includes('jwks_uri') && def.jwks_uri !== undefined)
    problems.push(...lintHttpUrl(def.jwks_uri, `${pointer}/jwks_uri`, 'jwks_uri'));
  return problems;
}

/** `issuer` with no key: discovery finds the key set, so only asymmetric algorithms make sense. */
function lintDiscoveredIssuer(def: AuthorizerConfig, pointer: string): ConfigProblem[] {
  return [
    ...lintHttpUrl(String(def.issuer), `${pointer}/issuer`, 'issuer'),
    ...lintAlgorithms(def, pointer, {
      defaults: [...OIDC_DEFAULT_ALGORITHMS],
      secretField: 'secret',
      hasSecret: false,
      hasPublicKeys: true,
      publicKeyFields: "the issuer's key set",
    }),
  ];
}

function usesDiscovery(def: AuthorizerConfig): boolean {
  return (
    def.secret === undefined &&
    PUBLIC_KEY_FIELDS.every((field) => def[field] === undefined) &&
    typeof def.issuer === 'string'
  );
}

function settings(def: AuthorizerConfig): AuthorizerSettings {
  if (usesDiscovery(def)) {
    return {
      algorithms: algorithmsOf(def, OIDC_DEFAULT_ALGORITHMS),
      issuer: String(def.issuer),
      ...claimSettings(def),
      keys: { discoveryIssuer: String(def.issuer) },
    };
  }
  return {
    algorithms: algorithmsOf(def, ['HS256']),
    ...(def.issuer === undefined ? {} : { issuer: def.issuer }),
    ...claimSettings(def),
    keys: {
      ...(def.secret === undefined ? {} : { secret: def.secret }),
      ...(def.public_key === undefined ? {} : { publicKey: def.public_key }),
      ...(def.jwks === undefined ? {} : { jwks: def.jwks }),
      ...(def.jwks_uri === undefined || def.jwks !== undefined ? {} : { jwksUri: def.jwks_uri }),
    },
  };
}

export const jwtAuthorizer: AuthorizerKind<JwtAuthorizerConfig> = {
  type: 'jwt',
  accepts: (def): def is JwtAuthorizerConfig => def.type === 'jwt',
  fields: FIELDS,
  lint,
  settings,
};
