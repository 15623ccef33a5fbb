/**
 * The JWS algorithms an authorizer may be configured with (RFC 7518 §3, RFC 8037). `none` is not
 * here on purpose: unsecured tokens are never accepted, whatever the config says (RFC 8725 §3.1).
 */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];
export type JwsAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;

export const KNOWN_ALGORITHMS: readonly JwsAlgorithm[] = [...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS];

const HMAC_SET: ReadonlySet<string> = new Set(HMAC_ALGORITHMS);
const KNOWN_SET: ReadonlySet<string> = new Set(KNOWN_ALGORITHMS);

export function isKnownAlgorithm(alg: string): alg is JwsAlgorithm {
  return KNOWN_SET.has(alg);
}

export function isHmacAlgorithm(alg: string): alg is HmacAlgorithm {
  return HMAC_SET.has(alg);
}

export function isAsymmetricAlgorithm(alg: string): alg is AsymmetricAlgorithm {
  return KNOWN_SET.has(alg) && !HMAC_SET.has(alg);
}

/** WebCrypto hash of each HMAC algorithm, for importing the secret once per algorithm. */
export const HMAC_HASH: Readonly<Record<HmacAlgorithm, string>> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};

/** `none`, `None`, `NONE`, …: every spelling of the unsecured algorithm (RFC 7519 §6). */
export function isNoneAlgorithm(alg: unknown): boolean {
  return typeof alg === 'string' && alg.toLowerCase() === 'none';
}
