import type { AuthorizerConfig } from '../config/schema.js';
import { configError, configWarning, type ConfigProblem } from '../config/problems.js';
import { closestMatch } from '../config/suggest.js';
import {
  isAsymmetricAlgorithm,
  isHmacAlgorithm,
  isKnownAlgorithm,
  isNoneAlgorithm,
  KNOWN_ALGORITHMS,
} from './algorithms.js';

/**
 * Semantic rules shared by the authorizer types (docs/CONFIG.md "Semantic rules", docs/AUTH.md "`jwt`").
 * Pure and synchronous: `gatehouse validate` runs them without importing any key.
 */

export interface LintEnv {
  /** GATEHOUSE_STRICT=1: weak-secret warnings become errors. */
  readonly strict: boolean;
  /**
   * Names of the authorizers some route verifies tokens with (`auth: true` is "default");
   * undefined when unknown, which counts every authorizer as used (the stricter reading).
   */
  readonly verifyingAuthorizers?: ReadonlySet<string>;
  /** Set by lintAuthorizers for the authorizer being linted: a route verifies tokens with it. */
  readonly verifiesTokens?: boolean;
}

/** RFC 7518 §3.2: an HMAC key at least as long as the hash output; 32 bytes for HS256. */
export const MIN_HMAC_SECRET_BYTES = 32;

const FIELD_OWNERS: Readonly<Record<string, string>> = {
  secret: 'jwt',
  public_key: 'jwt',
  jwks: 'jwt and auth0',
  jwks_uri: 'jwt, auth0 and supabase',
  issuer: 'jwt, supabase and oidc (auth0 derives it from domain: https://{domain}/)',
  domain: 'auth0 and oidc',
  client_id: 'auth0 and oidc',
  client_secret: 'auth0 and oidc',
  redirect_uri: 'auth0 and oidc',
  callback_uri: 'auth0',
  scope: 'auth0',
  jwt_secret: 'supabase',
  timeout_ms: 'auth0, supabase and oidc (their flows)',
  allow_weak_secret: 'jwt and supabase',
};

/** A field that belongs to another authorizer type is an error: it would be silently ignored. */
export function lintFields(
  def: AuthorizerConfig,
  pointer: string,
  type: string,
  allowed: readonly string[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(def)) {
    if (key === 'type' || allowed.includes(key)) continue;
    const owner = FIELD_OWNERS[key];
    const suggestion = closestMatch(key, allowed);
    problems.push(
      configError(
        `${pointer}/${key}`,
        `"${key}" does not apply to a ${type} authorizer${owner ? ` (used by ${owner})` : ''}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      ),
    );
  }
  return problems;
}

/** The configured algorithm list and where it lives in the file, or undefined when neither key is set. */
export function configuredAlgorithms(
  def: AuthorizerConfig,
): { names: readonly string[]; pointerOf: (i: number) => string } | undefined {
  if (def.algorithms) return { names: def.algorithms, pointerOf: (i) => `/algorithms/${i}` };
  if (def.algorithm) return { names: [def.algorithm], pointerOf: () => '/algorithm' };
  return undefined;
}

export interface AlgorithmRules {
  /** The effective list when the config sets none. */
  readonly defaults: readonly string[];
  /** Field that holds the HMAC secret for this type, if the type has one. */
  readonly secretField: 'secret' | 'jwt_secret' | undefined;
  readonly hasSecret: boolean;
  /** Whether public keys are configured (public_key / jwks / jwks_uri). */
  readonly hasPublicKeys: boolean;
  readonly publicKeyFields: string;
}

/** Names known, never `none`; HMAC only with a secret, asymmetric only with public keys (RFC 8725 §3.1). */
export function lintAlgorithms(
  def: AuthorizerConfig,
  pointer: string,
  rules: AlgorithmRules,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (def.algorithm !== undefined && def.algorithms !== undefined) {
    problems.push(configError(`${pointer}/algorithm`, 'set either "algorithm" or "algorithms", not both'));
  }
  const configured = configuredAlgorithms(def);
  const names = configured?.names ?? rules.defaults;
  const at = (i: number) => (configured ? `${pointer}${configured.pointerOf(i)}` : pointer);
  names.forEach((alg, i) => {
    if (isNoneAlgorithm(alg)) {
      problems.push(configError(at(i), `"${alg}": unsigned tokens are never accepted`));
    } else if (!isKnownAlgorithm(alg)) {
      const suggestion = closestMatch(alg, KNOWN_ALGORITHMS);
      problems.push(
        configError(
          at(i),
          `unknown algorithm "${alg}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (known: ${KNOWN_ALGORITHMS.join(', ')})`,
        ),
      );
    } else if (isHmacAlgorithm(alg) && !rules.hasSecret) {
      problems.push(
        configError(
          at(i),
          rules.secretField
            ? `${alg} is an HMAC algorithm and needs "${rules.secretField}"${configured ? '' : ` (it is the default; set "algorithms" to the keys' algorithm, e.g. ["RS256"], when using ${rules.publicKeyFields})`}`
            : `${alg} is an HMAC algorithm; this authorizer type verifies with public keys only`,
        ),
      );
    } else if (isAsymmetricAlgorithm(alg) && !rules.hasPublicKeys) {
      problems.push(
        configError(at(i), `${alg} is a public-key algorithm and needs ${rules.publicKeyFields}`),
      );
    }
  });
  if (rules.hasSecret && rules.secretField && !names.some(isHmacAlgorithm)) {
    problems.push(
      configWarning(
        `${pointer}/${rules.secretField}`,
        `"${rules.secretField}" is unused: no HMAC algorithm (HS256/384/512) is allowed`,
      ),
    );
  }
  return problems;
}

