import type { JWTPayload } from 'jose';
import { formatDuration, isoTime, listText, preview } from './format.js';
import type { AuthFailureDetail, AuthorizerSettings } from './types.js';

/**
 * The time and identity checks on a claims set, evaluated one by one so `gatehouse token check`
 * can list every problem at once and a failed request's log line can say expected vs actual.
 * The verdicts mirror jose's `validateClaimsSet` (which stays the authority at request time):
 * exp fails when exp <= now - tolerance, nbf when nbf > now + tolerance, iat (with
 * max_token_age) when older than the limit or in the future, iss by exact match, aud when no
 * configured audience is among the token's.
 */

export interface ClaimContext {
  readonly settings: AuthorizerSettings;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** The audience in force: the authorizer's, or a flow's override. */
  readonly audience: string | readonly string[] | undefined;
}

export interface ClaimVerdict {
  readonly name: 'claims' | 'exp' | 'nbf' | 'iat' | 'iss' | 'aud';
  readonly ok: boolean;
  readonly detail: AuthFailureDetail;
}

type Check = (claims: JWTPayload, ctx: ClaimContext) => ClaimVerdict;

export function claimVerdicts(claims: JWTPayload, ctx: ClaimContext): ClaimVerdict[] {
  return [checkRequired, checkExp, checkNbf, checkIat, checkIss, checkAud].map((check) => check(claims, ctx));
}

/** The verdict of one claim check (for explaining the claim jose refused). */
export function claimVerdict(name: string, claims: JWTPayload, ctx: ClaimContext): ClaimVerdict | undefined {
  const check = CHECKS[name];
  return check ? check(claims, ctx) : undefined;
}

/** Every claim that must be present: required_claims plus what the other settings imply. */
export function presenceRequired(ctx: ClaimContext): string[] {
  const { settings } = ctx;
  const required = new Set(settings.requiredClaims);
  if (settings.maxTokenAge !== undefined) required.add('iat');
  if (ctx.audience !== undefined) required.add('aud');
  if (settings.issuer !== undefined) required.add('iss');
  return [...required];
}

const checkRequired: Check = (claims, ctx) => {
  const required = presenceRequired(ctx);
  const missing = required.filter((claim) => !Object.hasOwn(claims, claim));
  if (missing.length === 0) {
    const message = required.length
      ? `required claims present (${required.join(', ')})`
      : 'no claims required';
    return verdict('claims', true, { check: 'claims', expected: required, actual: 'present', message });
  }
  const [first] = missing;
  return verdict('claims', false, {
    check: first === 'exp' || first === 'iat' || first === 'iss' || first === 'aud' ? first : 'claims',
    expected: required,
    actual: `missing ${missing.join(', ')}`,
    message: `required claim${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} missing`,
    hint: missingHint(missing, claims),
  });
};

function missingHint(missing: readonly string[], claims: JWTPayload): string {
  if (missing.includes('sub') && (claims.role === 'anon' || claims.role === 'service_role')) {
    return `this is a Supabase ${String(claims.role)} key, not a user token: user tokens carry "sub"`;
  }
  if (missing.includes('exp')) {
    return 'tokens must expire (RFC 8725); set "required_claims": [] on the authorizer to accept tokens without exp';
  }
  return 'issue tokens that carry these claims, or relax "required_claims" on the authorizer';
}

const checkExp: Check = (claims, ctx) => {
  const { exp } = claims;
  const tolerance = ctx.settings.clockTolerance;
  const nowSec = Math.floor(ctx.now / 1000);
  if (exp === undefined) {
    const required = presenceRequired(ctx).includes('exp');
    return verdict('exp', !required, {
      check: 'exp',
      expected: required ? 'present' : 'optional',
      actual: 'missing',
      message: required ? '"exp" missing (required)' : 'no "exp" (allowed by required_claims)',
    });
  }
  if (typeof exp !== 'number') return notANumber('exp', exp);
  const toleranceText = tolerance ? ` (clock_tolerance ${tolerance} s)` : '';
  if (exp <= nowSec - tolerance) {
    return verdict('exp', false, {
      check: 'exp',
      expected: `after ${isoTime(nowSec - tolerance)}`,
      actual: isoTime(exp),
      message: `token expired ${formatDuration(nowSec - exp)} ago (exp ${isoTime(exp)})${toleranceText}`,
      hint: 'obtain a fresh token; if the clocks of issuer and gateway drift, set clock_tolerance',
    });
  }
  return verdict('exp', true, {
    check: 'exp',
    expected: `after ${isoTime(nowSec - tolerance)}`,
    actual: isoTime(exp),
    message: `expires in ${formatDuration(exp - nowSec)} (exp ${isoTime(exp)})`,
  });
};

