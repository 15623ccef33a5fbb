import { base64url, type JWSHeaderParameters } from 'jose';
import { isNoneAlgorithm, type JwsAlgorithm } from './algorithms.js';
import { authFailure } from './errors.js';
import { preview } from './format.js';

/**
 * Header parameters that point at a key chosen by the token's author (RFC 7515 §4.1.2–4.1.6).
 * Accepting any of them would let the token pick its own verification key, so a token carrying
 * one is refused outright — and nothing they name is ever fetched (docs/SECURITY.md "Tokens").
 */
export const FORBIDDEN_HEADER_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes the protected header of a token that already passed `assertCompactToken`.
 * Bad base64url, bad UTF-8, bad JSON or a non-object → ERR_JWS_INVALID.
 */
export function readProtectedHeader(token: string): JWSHeaderParameters {
  const encoded = token.slice(0, token.indexOf('.'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(base64url.decode(encoded)));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw authFailure('ERR_JWS_INVALID', {
      check: 'header',
      expected: 'a base64url-encoded JSON object',
      actual: 'not decodable as a JSON object',
      message: 'the token header is not a base64url-encoded JSON object',
    });
  }
  return parsed as JWSHeaderParameters;
}

/**
 * Header checks done before jose runs, so the refusal and its explanation do not depend on the
 * library's order of checks: `alg` present and allowed (never `none`), no embedded or remote key.
 */
export function checkProtectedHeader(header: JWSHeaderParameters, allowed: readonly JwsAlgorithm[]): void {
  const { alg } = header;
  if (typeof alg !== 'string' || alg === '') {
    throw authFailure('ERR_JWS_INVALID', {
      check: 'alg',
      expected: allowed,
      actual: alg === undefined ? 'missing' : preview(alg),
      message: 'the token header has no "alg"',
    });
  }
  if (isNoneAlgorithm(alg) || !(allowed as readonly string[]).includes(alg)) {
    throw authFailure('ERR_JOSE_ALG_NOT_ALLOWED', algDetail(alg, allowed));
  }
  const forbidden = FORBIDDEN_HEADER_PARAMETERS.find((name) => Object.hasOwn(header, name));
  if (forbidden) {
    throw authFailure('AUTH_VERIFICATION_FAILED', {
      check: 'header',
      expected: `no ${FORBIDDEN_HEADER_PARAMETERS.join('/')} header parameter`,
      actual: forbidden,
      message: `the token header carries "${forbidden}": keys are taken from the authorizer's config, never from the token`,
      hint: 'sign the token without embedding a key or key URL in its header',
    });
  }
}

/** The explanation for an `alg` outside the configured list. */
export function algDetail(alg: unknown, allowed: readonly JwsAlgorithm[]) {
  // A plain algorithm name reads best bare ("alg RS256 but …"); anything odd is quoted and shortened.
  const actual = typeof alg === 'string' && /^[A-Za-z0-9_-]{1,16}$/.test(alg) ? alg : preview(alg);
  const allowedText = allowed.join(', ');
  if (isNoneAlgorithm(alg)) {
    return {
      check: 'alg',
      expected: allowed,
      actual,
      message: `alg ${actual}: unsigned tokens are never accepted`,
      hint: 'sign the token; "none" is refused whatever the configuration',
    };
  }
  const tokenIsHmac = typeof alg === 'string' && alg.startsWith('HS');
  const allowsHmac = allowed.some((a) => a.startsWith('HS'));
  let hint = `sign tokens with ${allowedText}, or add ${actual} to the authorizer's algorithms if it is really expected`;
  if (tokenIsHmac && !allowsHmac) {
    hint =
      'the token is HMAC-signed but this authorizer verifies public-key signatures; use a token from the identity provider';
  } else if (!tokenIsHmac && allowsHmac && !allowed.some((a) => !a.startsWith('HS'))) {
    hint =
      'the token has a public-key signature but this authorizer checks an HMAC secret; check which authorizer the route uses';
  }
  return {
    check: 'alg',
    expected: allowed,
    actual,
    message: `alg ${actual} but the authorizer allows ${allowedText}`,
    hint,
  };
}