/** Both key-set fields: `jwks` wins, as in the Serverless API Gateway (its Auth0 page sets both). */
export function jwksUriIgnored(pointer: string): ConfigProblem {
  return configWarning(`${pointer}/jwks_uri`, 'ignored: "jwks" is set and is used (set only one)');
}

/** RFC 7518 §3.2: the key must be at least as long as the hash output. */
const HMAC_KEY_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/**
 * Short HMAC secrets can be brute-forced offline from a single token, so one shorter than the
 * hash of the longest allowed HMAC algorithm is refused; `allow_weak_secret: true` (configs being
 * migrated) makes it a warning, unless GATEHOUSE_STRICT=1.
 */
export function lintSecret(
  secret: string,
  pointer: string,
  env: LintEnv,
  options: { readonly algorithms: readonly string[]; readonly allowWeak: boolean },
): ConfigProblem[] {
  const bytes = new TextEncoder().encode(secret).length;
  const needed = Math.max(
    MIN_HMAC_SECRET_BYTES,
    ...options.algorithms.map((alg) => HMAC_KEY_BYTES[alg] ?? 0),
  );
  if (bytes >= needed) return [];
  const strongest = options.algorithms.filter((alg) => HMAC_KEY_BYTES[alg] === needed)[0] ?? 'HS256';
  const message = `HMAC secret is ${bytes} bytes; ${strongest} needs at least ${needed} random bytes (RFC 7518 §3.2)`;
  if (!options.allowWeak)
    return [configError(pointer, `${message}; set "allow_weak_secret": true to accept it while migrating`)];
  return [
    env.strict ? configError(pointer, `${message} (GATEHOUSE_STRICT=1)`) : configWarning(pointer, message),
  ];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** http(s) only; plain http only makes sense on the local machine. */
export function lintHttpUrl(value: string, pointer: string, what: string): ConfigProblem[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [configError(pointer, `${what} must be an absolute http(s) URL`)];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return [configError(pointer, `${what} must use https (or http), not ${url.protocol.slice(0, -1)}`)];
  }
  if (url.username || url.password) return [configError(pointer, `${what} must not carry credentials`)];
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return [
      configWarning(pointer, `${what} uses plain http: keys fetched over it can be replaced in transit`),
    ];
  }
  return [];
}

/** PEM SPKI or a public JWK; never a private key, certificate or PKCS#1 key. */
export function lintPublicKey(value: string, pointer: string): ConfigProblem[] {
  const text = value.trim();
  if (text.startsWith('-----BEGIN PUBLIC KEY-----')) {
    return text.includes('-----END PUBLIC KEY-----')
      ? []
      : [configError(pointer, 'PEM public key has no END line')];
  }
  if (text.includes('PRIVATE KEY-----')) {
    return [
      configError(pointer, 'this is a private key: never put it in the gateway config; use its public key'),
    ];
  }
  if (text.startsWith('-----BEGIN CERTIFICATE-----')) {
    return [
      configError(
        pointer,
        'certificates are not accepted; extract the public key (openssl x509 -pubkey -noout)',
      ),
    ];
  }
  if (text.startsWith('-----BEGIN RSA PUBLIC KEY-----')) {
    return [
      configError(
        pointer,
        'PKCS#1 "RSA PUBLIC KEY" is not accepted; convert it to SPKI ("-----BEGIN PUBLIC KEY-----")',
      ),
    ];
  }
  if (text.startsWith('{')) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      return [configError(pointer, 'public_key looks like JSON but does not parse')];
    }
    return lintJwk(jwk, pointer, 'public_key');
  }
  return [
    configError(
      pointer,
      'public_key must be a PEM SPKI public key ("-----BEGIN PUBLIC KEY-----") or a public JWK (JSON)',
    ),
  ];
}

/** An inline key set: `{"keys": [...]}` of public keys, as JSON text or an object. */
export function lintInlineJwks(value: unknown, pointer: string, verifiesTokens = true): ConfigProblem[] {
  let set = value;
  if (typeof value === 'string') {
    try {
      set = JSON.parse(value);
    } catch {
      return [configError(pointer, 'jwks is not valid JSON')];
    }
  }
  const keys = typeof set === 'object' && set !== null ? (set as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) return [configError(pointer, 'jwks must be a JSON Web Key Set: {"keys": [...]}')];
  if (keys.length === 0) {
    // An empty set is a placeholder (the Serverless API Gateway's refresh tests use one); it is
    // only a mistake when a route relies on it to verify tokens.
    return verifiesTokens
      ? [
          configError(
            pointer,
            'jwks has no keys: no token could ever verify, and a route verifies tokens with it',
          ),
        ]
      : [configWarning(pointer, 'jwks has no keys: no token could ever verify')];
  }
  return keys.flatMap((key, i) =>
    lintJwk(key, typeof value === 'string' ? pointer : `${pointer}/keys/${i}`, `key ${i}`),
  );
}

function lintJwk(jwk: unknown, pointer: string, what: string): ConfigProblem[] {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    return [configError(pointer, `${what} must be a JSON object (JWK)`)];
  }
  const { kty } = jwk as { kty?: unknown };
  if (typeof kty !== 'string') return [configError(pointer, `${what} has no "kty"`)];
  if (kty === 'oct') return [configError(pointer, `${what} is a symmetric key; HMAC secrets go in "secret"`)];
  if ('d' in jwk || 'p' in jwk) {
    return [
      configError(
        pointer,
        `${what} is a private key: never put it in the gateway config; publish only public members`,
      ),
    ];
  }
  return [];
}
