import { errors, type JWSHeaderParameters, type JWTPayload } from 'jose';
import type { ErrorCode } from '../errors/codes.js';
import { claimVerdict, type ClaimContext } from './claims.js';
import { KeySetUnavailableError } from './errors.js';
import { cleanText, formatDuration, preview } from './format.js';
import { algDetail } from './jws-header.js';
import { KeyConfigError, type KeySourceInfo } from './key-sets.js';
import type { AuthFailureDetail } from './types.js';

/**
 * Turns a verification failure into "which check failed, expected vs actual" (docs/AUTH.md
 * "Explaining the failure"). The client body stays the fixed table row; this text goes to the
 * request's log line and to `gatehouse token check`. It may name claim values and key ids, never
 * the token or a key.
 */
export interface FailureContext extends ClaimContext {
  readonly header: JWSHeaderParameters;
  /** The key source that served (or would serve) the token's `alg`. */
  keyInfo(alg: unknown): KeySourceInfo | undefined;
}

export function describeFailure(error: unknown, code: ErrorCode, ctx: FailureContext): AuthFailureDetail {
  const { header } = ctx;
  switch (code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return algDetail(header.alg, ctx.settings.algorithms);
    case 'ERR_JWT_EXPIRED':
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claimFailure(error, ctx);
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return noMatchingKey(ctx);
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS': {
      const info = ctx.keyInfo(header.alg);
      return {
        check: 'kid',
        expected: 'a kid naming one key',
        actual: 'no kid',
        message: `several of ${keyText(info, ctx.now)} fit alg ${preview(header.alg)}, the token has no kid, and none verifies the signature`,
        hint: 'issue tokens with a "kid" header, or check that the token comes from this issuer',
      };
    }
    case 'ERR_JWKS_INVALID':
      return {
        check: 'jwks',
        expected: 'a JSON Web Key Set {"keys": [...]} of public keys',
        actual: message(error),
        message: `the key set is malformed: ${message(error)}`,
        hint: 'fix the key set the authorizer points at (jwks / jwks_uri)',
      };
    case 'ERR_JWKS_UNAVAILABLE':
      return unavailable(error);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return badSignature(ctx);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JWE_INVALID':
    case 'ERR_JWE_DECRYPTION_FAILED':
      return { check: code === 'ERR_JWT_INVALID' ? 'claims' : 'format', message: message(error) };
    default:
      return otherFailure(error);
  }
}

/** jose names the claim and the reason; the claim checks say it with values. */
function claimFailure(error: unknown, ctx: FailureContext): AuthFailureDetail {
  if (!(error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired)) {
    return { check: 'claims', message: message(error) };
  }
  const payload = error.payload as JWTPayload;
  const name = error.reason === 'missing' ? 'claims' : error.claim;
  const verdict = claimVerdict(name, payload, ctx);
  if (verdict && !verdict.ok) return verdict.detail;
  return { check: error.claim, message: `"${error.claim}" claim check failed (${error.reason})` };
}

function noMatchingKey(ctx: FailureContext): AuthFailureDetail {
  const { kid, alg } = ctx.header;
  const info = ctx.keyInfo(alg);
  const kids = (info?.kids ?? []).filter((k): k is string => k !== undefined);
  const where = keyText(info, ctx.now);
  return {
    check: 'kid',
    expected: kids,
    actual: kid === undefined ? 'no kid' : preview(kid),
    message:
      kid === undefined
        ? `no key for alg ${preview(alg)} among ${where} (the token has no kid)`
        : `kid ${preview(kid)} not among ${where}${kids.length ? ` (kids: ${kids.map((k) => preview(k)).join(', ')})` : ''}`,
    hint: 'the token was signed with a key this issuer does not publish: rotated away, another tenant or environment, or a forged token',
  };
}

function badSignature(ctx: FailureContext): AuthFailureDetail {
  const { alg, kid } = ctx.header;
  const info = ctx.keyInfo(alg);
  const key =
    info?.kind === 'secret'
      ? `the configured secret (${String(alg)})`
      : info?.kind === 'public_key'
        ? `the configured public_key (${String(alg)})`
        : `${kid === undefined ? 'the matching key' : `key ${preview(kid)}`} of ${keyText(info, ctx.now)}`;
  return {
    check: 'signature',
    expected: `a signature by ${key}`,
    actual: 'does not verify',
    message: `signature does not verify with ${key}`,
    hint:
      info?.kind === 'secret'
        ? "check that the token was signed with this authorizer's secret and algorithm (another secret, or another authorizer for this route?)"
        : 'the token was signed by another key or altered after signing',
  };
}

function unavailable(error: unknown): AuthFailureDetail {
  const url = error instanceof KeySetUnavailableError ? error.url : undefined;
  const reason = error instanceof KeySetUnavailableError ? error.reason : message(error);
  return {
    check: 'jwks',
    expected: 'a 200 answer with the key set',
    actual: reason,
    message: `the key set ${url ?? ''} could not be fetched: ${reason}`.replace('  ', ' '),
    hint: 'check that the gateway can reach the key set URL (and that it does not redirect)',
  };
}

function otherFailure(error: unknown): AuthFailureDetail {
  if (error instanceof KeyConfigError) {
    return {
      check: 'key',
      message: error.message,
      hint: "the authorizer's key does not fit its algorithms; fix public_key / algorithms in the config",
    };
  }
  if (error instanceof errors.JOSENotSupported) {
    return {
      check: 'header',
      message: message(error),
      hint: 'the token uses a feature the gateway does not accept (e.g. an unknown "crit" extension)',
    };
  }
  return { check: 'key', message: message(error) };
}

/** "the 2 keys fetched 41 s ago from https://…", "the configured secret", … */
export function keyText(info: KeySourceInfo | undefined, now: number): string {
  if (!info) return 'the configured keys';
  const count = info.kids?.length ?? 0;
  const keys = `${count} key${count === 1 ? '' : 's'}`;
  switch (info.kind) {
    case 'secret':
      return 'the configured secret';
    case 'public_key':
      return 'the configured public_key';
    case 'jwks':
      return `the ${keys} of the inline jwks`;
    case 'jwks_uri':
      return info.fetchedAt === undefined
        ? `the key set at ${info.url ?? '?'} (not fetched)`
        : `the ${keys} fetched ${formatDuration((now - info.fetchedAt) / 1000)} ago from ${info.url ?? '?'}`;
  }
}

/** Error text safe for a log line: shortened, control characters removed. */
function message(error: unknown): string {
  return cleanText(error instanceof Error ? error.message : String(error));
}
