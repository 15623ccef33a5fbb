import type { ErrorCode } from '../errors/codes.js';
import type { GatewayError } from '../errors/gateway-error.js';
import { authFailure } from './errors.js';

/**
 * Token extraction, shared by every authorizer and flow (docs/AUTH.md "Token extraction"). Everything
 * here is string inspection; a request that fails it never reaches any cryptography.
 *
 * Which code for which mistake:
 * - the header cannot be read as `Bearer <one credential>` (missing, another scheme, several
 *   Authorization headers, several credentials, whitespace inside, over 8 KiB) → AUTH_ERROR,
 *   the "no token provided or token format is invalid" row;
 * - there is exactly one credential but it is not a compact JWS (wrong number of parts, padding,
 *   standard-base64 or other characters, impossible base64url length) → ERR_JWS_INVALID, the
 *   "malformed JWS" row; a five-part compact JWE → ERR_JWE_INVALID (encrypted tokens are not
 *   accepted: no authorizer has a decryption key).
 */

/** RFC 8725 gives no limit; 8 KiB is far above real access tokens and bounds the work per request. */
export const MAX_TOKEN_LENGTH = 8 * 1024;
/** The scheme and its spaces on top of the longest token we accept. */
const MAX_HEADER_LENGTH = MAX_TOKEN_LENGTH + 64;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const WHITESPACE = /\s/;

const EXPECTED_HEADER = 'Authorization: Bearer <token>';
const EXPECTED_FORMAT = 'compact JWS: base64url.base64url.base64url (no padding, no whitespace)';

/** Returns the one bearer token of the request, or throws GatewayError (AUTH_ERROR / ERR_JWS_INVALID / ERR_JWE_INVALID). */
export function extractBearerToken(headers: Headers): string {
  const token = readBearerCredential(headers);
  assertBearerToken(token);
  return token;
}

/**
 * The header-level half of extraction: `Bearer`, spaces, the rest. Cheap enough to run before
 * the verification cache lookup; the scan of the credential itself (`assertBearerToken`) is only
 * needed on a cache miss, because only tokens that passed it are ever cached.
 */
export function readBearerCredential(headers: Pick<Headers, 'get'>): string {
  const value = headers.get('authorization');
  if (value === null || value === '') {
    throw headerError('no Authorization header', { noToken: true });
  }
  if (value.length > MAX_HEADER_LENGTH) {
    throw headerError(`Authorization header of ${value.length} characters (token limit ${MAX_TOKEN_LENGTH})`);
  }
  // Headers joins repeated fields with ", "; a comma can never occur in a single bearer credential.
  if (value.includes(',')) {
    throw headerError('several Authorization headers (or a comma in the credential)');
  }
  const schemeEnd = value.search(WHITESPACE);
  const scheme = schemeEnd === -1 ? value : value.slice(0, schemeEnd);
  if (scheme.toLowerCase() !== 'bearer') {
    // Name the scheme only when it looks like one: a bare credential must not reach the log.
    const named = /^[A-Za-z]{1,12}$/.test(scheme) ? `scheme "${scheme}"` : 'no scheme (or an unknown one)';
    throw headerError(`${named}, not Bearer`, { noToken: true });
  }
  let start = scheme.length;
  while (value.charCodeAt(start) === 0x20) start++;
  if (start === value.length) throw headerError('Bearer scheme without a token', { noToken: true });
  if (start === scheme.length) throw headerError('Bearer must be followed by spaces, then the token');
  return value.slice(start);
}

/** The credential-level half: exactly one credential, then the strict compact format. */
export function assertBearerToken(token: string): void {
  if (WHITESPACE.test(token)) throw headerError('more than one credential, or whitespace inside the token');
  assertCompactToken(token);
}

/**
 * Strict compact-serialization check, run before any base64 decoding or cryptography
 * (docs/SECURITY.md "Tokens"). Throws the table error; returns normally for a well-formed JWS.
 */
export function assertCompactToken(token: string): void {
  const problem = compactTokenProblem(token);
  if (problem) throw formatError(problem.code, problem.actual);
}

/** Same check as `assertCompactToken`, as a value: used by the CLI report. */
export function compactTokenProblem(token: string): { code: ErrorCode; actual: string } | undefined {
  if (token.length > MAX_TOKEN_LENGTH) {
    return { code: 'AUTH_ERROR', actual: `${token.length} characters (limit ${MAX_TOKEN_LENGTH})` };
  }
  if (!COMPACT_JWS.test(token)) {
    if (COMPACT_JWE.test(token)) {
      return { code: 'ERR_JWE_INVALID', actual: 'an encrypted token (JWE, 5 parts); not accepted' };
    }
    return { code: 'ERR_JWS_INVALID', actual: describeMalformed(token) };
  }
  const parts = token.split('.');
  const bad = parts.findIndex((part) => part.length % 4 === 1);
  if (bad !== -1)
    return { code: 'ERR_JWS_INVALID', actual: `part ${bad + 1} has an impossible base64url length` };
  const loose = parts.findIndex((part) => !isCanonicalBase64url(part));
  if (loose !== -1)
    return {
      code: 'ERR_JWS_INVALID',
      actual: `part ${loose + 1} is not canonical base64url (unused bits set in its last character)`,
    };
  return undefined;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * One spelling per token (RFC 4648 §3.5): in a part whose length is 2 or 3 modulo 4, the last
 * character carries 4 or 2 bits that encode nothing and must be zero. Decoders ignore them, so
 * without this check `…Q` and `…R` would be the same signature, and a token could be altered
 * without changing its verification (a second cache key, a replay filter bypassed).
 */
function isCanonicalBase64url(part: string): boolean {
  const unusedBits = part.length % 4 === 2 ? 0x0f : part.length % 4 === 3 ? 0x03 : 0;
  if (unusedBits === 0) return true;
  return (BASE64URL.indexOf(part.charAt(part.length - 1)) & unusedBits) === 0;
}

/** Names the first reason a token is not compact, without echoing any of it. */
function describeMalformed(token: string): string {
  const parts = token.split('.').length;
  if (parts !== 3) return `${parts} dot-separated part${parts === 1 ? '' : 's'}, expected 3`;
  if (token.includes('=')) return 'base64 padding "=" (base64url has none)';
  if (/[+/]/.test(token)) return 'standard base64 characters "+" or "/" (base64url uses "-" and "_")';
  if (WHITESPACE.test(token)) return 'whitespace inside the token';
  if (/\.\./.test(token) || token.startsWith('.')) return 'an empty header or payload part';
  return 'characters outside the base64url alphabet';
}

function headerError(actual: string, options: { readonly noToken?: boolean } = {}): GatewayError {
  return authFailure(
    'AUTH_ERROR',
    {
      check: 'authorization',
      expected: EXPECTED_HEADER,
      actual,
      message: `Authorization header refused: ${actual}`,
    },
    options,
  );
}

function formatError(code: ErrorCode, actual: string): GatewayError {
  return authFailure(code, {
    check: 'format',
    expected: EXPECTED_FORMAT,
    actual,
    message: `token is not a compact JWS: ${actual}`,
  });
}
