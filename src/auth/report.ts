import { decodeJwt, type JWSHeaderParameters } from 'jose';
import { publicCode } from '../errors/codes.js';
import { GatewayError } from '../errors/gateway-error.js';
import { compactTokenProblem } from './bearer.js';
import { claimVerdicts } from './claims.js';
import { keyText } from './explain.js';
import { preview } from './format.js';
import { readProtectedHeader } from './jws-header.js';
import type { AuthFailureDetail, TokenCheck, TokenReport } from './types.js';
import type { Verifier } from './verifier.js';

/**
 * `gatehouse token check`: the verdict of the real verification (so it can never disagree with
 * what a request would get), laid out stage by stage — format, header, alg, signature, then
 * every claim check at once, so a developer sees all problems, not only the first.
 */
type Stage = 'header' | 'alg' | 'signature' | 'claims';
const ORDER: readonly Stage[] = ['header', 'alg', 'signature', 'claims'];
const STAGE_OF_CHECK: Readonly<Record<string, Stage>> = {
  authorization: 'header',
  format: 'header',
  header: 'header',
  alg: 'alg',
  kid: 'signature',
  key: 'signature',
  jwks: 'signature',
  signature: 'signature',
  claims: 'claims',
  exp: 'claims',
  nbf: 'claims',
  iat: 'claims',
  iss: 'claims',
  aud: 'claims',
};

export async function buildReport(token: string, verifier: Verifier, now: number): Promise<TokenReport> {
  const shape = compactTokenProblem(token);
  if (shape) {
    return {
      ok: false,
      checks: [{ name: 'format', ok: false, message: `not a compact JWS: ${shape.actual}` }],
      code: publicCode(shape.code),
      hint: 'pass the token exactly as issued: three base64url parts separated by dots',
    };
  }
  const checks: TokenCheck[] = [
    { name: 'format', ok: true, message: `compact JWS, ${token.length} characters` },
  ];
  let failure: GatewayError | undefined;
  try {
    await verifier.verify(token, now, undefined, false);
  } catch (error) {
    failure = error instanceof GatewayError ? error : new GatewayError('AUTH_VERIFICATION_FAILED');
  }
  const detail = failureDetail(failure);
  const failedStage = failure ? (STAGE_OF_CHECK[detail.check] ?? 'signature') : undefined;
  const passed = (stage: Stage) =>
    failedStage === undefined || ORDER.indexOf(stage) < ORDER.indexOf(failedStage);
  const fail = (name: string) => checks.push({ name, ok: false, message: detail.message });

  const header = safely(() => readProtectedHeader(token));
  if (failedStage === 'header') fail('header');
  else if (header) checks.push({ name: 'header', ok: true, message: describeHeader(header) });

  const allowed = verifier.settings.algorithms.join(', ');
  if (failedStage === 'alg') fail('alg');
  else if (passed('alg'))
    checks.push({ name: 'alg', ok: true, message: `${String(header?.alg)} is allowed (${allowed})` });

  if (failedStage === 'signature') fail('signature');
  else if (passed('signature')) {
    const key = keyText(verifier.keyInfo(header?.alg, now), now);
    checks.push({ name: 'signature', ok: true, message: `verified with ${key}` });
  }

  const claims = safely(() => decodeJwt(token));
  if (claims) {
    const signed = passed('signature') && failedStage !== 'signature';
    const verdicts = claimVerdicts(claims, {
      settings: verifier.settings,
      now,
      audience: verifier.settings.audience,
    });
    for (const verdict of verdicts) {
      const suffix = signed ? '' : ' (signature not verified)';
      checks.push({ name: verdict.name, ok: verdict.ok, message: `${verdict.detail.message}${suffix}` });
    }
    // jose is the authority: if it refused a claim our checks passed, show its reason.
    if (failedStage === 'claims' && verdicts.every((v) => v.ok)) fail(detail.check);
  } else if (failedStage === 'claims') {
    fail('claims');
  }

  return {
    ok: failure === undefined,
    checks,
    ...(failure ? { code: publicCode(failure.code) } : {}),
    ...(failure && detail.hint ? { hint: detail.hint } : {}),
    ...(claims ? { claims } : {}),
  };
}

function failureDetail(failure: GatewayError | undefined): AuthFailureDetail {
  const raw = failure?.detail ?? {};
  return {
    check: typeof raw.check === 'string' ? raw.check : 'unknown',
    message: typeof raw.message === 'string' ? raw.message : 'verification failed',
    ...(typeof raw.hint === 'string' ? { hint: raw.hint } : {}),
  };
}

function describeHeader(header: JWSHeaderParameters): string {
  const parts = [`alg ${preview(header.alg)}`];
  if (header.kid !== undefined) parts.push(`kid ${preview(header.kid)}`);
  if (header.typ !== undefined) parts.push(`typ ${preview(header.typ)}`);
  return parts.join(', ');
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
