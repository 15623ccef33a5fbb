import { describe, expect, it, vi } from 'vitest';
import type { AuthorizerConfig } from '../config/schema.js';
import { isGatewayError, type GatewayError } from '../errors/gateway-error.js';
import { renderGatewayError } from '../errors/render.js';
import {
  authTestPlatform,
  bearer,
  claimsAt,
  createKeyPair,
  hmacKey,
  randomSecret,
  rawToken,
  segment,
  signToken,
} from '../../test/fixtures/keys.js';
import { createAuthorizers } from './create-authorizers.js';

/** Every row of the auth table that an HMAC `jwt` authorizer can produce, through authenticate(). */

const SECRET = randomSecret();
const KEY = hmacKey(SECRET);

function setup(extra: Partial<AuthorizerConfig> = {}) {
  const platform = authTestPlatform();
  const config: AuthorizerConfig = { type: 'jwt', secret: SECRET, ...extra };
  const authorizer = createAuthorizers({ authorizer: config }, platform).get('default');
  if (!authorizer) throw new Error('no default authorizer');
  return { authorizer, platform, now: platform.time };
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (isGatewayError(error)) return error;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

async function body(error: GatewayError): Promise<unknown> {
  return renderGatewayError(error).json();
}

describe('jwt authorizer (HMAC): the happy path', () => {
  it('accepts a valid HS256 token and resolves with its claims', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(KEY, claimsAt(now, { role: 'admin' }));
    const claims = await authorizer.authenticate(bearer(token));
    expect(claims).toMatchObject({ sub: 'user-1', role: 'admin' });
    expect(authorizer.name).toBe('default');
    expect(authorizer.type).toBe('jwt');
  });

  it('checks issuer and audience lists', async () => {
    const { authorizer, now } = setup({
      issuer: ['https://a.example/', 'https://b.example/'],
      audience: ['api://x', 'api://y'],
    });
    const token = await signToken(
      KEY,
      claimsAt(now, { iss: 'https://b.example/', aud: ['api://z', 'api://y'] }),
    );
    await expect(authorizer.authenticate(bearer(token))).resolves.toMatchObject({
      iss: 'https://b.example/',
    });
  });

  it('accepts HS384/HS512 only when configured', async () => {
    const { authorizer, now } = setup({ algorithms: ['HS384', 'HS512'] });
    for (const alg of ['HS384', 'HS512'] as const) {
      const token = await signToken(hmacKey(SECRET, alg), claimsAt(now));
      await expect(authorizer.authenticate(bearer(token))).resolves.toMatchObject({ sub: 'user-1' });
    }
  });

  it('hands out immutable claims', async () => {
    const { authorizer, now } = setup();
    const claims = await authorizer.authenticate(
      bearer(await signToken(KEY, claimsAt(now, { org: { id: 1 } }))),
    );
    expect(Object.isFrozen(claims)).toBe(true);
    expect(Object.isFrozen(claims.org)).toBe(true);
  });
});

