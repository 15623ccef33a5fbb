import { errors } from 'jose';
import type { ErrorCode } from '../errors/codes.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { AuthFailureDetail } from './types.js';

/** RFC 6750 §3: no error code when the client sent no bearer token at all (or another scheme). */
export const CHALLENGE_NO_TOKEN = 'Bearer';
/** RFC 6750 §3.1: the token sent was malformed, expired, revoked or otherwise invalid. */
export const CHALLENGE_INVALID_TOKEN = 'Bearer error="invalid_token"';

/**
 * A remote key set could not be fetched (network, timeout, non-200, redirect, oversized body).
 * Not a jose error: we fetch key sets ourselves so we control timeout, size and redirects.
 */
export class KeySetUnavailableError extends Error {
  readonly url: string;
  readonly reason: string;
  constructor(url: string, reason: string) {
    super(`key set ${url} could not be fetched: ${reason}`);
    this.name = 'KeySetUnavailableError';
    this.url = url;
    this.reason = reason;
  }
}

/**
 * jose error code → row of the auth table (docs/AUTH.md). Codes that are not table rows are folded
 * into the nearest row: a timed-out key set fetch is "unavailable", a bad JWK in a set is a
 * malformed set. Everything else — JOSENotSupported (unknown `crit`, unsupported key type),
 * generic JOSEError, TypeError and DOMException from WebCrypto (e.g. a key of the wrong type or
 * an RSA modulus under 2048 bits) — is "any other verification failure".
 */
const JOSE_CODE_TO_ROW: Readonly<Record<string, ErrorCode>> = {
  ERR_JOSE_ALG_NOT_ALLOWED: 'ERR_JOSE_ALG_NOT_ALLOWED',
  ERR_JWE_DECRYPTION_FAILED: 'ERR_JWE_DECRYPTION_FAILED',
  ERR_JWE_INVALID: 'ERR_JWE_INVALID',
  ERR_JWT_EXPIRED: 'ERR_JWT_EXPIRED',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
  ERR_JWT_INVALID: 'ERR_JWT_INVALID',
  ERR_JWKS_NO_MATCHING_KEY: 'ERR_JWKS_NO_MATCHING_KEY',
  ERR_JWKS_INVALID: 'ERR_JWKS_INVALID',
  ERR_JWK_INVALID: 'ERR_JWKS_INVALID',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  ERR_JWKS_TIMEOUT: 'ERR_JWKS_UNAVAILABLE',
  ERR_JWS_INVALID: 'ERR_JWS_INVALID',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
};

/** The table row for anything a verification can throw. Total: never throws, never a 500. */
export function authErrorCode(error: unknown): ErrorCode {
  if (error instanceof GatewayError) return error.code;
  if (error instanceof KeySetUnavailableError) return 'ERR_JWKS_UNAVAILABLE';
  if (error instanceof errors.JOSEError) return JOSE_CODE_TO_ROW[error.code] ?? 'AUTH_VERIFICATION_FAILED';
  return 'AUTH_VERIFICATION_FAILED';
}

/**
 * The one constructor of auth failures. No `cause` is attached on purpose: jose's claim errors
 * carry the whole payload, and whatever is attached may end up in a log line.
 */
export function authFailure(
  code: ErrorCode,
  detail: AuthFailureDetail,
  options: { readonly noToken?: boolean } = {},
): GatewayError {
  return new GatewayError(code, {
    detail: { ...detail },
    headers: { 'www-authenticate': options.noToken ? CHALLENGE_NO_TOKEN : CHALLENGE_INVALID_TOKEN },
  });
}