const checkNbf: Check = (claims, ctx) => {
  const { nbf } = claims;
  const nowSec = Math.floor(ctx.now / 1000);
  const tolerance = ctx.settings.clockTolerance;
  if (nbf === undefined) return verdict('nbf', true, { check: 'nbf', message: 'no "nbf"' });
  if (typeof nbf !== 'number') return notANumber('nbf', nbf);
  if (nbf > nowSec + tolerance) {
    return verdict('nbf', false, {
      check: 'nbf',
      expected: `at or before ${isoTime(nowSec + tolerance)}`,
      actual: isoTime(nbf),
      message: `token not valid before ${isoTime(nbf)} (in ${formatDuration(nbf - nowSec)})`,
      hint: 'wait until nbf, or set clock_tolerance if the clocks of issuer and gateway drift',
    });
  }
  return verdict('nbf', true, { check: 'nbf', message: `valid since ${isoTime(nbf)}` });
};

const checkIat: Check = (claims, ctx) => {
  const { iat } = claims;
  const { maxTokenAge, clockTolerance: tolerance } = ctx.settings;
  const nowSec = Math.floor(ctx.now / 1000);
  if (iat === undefined) {
    const required = maxTokenAge !== undefined;
    return verdict('iat', !required, {
      check: 'iat',
      expected: required ? 'present (max_token_age is set)' : 'optional',
      actual: 'missing',
      message: required ? '"iat" missing (required by max_token_age)' : 'no "iat"',
    });
  }
  if (typeof iat !== 'number') return notANumber('iat', iat);
  const age = nowSec - iat;
  if (maxTokenAge === undefined) {
    const when = age >= 0 ? `${formatDuration(age)} ago` : `${formatDuration(-age)} in the future`;
    return verdict('iat', true, { check: 'iat', message: `issued ${when} (no max_token_age)` });
  }
  if (age - tolerance > maxTokenAge) {
    return verdict('iat', false, {
      check: 'iat',
      expected: `issued within ${formatDuration(maxTokenAge)}`,
      actual: isoTime(iat),
      message: `token issued ${formatDuration(age)} ago; max_token_age is ${formatDuration(maxTokenAge)}`,
      hint: 'obtain a fresh token',
    });
  }
  if (age < -tolerance) {
    return verdict('iat', false, {
      check: 'iat',
      expected: `at or before ${isoTime(nowSec + tolerance)}`,
      actual: isoTime(iat),
      message: `token issued ${formatDuration(-age)} in the future (iat ${isoTime(iat)})`,
      hint: "check the issuer's clock, or set clock_tolerance",
    });
  }
  return verdict('iat', true, {
    check: 'iat',
    message: `issued ${formatDuration(age)} ago (max_token_age ${formatDuration(maxTokenAge)})`,
  });
};

const checkIss: Check = (claims, ctx) => {
  const expected = ctx.settings.issuer;
  if (expected === undefined)
    return verdict('iss', true, { check: 'iss', message: 'not checked (no issuer configured)' });
  const actual = claims.iss;
  const allowed = typeof expected === 'string' ? [expected] : expected;
  if (typeof actual === 'string' && allowed.includes(actual)) {
    return verdict('iss', true, { check: 'iss', expected, actual, message: `iss ${JSON.stringify(actual)}` });
  }
  const trailingSlash =
    typeof actual === 'string' &&
    allowed.some((iss) => stripSlash(iss) === stripSlash(actual) && iss !== actual);
  return verdict('iss', false, {
    check: 'iss',
    expected,
    actual: actual === undefined ? 'missing' : preview(actual),
    message: `iss expected ${listText(expected)} got ${actual === undefined ? 'none' : preview(actual)}${trailingSlash ? ' (trailing slash)' : ''}`,
    hint: trailingSlash
      ? 'issuers are compared exactly and differ only by a trailing slash; fix the authorizer\'s issuer (Auth0 issuers end with "/")'
      : 'the token comes from another issuer; check the authorizer the route uses',
  });
};

const checkAud: Check = (claims, ctx) => {
  const expected = ctx.audience;
  if (expected === undefined)
    return verdict('aud', true, { check: 'aud', message: 'not checked (no audience configured)' });
  const allowed = typeof expected === 'string' ? [expected] : expected;
  const { aud } = claims;
  const tokenAud = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  const ok = allowed.some((a) => tokenAud.includes(a));
  const actual = aud === undefined ? 'missing' : preview(aud);
  return verdict('aud', ok, {
    check: 'aud',
    expected,
    actual,
    message: ok
      ? `aud ${actual}`
      : `aud expected ${listText(expected)} got ${aud === undefined ? 'none' : actual}`,
    ...(ok ? {} : { hint: 'the token was issued for another API (audience); request a token for this one' }),
  });
};

const CHECKS: Readonly<Record<string, Check>> = {
  claims: checkRequired,
  exp: checkExp,
  nbf: checkNbf,
  iat: checkIat,
  iss: checkIss,
  aud: checkAud,
};

function notANumber(name: 'exp' | 'nbf' | 'iat', value: unknown): ClaimVerdict {
  return verdict(name, false, {
    check: name,
    expected: 'a NumericDate (seconds since the epoch)',
    actual: preview(value),
    message: `"${name}" must be a number, got ${preview(value)}`,
  });
}

function stripSlash(value: string): string {
  return value.endsWith('/') ? value.slice(0, -1) : value;
}

function verdict(name: ClaimVerdict['name'], ok: boolean, detail: AuthFailureDetail): ClaimVerdict {
  return { name, ok, detail };
}