describe('jwt authorizer (HMAC): the error table through authenticate()', () => {
  it('no Authorization header → 401 AUTH_ERROR "No token provided…" with a bare Bearer challenge', async () => {
    const { authorizer } = setup();
    const error = await refusal(authorizer.authenticate(new Headers()));
    expect(await body(error)).toEqual({
      error: 'No token provided or token format is invalid.',
      code: 'AUTH_ERROR',
    });
    expect(renderGatewayError(error).headers.get('www-authenticate')).toBe('Bearer');
    expect(renderGatewayError(error).status).toBe(401);
  });

  it('algorithm outside the list (HS512 on an HS256 authorizer) → ERR_JOSE_ALG_NOT_ALLOWED', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(hmacKey(SECRET, 'HS512'), claimsAt(now));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(await body(error)).toEqual({ error: 'Algorithm not allowed', code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
    expect(renderGatewayError(error).headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(error.detail).toMatchObject({ check: 'alg', expected: ['HS256'], actual: 'HS512' });
  });

  it('a five-part JWE → ERR_JWE_INVALID', async () => {
    const { authorizer } = setup();
    const error = await refusal(
      authorizer.authenticate(bearer('eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn')),
    );
    expect(await body(error)).toEqual({ error: 'Invalid JWE', code: 'ERR_JWE_INVALID' });
  });

  it('exp in the past → ERR_JWT_EXPIRED, explained with how long ago', async () => {
    const { authorizer, now } = setup();
    const exp = Math.floor(now / 1000) - 192;
    const token = await signToken(KEY, claimsAt(now, { exp, iat: exp - 60 }));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(await body(error)).toEqual({ error: 'Token has expired.', code: 'ERR_JWT_EXPIRED' });
    expect(error.detail?.message).toContain('expired 3 min 12 s ago');
  });

  it('wrong issuer → ERR_JWT_CLAIM_VALIDATION_FAILED', async () => {
    const { authorizer, now } = setup({ issuer: 'https://issuer.example/' });
    const token = await signToken(KEY, claimsAt(now, { iss: 'https://other.example/' }));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(await body(error)).toEqual({
      error: 'JWT claim validation failed',
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
    expect(error.detail).toMatchObject({ check: 'iss', expected: 'https://issuer.example/' });
  });

  it('claims set that is not a JSON object → ERR_JWT_INVALID', async () => {
    const { authorizer } = setup();
    const token = await signToken(KEY, [1, 2, 3]);
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(await body(error)).toEqual({ error: 'Invalid JWT', code: 'ERR_JWT_INVALID' });
  });

  it('header that is not JSON → ERR_JWS_INVALID, before any cryptography', async () => {
    const { authorizer } = setup();
    const token = `${segment('not json')}.${segment({ sub: 'x' })}.c2ln`;
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(await body(error)).toEqual({ error: 'Invalid JWS', code: 'ERR_JWS_INVALID' });
  });

  it('header that is JSON but not an object → ERR_JWS_INVALID', async () => {
    const { authorizer } = setup();
    const error = await refusal(authorizer.authenticate(bearer(rawToken(['HS256'], { sub: 'x' }, 'c2ln'))));
    expect(error.code).toBe('ERR_JWS_INVALID');
  });

  it('header without alg → ERR_JWS_INVALID', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(KEY, claimsAt(now), { alg: undefined });
    expect((await refusal(authorizer.authenticate(bearer(token)))).code).toBe('ERR_JWS_INVALID');
  });

  it('wrong secret → ERR_JWS_SIGNATURE_VERIFICATION_FAILED with a hint about the secret', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(hmacKey(randomSecret()), claimsAt(now));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(await body(error)).toEqual({
      error: 'Signature verification failed',
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
    expect(error.detail).toMatchObject({ check: 'signature', authorizer: 'default' });
    expect(String(error.detail?.hint)).toContain('secret');
  });

  it('a tampered payload → ERR_JWS_SIGNATURE_VERIFICATION_FAILED', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(KEY, claimsAt(now, { role: 'user' }));
    const [h, , s] = token.split('.');
    const forged = `${h}.${segment(claimsAt(now, { role: 'admin' }))}.${s}`;
    expect((await refusal(authorizer.authenticate(bearer(forged)))).code).toBe(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
  });

  it('unknown crit extension → "JWT verification failed" (public code AUTH_ERROR)', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(KEY, claimsAt(now), {
      crit: ['urn:example:must-understand'],
      'urn:example:must-understand': 1,
    });
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(error.code).toBe('AUTH_VERIFICATION_FAILED');
    expect(await body(error)).toEqual({ error: 'JWT verification failed', code: 'AUTH_ERROR' });
  });

  it('every refusal carries detail, never the token', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(hmacKey(randomSecret()), claimsAt(now));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    const text = JSON.stringify(error.detail);
    for (const part of token.split('.')) expect(text).not.toContain(part);
    expect(await renderGatewayError(error).text()).not.toContain(token.split('.')[1]);
  });
});

describe('hostile tokens', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'alg %s → ERR_JOSE_ALG_NOT_ALLOWED, even when unsigned',
    async (alg) => {
      const { authorizer, now } = setup();
      const unsigned = rawToken({ alg, typ: 'JWT' }, claimsAt(now));
      expect((await refusal(authorizer.authenticate(bearer(unsigned)))).code).toBe(
        'ERR_JOSE_ALG_NOT_ALLOWED',
      );
      const withSignature = await signToken(KEY, claimsAt(now), { alg });
      expect((await refusal(authorizer.authenticate(bearer(withSignature)))).code).toBe(
        'ERR_JOSE_ALG_NOT_ALLOWED',
      );
    },
  );

  it('an RS256 token offered to an HS256 authorizer → ERR_JOSE_ALG_NOT_ALLOWED', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(await createKeyPair('RS256'), claimsAt(now));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(error.code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(String(error.detail?.hint)).toContain('HMAC');
  });

  it.each(['jwk', 'jku', 'x5u', 'x5c'])(
    'a "%s" header parameter is refused even with a valid signature',
    async (param) => {
      const { authorizer, now } = setup();
      const value =
        param === 'x5c' ? ['MIIB'] : param === 'jwk' ? { kty: 'oct', k: 'AAAA' } : 'http://127.0.0.1:9/keys';
      const token = await signToken(KEY, claimsAt(now), { [param]: value });
      const error = await refusal(authorizer.authenticate(bearer(token)));
      expect(error.code).toBe('AUTH_VERIFICATION_FAILED');
      expect(error.detail).toMatchObject({ check: 'header', actual: param });
    },
  );

  it.each([
    ['base64 padding', (t: string) => t.replace(/\.([^.]+)$/, '.$1=='), 'ERR_JWS_INVALID'],
    ['a "+" character', (t: string) => t.replace(/^([^.]*)\./, '$1+.'), 'ERR_JWS_INVALID'],
    ['a "/" character', (t: string) => t.replace(/^([^.]*)\./, '$1/.'), 'ERR_JWS_INVALID'],
    ['a space', (t: string) => t.replace('.', '. '), 'AUTH_ERROR'],
    ['a tab', (t: string) => t.replace('.', '.\t'), 'AUTH_ERROR'],
  ])('%s in a validly signed token is refused before any cryptography', async (_name, mangle, code) => {
    const { authorizer, now } = setup();
    const token = mangle(await signToken(KEY, claimsAt(now)));
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(error.code).toBe(code);
    expect(verify).not.toHaveBeenCalled();
    verify.mockRestore();
  });

  it('an oversized token (> 8 KiB) is refused as AUTH_ERROR without verification', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(KEY, claimsAt(now, { pad: 'x'.repeat(9000) }));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(error.code).toBe('AUTH_ERROR');
    expect(error.headers).toEqual({ 'www-authenticate': 'Bearer error="invalid_token"' });
  });

  it('future nbf → ERR_JWT_CLAIM_VALIDATION_FAILED; clock_tolerance admits small skew', async () => {
    const { authorizer, now } = setup();
    const nbf = Math.floor(now / 1000) + 30;
    const token = await signToken(KEY, claimsAt(now, { nbf }));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(error.detail).toMatchObject({ check: 'nbf' });
    const tolerant = setup({ clock_tolerance: 60 });
    await expect(tolerant.authorizer.authenticate(bearer(token))).resolves.toBeDefined();
  });

  it('iat in the future with max_token_age → ERR_JWT_CLAIM_VALIDATION_FAILED', async () => {
    const { authorizer, now } = setup({ max_token_age: 600 });
    const token = await signToken(KEY, claimsAt(now, { iat: Math.floor(now / 1000) + 120 }));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(error.detail).toMatchObject({ check: 'iat' });
    expect(error.detail?.message).toContain('in the future');
  });

  it('iat older than max_token_age → ERR_JWT_EXPIRED; iat missing → claim validation', async () => {
    const { authorizer, now } = setup({ max_token_age: 600 });
    const old = await signToken(KEY, claimsAt(now, { iat: Math.floor(now / 1000) - 601 }));
    expect((await refusal(authorizer.authenticate(bearer(old)))).code).toBe('ERR_JWT_EXPIRED');
    const noIat = await signToken(KEY, claimsAt(now, { iat: undefined }));
    expect((await refusal(authorizer.authenticate(bearer(noIat)))).code).toBe(
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    );
  });

  it('iat in the future without max_token_age is not an error (RFC 7519 leaves it informational)', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(KEY, claimsAt(now, { iat: Math.floor(now / 1000) + 120 }));
    await expect(authorizer.authenticate(bearer(token))).resolves.toBeDefined();
  });

  it('audience: a string, an array containing it, and an array without it', async () => {
    const { authorizer, now } = setup({ audience: 'api://orders' });
    const ok1 = await signToken(KEY, claimsAt(now, { aud: 'api://orders' }));
    const ok2 = await signToken(KEY, claimsAt(now, { aud: ['api://billing', 'api://orders'] }));
    const bad = await signToken(KEY, claimsAt(now, { aud: ['api://billing'] }));
    const none = await signToken(KEY, claimsAt(now));
    await expect(authorizer.authenticate(bearer(ok1))).resolves.toBeDefined();
    await expect(authorizer.authenticate(bearer(ok2))).resolves.toBeDefined();
    const error = await refusal(authorizer.authenticate(bearer(bad)));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(error.detail?.message).toBe('aud expected "api://orders" got ["api://billing"]');
    expect((await refusal(authorizer.authenticate(bearer(none)))).code).toBe(
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    );
  });

  it('issuer is compared exactly: a trailing slash matters, and the explanation says so', async () => {
    const { authorizer, now } = setup({ issuer: 'https://tenant.auth0.com/' });
    const withSlash = await signToken(KEY, claimsAt(now, { iss: 'https://tenant.auth0.com/' }));
    const without = await signToken(KEY, claimsAt(now, { iss: 'https://tenant.auth0.com' }));
    await expect(authorizer.authenticate(bearer(withSlash))).resolves.toBeDefined();
    const error = await refusal(authorizer.authenticate(bearer(without)));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(error.detail?.message).toBe(
      'iss expected "https://tenant.auth0.com/" got "https://tenant.auth0.com" (trailing slash)',
    );
    expect(String(error.detail?.hint)).toContain('trailing slash');
  });

  it('exp is required by default; required_claims: [] relaxes it', async () => {
    const strict = setup();
    const noExp = await signToken(KEY, claimsAt(strict.now, { exp: undefined }));
    const error = await refusal(strict.authorizer.authenticate(bearer(noExp)));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(error.detail).toMatchObject({ check: 'exp' });
    expect(String(error.detail?.hint)).toContain('required_claims');
    const relaxed = setup({ required_claims: [] });
    await expect(relaxed.authorizer.authenticate(bearer(noExp))).resolves.toBeDefined();
  });

  it('required_claims can demand more claims', async () => {
    const { authorizer, now } = setup({ required_claims: ['exp', 'tenant'] });
    const token = await signToken(KEY, claimsAt(now));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(error.detail?.message).toContain('"tenant"');
  });

  it('exp that is not a number is a claim error, not a crash', async () => {
    const { authorizer, now } = setup();
    const token = await signToken(KEY, claimsAt(now, { exp: 'tomorrow' }));
    expect((await refusal(authorizer.authenticate(bearer(token)))).code).toBe(
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    );
  });

  it('verifyToken applies the same checks to a token from elsewhere, with an audience override', async () => {
    const { authorizer, now } = setup({ audience: 'api://orders' });
    const idToken = await signToken(KEY, claimsAt(now, { aud: 'client-123' }));
    expect((await refusal(authorizer.verifyToken(idToken))).code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    await expect(authorizer.verifyToken(idToken, { audience: 'client-123' })).resolves.toMatchObject({
      aud: 'client-123',
    });
    expect((await refusal(authorizer.verifyToken('not-a-token'))).code).toBe('ERR_JWS_INVALID');
  });
});
