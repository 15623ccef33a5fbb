import { errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, publicCode } from '../errors/codes.js';
import { GatewayError } from '../errors/gateway-error.js';
import { renderError } from '../errors/render.js';
import { authErrorCode, authFailure, KeySetUnavailableError } from './errors.js';
import { KeyConfigError } from './key-sets.js';

/** Every jose error class, and every foreign error, lands on exactly one row of the auth table. */
describe('authErrorCode', () => {
  it.each([
    [new errors.JOSEAlgNotAllowed('x'), 'ERR_JOSE_ALG_NOT_ALLOWED'],
    [new errors.JWEDecryptionFailed(), 'ERR_JWE_DECRYPTION_FAILED'],
    [new errors.JWEInvalid('x'), 'ERR_JWE_INVALID'],
    [new errors.JWTExpired('x', {}), 'ERR_JWT_EXPIRED'],
    [new errors.JWTClaimValidationFailed('x', {}), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    [new errors.JWTInvalid('x'), 'ERR_JWT_INVALID'],
    [new errors.JWKSNoMatchingKey(), 'ERR_JWKS_NO_MATCHING_KEY'],
    [new errors.JWKSInvalid('x'), 'ERR_JWKS_INVALID'],
    [new errors.JWKInvalid('x'), 'ERR_JWKS_INVALID'],
    [new errors.JWKSMultipleMatchingKeys(), 'ERR_JWKS_MULTIPLE_MATCHING_KEYS'],
    [new errors.JWKSTimeout(), 'ERR_JWKS_UNAVAILABLE'],
    [new errors.JWSInvalid('x'), 'ERR_JWS_INVALID'],
    [new errors.JWSSignatureVerificationFailed(), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    [new KeySetUnavailableError('https://idp.example/jwks', 'answered HTTP 500'), 'ERR_JWKS_UNAVAILABLE'],
    [new errors.JOSENotSupported('x'), 'AUTH_VERIFICATION_FAILED'],
    [new errors.JOSEError('x'), 'AUTH_VERIFICATION_FAILED'],
    [new KeyConfigError('x'), 'AUTH_VERIFICATION_FAILED'],
    [new TypeError('Key for the RS256 algorithm must be of type CryptoKey'), 'AUTH_VERIFICATION_FAILED'],
    [new DOMException('bad key', 'InvalidAccessError'), 'AUTH_VERIFICATION_FAILED'],
    ['a string', 'AUTH_VERIFICATION_FAILED'],
    [undefined, 'AUTH_VERIFICATION_FAILED'],
  ])('%s → %s', (error, code) => {
    const mapped = authErrorCode(error);
    expect(mapped).toBe(code);
    expect(ERROR_CATALOGUE[mapped].status).toBe(401);
  });

  it('keeps the code of a GatewayError', () => {
    expect(authErrorCode(new GatewayError('ERR_INSUFFICIENT_SCOPE'))).toBe('ERR_INSUFFICIENT_SCOPE');
  });

  it('"any other failure" renders as the JWT verification failed row with public code AUTH_ERROR', async () => {
    const response = renderError('AUTH_VERIFICATION_FAILED');
    expect(await response.json()).toEqual({ error: 'JWT verification failed', code: 'AUTH_ERROR' });
    expect(publicCode('AUTH_VERIFICATION_FAILED')).toBe('AUTH_ERROR');
  });

  it('the table rows have exactly the documented strings', async () => {
    const rows: Array<[Parameters<typeof renderError>[0], string, string]> = [
      ['AUTH_ERROR', 'No token provided or token format is invalid.', 'AUTH_ERROR'],
      ['ERR_JOSE_ALG_NOT_ALLOWED', 'Algorithm not allowed', 'ERR_JOSE_ALG_NOT_ALLOWED'],
      ['ERR_JWE_DECRYPTION_FAILED', 'Decryption failed', 'ERR_JWE_DECRYPTION_FAILED'],
      ['ERR_JWE_INVALID', 'Invalid JWE', 'ERR_JWE_INVALID'],
      ['ERR_JWT_EXPIRED', 'Token has expired.', 'ERR_JWT_EXPIRED'],
      ['ERR_JWT_CLAIM_VALIDATION_FAILED', 'JWT claim validation failed', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      ['ERR_JWT_INVALID', 'Invalid JWT', 'ERR_JWT_INVALID'],
      ['ERR_JWKS_NO_MATCHING_KEY', 'No matching key found in JWKS.', 'ERR_JWKS_NO_MATCHING_KEY'],
      ['ERR_JWKS_INVALID', 'Invalid JWKS', 'ERR_JWKS_INVALID'],
      [
        'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
        'Multiple matching keys found in JWKS.',
        'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
      ],
      ['ERR_JWS_INVALID', 'Invalid JWS', 'ERR_JWS_INVALID'],
      [
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
        'Signature verification failed',
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      ],
      ['ERR_JWKS_UNAVAILABLE', 'Unable to fetch signing keys', 'ERR_JWKS_UNAVAILABLE'],
      ['AUTH_VERIFICATION_FAILED', 'JWT verification failed', 'AUTH_ERROR'],
    ];
    for (const [code, error, publicName] of rows) {
      const failure = authFailure(code, { check: 'x', message: 'm' });
      expect(await renderError(failure.code, failure.headers).json()).toEqual({ error, code: publicName });
      expect(failure.headers).toEqual({ 'www-authenticate': 'Bearer error="invalid_token"' });
    }
  });
});
